package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// All traffic in these tests stays on loopback.

func startEcho(t *testing.T, cfg serveConfig) *server {
	t.Helper()
	cfg.bind = "127.0.0.1"
	s, err := startServer(cfg, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// closedPort returns a loopback TCP or UDP port with nothing listening on it.
func closedPort(t *testing.T, network string) int {
	t.Helper()
	if network == "udp" {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		return pc.LocalAddr().(*net.UDPAddr).Port
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// fullBacklogPort returns a loopback port whose listener never accepts and whose accept queue is
// full: the kernel drops further SYNs, so a connect times out exactly like a policy drop.
func fullBacklogPort(t *testing.T) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, _ := syscall.Getsockname(fd)
	port := sa.(*syscall.SockaddrInet4).Port
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for i := 0; i < 8; i++ {
		c, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
		if err != nil {
			return port // the queue is full now
		}
		t.Cleanup(func() { c.Close() })
	}
	t.Fatal("accept queue never filled")
	return 0
}

func silentUDPPort(t *testing.T) int {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc.LocalAddr().(*net.UDPAddr).Port
}

func spec(js string) Spec {
	b, err := parseBatch([]byte(`{"probes":[` + js + `]}`))
	if err != nil {
		panic(err)
	}
	return b.Probes[0]
}

func run(t *testing.T, js string) Result {
	t.Helper()
	r := runProbe(context.Background(), spec(js))
	t.Logf("%s -> %+v", js, r)
	return r
}

func want(t *testing.T, r Result, outcome string) {
	t.Helper()
	if r.Outcome != outcome {
		t.Fatalf("outcome %q (%s), want %q", r.Outcome, r.Detail, outcome)
	}
}

func TestTCPClassification(t *testing.T) {
	s := startEcho(t, serveConfig{tcp: []int{0}})
	_, port, _ := net.SplitHostPort(s.tcpAddr[0])
	want(t, run(t, `{"id":"a","kind":"tcp","host":"127.0.0.1","port":`+port+`}`), outConnected)

	r := run(t, fmt.Sprintf(`{"id":"b","kind":"tcp","host":"127.0.0.1","port":%d}`, closedPort(t, "tcp")))
	want(t, r, outRefused)
	if r.Errno != "ECONNREFUSED" {
		t.Fatalf("errno %q", r.Errno)
	}

	start := time.Now()
	r = run(t, fmt.Sprintf(`{"id":"c","kind":"tcp","host":"127.0.0.1","port":%d,"timeoutMs":700,"attempts":2,"pauseMs":100}`, fullBacklogPort(t)))
	want(t, r, outTimeout)
	if len(r.Attempts) != 2 || time.Since(start) < 1400*time.Millisecond {
		t.Fatalf("attempts %v after %v", r.Attempts, time.Since(start))
	}
}

func TestAttemptsStopAtFirstConnect(t *testing.T) {
	s := startEcho(t, serveConfig{tcp: []int{0}})
	_, port, _ := net.SplitHostPort(s.tcpAddr[0])
	r := run(t, `{"id":"a","kind":"tcp","host":"127.0.0.1","port":`+port+`,"attempts":5}`)
	want(t, r, outConnected)
	if len(r.Attempts) != 1 {
		t.Fatalf("attempts %v", r.Attempts)
	}
}

func TestUDPClassification(t *testing.T) {
	s := startEcho(t, serveConfig{udp: []int{0}})
	_, port, _ := net.SplitHostPort(s.udpAddr[0])
	want(t, run(t, `{"id":"a","kind":"udp","host":"127.0.0.1","port":`+port+`,"payload":"ping"}`), outConnected)
	want(t, run(t, fmt.Sprintf(`{"id":"b","kind":"udp","host":"127.0.0.1","port":%d}`, closedPort(t, "udp"))), outRefused)
	want(t, run(t, fmt.Sprintf(`{"id":"c","kind":"udp","host":"127.0.0.1","port":%d,"timeoutMs":600}`, silentUDPPort(t))), outTimeout)
}

func TestHTTPAndHTTPS(t *testing.T) {
	s := startEcho(t, serveConfig{tcp: []int{0}, https: []int{0}})
	r := run(t, `{"id":"a","kind":"http","url":"http://`+s.tcpAddr[0]+`/status/418","headers":{"X-Test":"1"}}`)
	want(t, r, outConnected)
	if r.HTTPStatus != 418 || r.Remote != s.tcpAddr[0] {
		t.Fatalf("status %d remote %s", r.HTTPStatus, r.Remote)
	}
	r = run(t, `{"id":"b","kind":"http","url":"https://`+s.tlsAddr[0]+`/","insecure":true,"method":"post","body":"x"}`)
	want(t, r, outConnected)
	if r.HTTPStatus != 200 {
		t.Fatalf("status %d", r.HTTPStatus)
	}
	// Certificate not trusted: the TCP path is open, so this is an error, never a timeout.
	want(t, run(t, `{"id":"c","kind":"http","url":"https://`+s.tlsAddr[0]+`/"}`), outError)
	want(t, run(t, fmt.Sprintf(`{"id":"d","kind":"http","url":"http://127.0.0.1:%d/"}`, closedPort(t, "tcp"))), outRefused)
	want(t, run(t, fmt.Sprintf(`{"id":"e","kind":"http","url":"http://127.0.0.1:%d/","timeoutMs":500}`, fullBacklogPort(t))), outTimeout)
}

func TestEchoServerEchoesAndAnswersJSON(t *testing.T) {
	s := startEcho(t, serveConfig{tcp: []int{0}})
	c, err := net.Dial("tcp", s.tcpAddr[0])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("hello netprobe\n"))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || line != "hello netprobe\n" {
		t.Fatalf("echo %q %v", line, err)
	}

	t.Setenv("POD_NAME", "web-1")
	t.Setenv("POD_NAMESPACE", "shop")
	s2 := startEcho(t, serveConfig{tcp: []int{0}})
	c2, err := net.Dial("tcp", s2.tcpAddr[0])
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	fmt.Fprintf(c2, "GET /some/path HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	all, _ := io.ReadAll(c2)
	body := all[bytes.Index(all, []byte("\r\n\r\n"))+4:]
	var m map[string]string
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("%v: %s", err, all)
	}
	if m["pod"] != "web-1" || m["namespace"] != "shop" || m["path"] != "/some/path" || !strings.HasPrefix(m["client"], "127.0.0.1:") {
		t.Fatalf("body %v", m)
	}
}

func TestDNS(t *testing.T) {
	s := startEcho(t, serveConfig{udp: []int{0}, dnsA: []net.IP{net.ParseIP("192.0.2.10")}, dnsAAAA: []net.IP{net.ParseIP("2001:db8::10")}})
	srv := s.udpAddr[0]
	r := run(t, `{"id":"a","kind":"dns","name":"external.netprobe.test.","server":"`+srv+`"}`)
	want(t, r, outConnected)
	if len(r.Addresses) != 1 || r.Addresses[0] != "192.0.2.10" {
		t.Fatalf("addresses %v", r.Addresses)
	}
	r = run(t, `{"id":"b","kind":"dns","name":"external.netprobe.test.","server":"`+srv+`","qtype":"AAAA"}`)
	want(t, r, outConnected)
	if r.Addresses[0] != "2001:db8::10" {
		t.Fatalf("addresses %v", r.Addresses)
	}
	// NXDOMAIN is the server's answer: the path to it is open.
	r = run(t, `{"id":"c","kind":"dns","name":"nothing.invalid.","server":"`+srv+`"}`)
	want(t, r, outConnected)
	if r.Rcode != "NXDOMAIN" || r.AnsweredBy != byTarget {
		t.Fatalf("rcode %q answeredBy %q", r.Rcode, r.AnsweredBy)
	}
	want(t, run(t, fmt.Sprintf(`{"id":"d","kind":"dns","name":"x.test.","server":"127.0.0.1:%d","timeoutMs":800}`, silentUDPPort(t))), outTimeout)
	want(t, run(t, fmt.Sprintf(`{"id":"e","kind":"dns","name":"x.test.","server":"127.0.0.1:%d"}`, closedPort(t, "udp"))), outRefused)
}

// servfailServer answers every datagram that parses as a DNS query with SERVFAIL.
func servfailServer(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if q, ok := parseDNSQuery(buf[:n]); ok {
				resp := dnsAnswer(q, nil, nil)
				resp[3] = resp[3]&0xF0 | 2
				pc.WriteTo(resp, from)
			}
		}
	}()
	return pc.LocalAddr().String()
}

func TestDNSServerThatSaysNoStillAnswered(t *testing.T) {
	r := run(t, `{"id":"a","kind":"dns","name":"x.test.","server":"`+servfailServer(t)+`"}`)
	want(t, r, outConnected)
	if r.Rcode != "SERVFAIL" || !strings.Contains(r.Detail, "SERVFAIL") {
		t.Fatalf("rcode %q detail %q", r.Rcode, r.Detail)
	}
}

func TestDNSNameFromEtcHostsProvesNothing(t *testing.T) {
	hosts, err := os.ReadFile("/etc/hosts")
	if err != nil || !strings.Contains(string(hosts), "localhost") {
		t.Skip("no localhost in /etc/hosts")
	}
	// The server is silent: an answer can only have come from /etc/hosts.
	r := run(t, fmt.Sprintf(`{"id":"a","kind":"dns","name":"localhost","server":"127.0.0.1:%d","timeoutMs":500}`, silentUDPPort(t)))
	want(t, r, outError)
	if r.AnsweredBy != byLocal || !strings.Contains(r.Detail, "/etc/hosts") {
		t.Fatalf("answeredBy %q detail %q", r.AnsweredBy, r.Detail)
	}
}

func TestAttemptsKeepEvidence(t *testing.T) {
	res := func(outcomes ...string) []Result {
		var out []Result
		for _, o := range outcomes {
			out = append(out, Result{Outcome: o, Detail: o + " detail"})
		}
		return out
	}
	for _, c := range []struct {
		attempts []string
		want     string
	}{
		{[]string{outError, outRefused}, outError},
		{[]string{outRefused, outError}, outError},
		{[]string{outDNSFailure, outTimeout}, outError},
		{[]string{outTimeout, outRefused}, outRefused},
		{[]string{outRefused, outTimeout}, outRefused},
		{[]string{outTimeout, outTimeout}, outTimeout},
		{[]string{outError, outConnected}, outConnected},
		{[]string{outTimeout, outConnected}, outConnected},
		{[]string{outError, outError}, outError},
	} {
		r := aggregate(res(c.attempts...))
		if r.Outcome != c.want || len(r.Attempts) != len(c.attempts) {
			t.Errorf("%v -> %s %v, want %s", c.attempts, r.Outcome, r.Attempts, c.want)
		}
		if c.want == outError && c.attempts[0] != c.attempts[1] && !strings.Contains(r.Detail, "attempts disagree") {
			t.Errorf("%v: detail %q does not say the attempts disagree", c.attempts, r.Detail)
		}
	}
}

// Every errno is classified; only a reset and the kernel's own give-up read as answers from the path.
func TestEveryErrnoIsClassified(t *testing.T) {
	for e := syscall.Errno(1); e < 4096; e++ {
		o, by, meaning := classifyErrno(e)
		if meaning == "" {
			t.Fatalf("%v: no meaning", e)
		}
		switch e {
		case syscall.ECONNREFUSED:
			if o != outRefused || by != byTarget {
				t.Errorf("ECONNREFUSED -> %s/%s", o, by)
			}
		case syscall.ETIMEDOUT:
			if o != outTimeout {
				t.Errorf("ETIMEDOUT -> %s", o)
			}
		default:
			if o != outError {
				t.Errorf("%s -> %s: without an ICMP from the network it is no answer", errnoName(e), o)
			}
		}
	}
	for _, e := range []syscall.Errno{syscall.ENETUNREACH, syscall.EHOSTUNREACH, syscall.EADDRNOTAVAIL, syscall.EACCES, syscall.EPERM, syscall.EINVAL} {
		if _, by, _ := classifyErrno(e); by != byLocal {
			t.Errorf("%s is not local", errnoName(e))
		}
	}
}

func TestUDPGreetings(t *testing.T) {
	payload, spoke := udpGreeting(53)
	q, ok := parseDNSQuery(payload)
	if !ok || spoke != "dns" || q.qtype != dnsTypeSOA {
		t.Fatalf("port 53: %q %v %+v", spoke, ok, q)
	}
	if payload, spoke := udpGreeting(123); spoke != "ntp" || len(payload) != 48 || payload[0]&7 != 3 {
		t.Fatalf("port 123: %q %x", spoke, payload)
	}
	if payload, spoke := udpGreeting(9000); spoke != "" || string(payload) != "netprobe" {
		t.Fatalf("port 9000: %q %q", spoke, payload)
	}
	for conf, want := range map[string]string{
		"search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\n": "cluster.local.",
		"nameserver 10.0.0.2\nsearch a.svc.k8s.example. svc.k8s.example.\n":                      "k8s.example.",
		"nameserver 1.1.1.1\n": "cluster.local.",
	} {
		if got := clusterDomain(conf); got != want {
			t.Errorf("clusterDomain(%q) = %q, want %q", conf, got, want)
		}
	}
}

func TestHostByNameThatDoesNotResolve(t *testing.T) {
	s := startEcho(t, serveConfig{udp: []int{0}, dnsA: []net.IP{net.ParseIP("127.0.0.1")}})
	old := hostServer
	hostServer = s.udpAddr[0]
	defer func() { hostServer = old }()
	want(t, run(t, `{"id":"a","kind":"tcp","host":"gone.invalid.","port":80}`), outDNSFailure)
	want(t, run(t, `{"id":"b","kind":"http","url":"http://gone.invalid./"}`), outDNSFailure)
	// A name that resolves (to 127.0.0.1) is then dialled.
	r := run(t, fmt.Sprintf(`{"id":"c","kind":"tcp","host":"svc.test.","port":%d}`, closedPort(t, "tcp")))
	want(t, r, outRefused)
	if len(r.Addresses) != 1 || r.Addresses[0] != "127.0.0.1" {
		t.Fatalf("addresses %v", r.Addresses)
	}
	// DNS itself dropped: the target was never tried, so dns-failure, not timeout.
	hostServer = fmt.Sprintf("127.0.0.1:%d", silentUDPPort(t))
	want(t, run(t, `{"id":"d","kind":"tcp","host":"svc.test.","port":80,"timeoutMs":500}`), outDNSFailure)
}

func TestSCTPReportsErrorWithoutKernelSupport(t *testing.T) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, syscall.IPPROTO_SCTP)
	if err == nil {
		syscall.Close(fd)
		r := run(t, fmt.Sprintf(`{"id":"a","kind":"sctp","host":"127.0.0.1","port":%d}`, closedPort(t, "tcp")))
		want(t, r, outRefused)
		return
	}
	r := run(t, `{"id":"a","kind":"sctp","host":"127.0.0.1","port":9}`)
	want(t, r, outError)
	if !strings.Contains(r.Detail, "SCTP") {
		t.Fatalf("detail %q", r.Detail)
	}
}

func TestBatchRunsConcurrentlyInCompletionOrder(t *testing.T) {
	s := startEcho(t, serveConfig{tcp: []int{0}})
	blackhole := fullBacklogPort(t)
	silent := silentUDPPort(t)
	var probes []string
	for i := 0; i < 5; i++ {
		probes = append(probes, fmt.Sprintf(`{"id":"tcp%d","kind":"tcp","host":"127.0.0.1","port":%d}`, i, blackhole))
		probes = append(probes, fmt.Sprintf(`{"id":"udp%d","kind":"udp","host":"127.0.0.1","port":%d}`, i, silent))
	}
	_, port, _ := net.SplitHostPort(s.tcpAddr[0])
	probes = append(probes, `{"id":"fast","kind":"tcp","host":"127.0.0.1","port":`+port+`}`)
	batch := `{"timeoutMs":1000,"probes":[` + strings.Join(probes, ",") + `]}`
	var out, errOut bytes.Buffer
	start := time.Now()
	if code := cmdProbe([]string{"--batch", "-"}, strings.NewReader(batch), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	elapsed := time.Since(start)
	if elapsed > 3*time.Second {
		t.Fatalf("10 probes of 1 s took %v: not concurrent", elapsed)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 11 {
		t.Fatalf("%d lines: %s", len(lines), out.String())
	}
	var first Result
	json.Unmarshal([]byte(lines[0]), &first)
	if first.ID != "fast" || first.Outcome != outConnected {
		t.Fatalf("first line %s", lines[0])
	}
	for _, l := range lines[1:] {
		var r Result
		if err := json.Unmarshal([]byte(l), &r); err != nil || r.Outcome != outTimeout {
			t.Fatalf("line %s", l)
		}
	}
	t.Logf("10 timeouts of 1 s in %v", elapsed)
}

func TestMalformedBatches(t *testing.T) {
	for _, b := range []string{
		`not json`,
		`{"probes":[]}`,
		`{"probes":[{"id":"a","kind":"tcp","host":"h","port":80,"tiemoutMs":5}]}`,
		`{"probes":[{"id":"a","kind":"tcp","host":"h","port":80},{"id":"a","kind":"tcp","host":"h","port":81}]}`,
		`{"probes":[{"id":"a","kind":"icmp","host":"h"}]}`,
		`{"probes":[{"id":"a","kind":"tcp","host":"h"}]}`,
		`{"probes":[{"id":"a","kind":"http","url":"ftp://x/"}]}`,
		`{"probes":[{"id":"a","kind":"dns","name":"x","qtype":"MX"}]}`,
		`{"probes":[{"kind":"dns","name":"x"}]}`,
	} {
		var out, errOut bytes.Buffer
		if code := cmdProbe([]string{"--batch", b}, nil, &out, &errOut); code == 0 || out.Len() != 0 {
			t.Errorf("%s: exit %d, out %q", b, code, out.String())
		}
	}
}

func TestCheck(t *testing.T) {
	s := startEcho(t, serveConfig{tcp: []int{0}, udp: []int{0}})
	_, tp, _ := net.SplitHostPort(s.tcpAddr[0])
	_, up, _ := net.SplitHostPort(s.udpAddr[0])
	tport, _ := strconv.Atoi(tp)
	uport, _ := strconv.Atoi(up)
	if err := checkPorts([]int{tport}, []int{uport}, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := checkPorts([]int{closedPort(t, "tcp")}, nil, time.Second); err == nil {
		t.Fatal("closed TCP port passed")
	}
	if err := checkPorts(nil, []int{closedPort(t, "udp")}, time.Second); err == nil {
		t.Fatal("closed UDP port passed")
	}
}

func TestDNSParserIgnoresEchoPayloads(t *testing.T) {
	for _, p := range []string{"netprobe", "hello world\n", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", strings.Repeat("\x00", 40)} {
		if _, ok := parseDNSQuery([]byte(p)); ok {
			t.Errorf("%q parsed as DNS", p)
		}
	}
}

func TestStopFindsOnlySleepsWithItsToken(t *testing.T) {
	argv := func(args ...string) [][]byte {
		out := make([][]byte, len(args))
		for i, a := range args {
			out[i] = []byte(a)
		}
		return out
	}
	cases := []struct {
		argv [][]byte
		want bool
	}{
		{argv("/usr/local/bin/netprobe-agent", "sleep", "--for", "15m", "--token", "abc123"), true},
		{argv("netprobe-agent", "sleep", "--token=abc123"), true},
		{argv("/usr/local/bin/netprobe-agent", "sleep", "--token", "other"), false},
		{argv("/usr/local/bin/netprobe-agent", "sleep"), false},
		{argv("/usr/local/bin/netprobe-agent", "probe", "--token", "abc123"), false},
		{argv("/bin/sh", "sleep", "--token", "abc123"), false},
		{argv("/usr/local/bin/netprobe-agent", "sleep", "--token"), false},
	}
	for _, c := range cases {
		if got := isSleeper(c.argv, "abc123"); got != c.want {
			t.Errorf("isSleeper(%q) = %v, want %v", c.argv, got, c.want)
		}
	}
}

func TestSleepEndsAfterFor(t *testing.T) {
	start := time.Now()
	if code := cmdSleep([]string{"--for", "50ms", "--token", "x"}); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if time.Since(start) < 50*time.Millisecond {
		t.Fatal("sleep ended before --for")
	}
}
