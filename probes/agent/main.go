// netprobe-agent: the in-pod side of netprobe.
//
//	netprobe-agent probe --batch '<json>' | --batch -   run probes concurrently, print JSON lines
//	netprobe-agent serve [--tcp 8080,5432] [--udp 9000] [--https 8443]   echo server
//	netprobe-agent check [--tcp 8080] [--udp 9000]   exec readiness check on 127.0.0.1
//	netprobe-agent sleep   idle until SIGTERM/SIGINT or --for (entrypoint of the probe image)
//	netprobe-agent stop    end the sleeps started with a --token (an ephemeral container's)
//	netprobe-agent version
package main

import (
	"fmt"
	"os"
	"runtime"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func usage() {
	fmt.Fprint(os.Stderr, `usage: netprobe-agent <command> [flags]
commands:
  probe --batch JSON|-   run a batch of probes concurrently; one JSON line per probe
  serve [--tcp P,..] [--udp P,..] [--https P,..] [--bind ADDR] [--dns-a IP,..] [--dns-aaaa IP,..]
                         echo server (env ECHO_TCP, ECHO_UDP, ECHO_HTTPS, ECHO_DNS_A, ECHO_DNS_AAAA)
  check [--tcp P,..] [--udp P,..] [--https P,..] [--timeout 1s]
                         exit 0 if the ports listen on 127.0.0.1 (defaults from the ECHO_* env)
  sleep [--for D] [--token T]
                         idle until SIGTERM or SIGINT, or for D (e.g. 15m)
  stop --token T         send SIGTERM to the sleeps started with --token T
  version                print the version
`)
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	args := os.Args[2:]
	var code int
	switch os.Args[1] {
	case "probe":
		code = cmdProbe(args, os.Stdin, os.Stdout, os.Stderr)
	case "serve":
		code = cmdServe(args)
	case "check":
		code = cmdCheck(args)
	case "sleep":
		code = cmdSleep(args)
	case "stop":
		code = cmdStop(args, os.Stdout, os.Stderr)
	case "version", "--version", "-v":
		fmt.Printf("netprobe-agent %s %s %s/%s\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	case "help", "--help", "-h":
		usage()
	default:
		fmt.Fprintf(os.Stderr, "netprobe-agent: unknown command %q\n", os.Args[1])
		usage()
		code = 2
	}
	os.Exit(code)
}
