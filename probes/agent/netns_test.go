package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Who answered, seen on a small network of namespaces that this test makes and deletes (root
// only; no packet leaves them):
//
//	client 10.199.1.2 -- 10.199.1.1 router 10.199.2.1 -- 10.199.2.2 server
//	nonet (no interface but lo)
//
// The router forwards and REJECTs some ports like a policy enforcement point; the client REJECTs
// one port in its own OUTPUT chain. The server runs this test binary as an echo server plus a DNS
// server that ignores anything that is not a DNS query (as CoreDNS does).

const (
	labClient = "10.199.1.2"
	labRouter = "10.199.1.1"
	labServer = "10.199.2.2"
)

func TestMain(m *testing.M) {
	switch os.Getenv("NETPROBE_TEST_HELPER") {
	case "serve":
		helperServe()
		return
	case "probe":
		os.Exit(cmdProbe([]string{"--batch", "-"}, os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// helperServe runs in the server namespace until killed.
func helperServe() {
	s, err := startServer(serveConfig{bind: "0.0.0.0", tcp: []int{80, 81, 85, 86}, udp: []int{84, 9000}}, log.New(io.Discard, "", 0))
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	defer s.Close()
	pc, err := net.ListenPacket("udp", "0.0.0.0:53")
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	buf := make([]byte, 1500)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if q, ok := parseDNSQuery(buf[:n]); ok {
			pc.WriteTo(dnsAnswer(q, []net.IP{net.ParseIP(labServer)}, nil), from)
		}
	}
}

type netLab struct{ prefix string }

func (l netLab) ns(name string) string { return l.prefix + name }

func sh(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
}

func newNetLab(t *testing.T) netLab {
	if os.Geteuid() != 0 {
		t.Skip("needs root for network namespaces")
	}
	for _, tool := range []string{"ip", "iptables"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip("needs " + tool)
		}
	}
	l := netLab{prefix: fmt.Sprintf("npev%d-", os.Getpid())}
	c, r, s, n := l.ns("c"), l.ns("r"), l.ns("s"), l.ns("n")
	t.Cleanup(func() {
		for _, ns := range []string{c, r, s, n} {
			exec.Command("ip", "netns", "del", ns).Run()
		}
	})
	for _, ns := range []string{c, r, s, n} {
		sh(t, "ip", "netns", "add", ns)
		sh(t, "ip", "-n", ns, "link", "set", "lo", "up")
	}
	sh(t, "ip", "link", "add", "npc0", "netns", c, "type", "veth", "peer", "name", "npr0", "netns", r)
	sh(t, "ip", "link", "add", "nps0", "netns", s, "type", "veth", "peer", "name", "npr1", "netns", r)
	for _, a := range [][3]string{{c, "npc0", labClient + "/24"}, {r, "npr0", labRouter + "/24"}, {r, "npr1", "10.199.2.1/24"}, {s, "nps0", labServer + "/24"}} {
		sh(t, "ip", "-n", a[0], "addr", "add", a[2], "dev", a[1])
		sh(t, "ip", "-n", a[0], "link", "set", a[1], "up")
	}
	sh(t, "ip", "-n", c, "route", "add", "default", "via", labRouter)
	sh(t, "ip", "-n", s, "route", "add", "default", "via", "10.199.2.1")
	sh(t, "ip", "netns", "exec", r, "sysctl", "-qw", "net.ipv4.ip_forward=1")
	for _, rule := range [][]string{
		{r, "-A", "FORWARD", "-p", "tcp", "--dport", "81", "-j", "REJECT"},
		{r, "-A", "FORWARD", "-p", "udp", "--dport", "84", "-j", "REJECT"},
		{r, "-A", "FORWARD", "-p", "tcp", "--dport", "85", "-j", "REJECT", "--reject-with", "icmp-admin-prohibited"},
		{c, "-A", "OUTPUT", "-p", "tcp", "--dport", "86", "-j", "REJECT"},
	} {
		sh(t, append([]string{"ip", "netns", "exec", rule[0], "iptables"}, rule[1:]...)...)
	}
	return l
}

// serve starts the helper server in the server namespace and waits until it listens.
func (l netLab) serve(t *testing.T) {
	cmd := exec.Command("ip", "netns", "exec", l.ns("s"), os.Args[0])
	cmd.Env = append(os.Environ(), "NETPROBE_TEST_HELPER=serve")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		t.Fatalf("server: %q", line)
	}
}

// probe runs a batch in namespace ns and returns the results by id.
func (l netLab) probe(t *testing.T, ns string, batch string) map[string]Result {
	cmd := exec.Command("ip", "netns", "exec", l.ns(ns), os.Args[0])
	cmd.Env = append(os.Environ(), "NETPROBE_TEST_HELPER=probe")
	cmd.Stdin = strings.NewReader(batch)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("probe in %s: %v: %s", ns, err, stderr.String())
	}
	out := map[string]Result{}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var r Result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		t.Logf("%s", line)
		out[r.ID] = r
	}
	return out
}

type labWant struct{ outcome, by, icmp, from string }

func checkLab(t *testing.T, got map[string]Result, wants map[string]labWant) {
	t.Helper()
	for id, w := range wants {
		r, ok := got[id]
		if !ok {
			t.Errorf("%s: no result", id)
			continue
		}
		if r.Outcome != w.outcome || r.AnsweredBy != w.by || r.ICMP != w.icmp || r.ICMPFrom != w.from {
			t.Errorf("%s: got outcome %q answeredBy %q icmp %q from %q (%s); want %+v", id, r.Outcome, r.AnsweredBy, r.ICMP, r.ICMPFrom, r.Detail, w)
		}
	}
}

func TestWhoAnswered(t *testing.T) {
	lab := newNetLab(t)
	lab.serve(t)
	probe := func(id, kind, host string, port int, extra string) string {
		return fmt.Sprintf(`{"id":%q,"kind":%q,"host":%q,"port":%d%s}`, id, kind, host, port, extra)
	}
	batch := `{"timeoutMs":5000,"probes":[` + strings.Join([]string{
		probe("open", "tcp", labServer, 80, ""),
		probe("reject-tcp", "tcp", labServer, 81, ""),
		probe("closed-tcp", "tcp", labServer, 82, ""),
		probe("closed-udp", "udp", labServer, 83, ""),
		probe("reject-udp", "udp", labServer, 84, ""),
		probe("prohibited", "tcp", labServer, 85, ""),
		probe("local-reject", "tcp", labServer, 86, ""),
		probe("no-host-remote", "tcp", "10.199.2.77", 80, ""),
		probe("no-host-local", "tcp", "10.199.1.77", 80, ""),
		probe("dns-on-53", "udp", labServer, 53, ""),
		probe("netprobe-on-53", "udp", labServer, 53, `,"payload":"netprobe","timeoutMs":1200`),
		probe("echo", "udp", labServer, 9000, ""),
	}, ",") + `]}`
	start := time.Now()
	got := lab.probe(t, "c", batch)
	t.Logf("batch took %v", time.Since(start))
	checkLab(t, got, map[string]labWant{
		"open":           {outConnected, byTarget, "", ""},
		"reject-tcp":     {outRefused, byNetwork, "port-unreachable", labRouter},
		"closed-tcp":     {outRefused, byTarget, "", ""},
		"closed-udp":     {outRefused, byTarget, "port-unreachable", labServer},
		"reject-udp":     {outRefused, byNetwork, "port-unreachable", labRouter},
		"prohibited":     {outUnreachable, byNetwork, "admin-prohibited", labRouter},
		"local-reject":   {outError, byLocal, "port-unreachable", labClient},
		"no-host-remote": {outUnreachable, byNetwork, "host-unreachable", labRouter},
		"no-host-local":  {outError, byLocal, "host-unreachable", labClient},
		"dns-on-53":      {outConnected, byTarget, "", ""},
		"netprobe-on-53": {outTimeout, "", "", ""},
		"echo":           {outConnected, byTarget, "", ""},
	})
	if got["dns-on-53"].Spoke != "dns" {
		t.Errorf("dns-on-53 spoke %q", got["dns-on-53"].Spoke)
	}
	if d := got["no-host-local"].Detail; !strings.Contains(d, "own") {
		t.Errorf("no-host-local detail %q does not say the error was the pod's own", d)
	}
}

func TestNoNetworkIsNotADenial(t *testing.T) {
	lab := newNetLab(t)
	got := lab.probe(t, "n", `{"probes":[`+
		`{"id":"tcp","kind":"tcp","host":"`+labServer+`","port":80},`+
		`{"id":"udp","kind":"udp","host":"`+labServer+`","port":9000},`+
		`{"id":"http","kind":"http","url":"http://`+labServer+`/"},`+
		`{"id":"dns","kind":"dns","name":"x.test.","server":"`+labServer+`:53"}]}`)
	for _, id := range []string{"tcp", "udp", "http", "dns"} {
		r := got[id]
		if r.Outcome != outError || r.AnsweredBy != byLocal || r.Errno != "ENETUNREACH" {
			t.Errorf("%s: %+v, want error/local/ENETUNREACH", id, r)
		}
	}
}
