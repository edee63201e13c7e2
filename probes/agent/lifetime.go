package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// cmdSleep idles until SIGTERM or SIGINT, or until --for has passed. In a probe pod the kubelet's
// activeDeadlineSeconds ends it; an ephemeral container has no such deadline and cannot be removed from
// the pod spec, so netprobe gives it --for (it ends even if netprobe dies) and a --token that `stop` finds.
func cmdSleep(args []string) int {
	fs := flag.NewFlagSet("sleep", flag.ContinueOnError)
	limit := fs.Duration("for", 0, "end after this long (0: only on a signal)")
	fs.String("token", "", "a word `stop --token` finds this process by")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	var deadline <-chan time.Time
	if *limit > 0 {
		deadline = time.After(*limit)
	}
	select {
	case <-ch:
		// `stop` runs in this same container: ending at once would kill it too before its exec could
		// report back, so give it a moment.
		time.Sleep(stopGrace)
	case <-deadline:
	}
	return 0
}

const stopGrace = 500 * time.Millisecond

// cmdStop sends SIGTERM to every `netprobe-agent sleep ... --token T` process it can see (its own
// container's, or the whole pod's when the pod shares one process namespace), and says how many.
func cmdStop(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stop", flag.ContinueOnError)
	fs.SetOutput(stderr)
	token := fs.String("token", "", "the token the sleep was started with")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *token == "" {
		fmt.Fprintln(stderr, "stop: --token is required")
		return 2
	}
	pids := sleepersWithToken("/proc", *token)
	for _, pid := range pids {
		if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
			fmt.Fprintf(stderr, "stop: pid %d: %v\n", pid, err)
		}
	}
	fmt.Fprintf(stdout, "stopped %d\n", len(pids))
	return 0
}

// sleepersWithToken lists the pids under procRoot whose command line is `... sleep ... --token TOKEN`
// (or --token=TOKEN), run by this same program.
func sleepersWithToken(procRoot, token string) []int {
	entries, _ := os.ReadDir(procRoot)
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(procRoot, e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if isSleeper(bytes.Split(bytes.TrimRight(raw, "\x00"), []byte{0}), token) {
			out = append(out, pid)
		}
	}
	return out
}

func isSleeper(argv [][]byte, token string) bool {
	if len(argv) < 2 || filepath.Base(string(argv[0])) != "netprobe-agent" || string(argv[1]) != "sleep" {
		return false
	}
	for i, a := range argv[2:] {
		s := string(a)
		if s == "--token="+token || s == "-token="+token {
			return true
		}
		if (s == "--token" || s == "-token") && i+3 < len(argv) && string(argv[i+3]) == token {
			return true
		}
	}
	return false
}
