package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

type serveConfig struct {
	tcp, udp, https []int
	bind            string
	dnsA, dnsAAAA   []net.IP
}

// server is a running echo server; addrs lists "proto/addr" of every bound socket.
type server struct {
	cfg     serveConfig
	log     *log.Logger
	closers []io.Closer
	addrs   []string
	tcpAddr map[int]string // configured port -> bound address (differs when port 0 was asked)
	udpAddr map[int]string
	tlsAddr map[int]string
	wg      sync.WaitGroup
}

func parsePorts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 || n > 65535 {
			return nil, fmt.Errorf("bad port %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func parseIPs(s string) ([]net.IP, error) {
	var out []net.IP
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		ip := net.ParseIP(f)
		if ip == nil {
			return nil, fmt.Errorf("bad IP %q", f)
		}
		out = append(out, ip)
	}
	return out, nil
}

// portFlags registers --tcp/--udp/--https, defaulting to the ECHO_* environment.
func portFlags(fs *flag.FlagSet) (tcp, udp, https *string) {
	tcp = fs.String("tcp", os.Getenv("ECHO_TCP"), "TCP ports, comma separated (env ECHO_TCP)")
	udp = fs.String("udp", os.Getenv("ECHO_UDP"), "UDP ports (env ECHO_UDP)")
	https = fs.String("https", os.Getenv("ECHO_HTTPS"), "HTTPS ports (env ECHO_HTTPS)")
	return
}

func cmdServe(args []string) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	tcp, udp, https := portFlags(fs)
	bind := fs.String("bind", os.Getenv("ECHO_BIND"), "address to bind (default: all)")
	dnsA := fs.String("dns-a", os.Getenv("ECHO_DNS_A"), "IPv4 answers to DNS A queries (default: POD_IP or the first non-loopback IPv4)")
	dnsAAAA := fs.String("dns-aaaa", os.Getenv("ECHO_DNS_AAAA"), "IPv6 answers to DNS AAAA queries")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var cfg serveConfig
	var err error
	for _, x := range []struct {
		s   string
		dst *[]int
	}{{*tcp, &cfg.tcp}, {*udp, &cfg.udp}, {*https, &cfg.https}} {
		if *x.dst, err = parsePorts(x.s); err != nil {
			fmt.Fprintln(os.Stderr, "netprobe-agent serve:", err)
			return 2
		}
	}
	if cfg.dnsA, err = parseIPs(*dnsA); err == nil {
		cfg.dnsAAAA, err = parseIPs(*dnsAAAA)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "netprobe-agent serve:", err)
		return 2
	}
	if len(cfg.dnsA) == 0 {
		cfg.dnsA = defaultIPv4()
	}
	if len(cfg.tcp)+len(cfg.udp)+len(cfg.https) == 0 {
		cfg.tcp = []int{8080}
	}
	cfg.bind = *bind
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	logger := log.New(os.Stderr, "", log.LstdFlags|log.LUTC)
	s, err := startServer(cfg, logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, "netprobe-agent serve:", err)
		return 1
	}
	logger.Printf("serving %s (pod %s/%s, version %s)", strings.Join(s.addrs, " "), os.Getenv("POD_NAMESPACE"), os.Getenv("POD_NAME"), version)
	<-ctx.Done()
	logger.Printf("signal received, stopping")
	s.Close()
	return 0
}

func defaultIPv4() []net.IP {
	if ip := net.ParseIP(os.Getenv("POD_IP")); ip != nil && ip.To4() != nil {
		return []net.IP{ip}
	}
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return []net.IP{n.IP}
		}
	}
	return []net.IP{net.IPv4(127, 0, 0, 1)}
}

func startServer(cfg serveConfig, logger *log.Logger) (*server, error) {
	s := &server{cfg: cfg, log: logger, tcpAddr: map[int]string{}, udpAddr: map[int]string{}, tlsAddr: map[int]string{}}
	fail := func(err error) (*server, error) { s.Close(); return nil, err }
	handler := s.httpHandler()
	for _, port := range cfg.tcp {
		ln, err := net.Listen("tcp", net.JoinHostPort(cfg.bind, strconv.Itoa(port)))
		if err != nil {
			return fail(err)
		}
		s.tcpAddr[port] = ln.Addr().String()
		s.track(ln, "tcp/"+ln.Addr().String())
		httpLn := &connListener{ch: make(chan net.Conn), done: make(chan struct{}), addr: ln.Addr()}
		hs := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
		s.track(httpLn, "")
		s.spawn(func() { hs.Serve(httpLn) })
		s.spawn(func() { s.acceptTCP(ln, httpLn) })
	}
	if len(cfg.https) > 0 {
		cert, err := selfSignedCert()
		if err != nil {
			return fail(err)
		}
		for _, port := range cfg.https {
			ln, err := net.Listen("tcp", net.JoinHostPort(cfg.bind, strconv.Itoa(port)))
			if err != nil {
				return fail(err)
			}
			s.tlsAddr[port] = ln.Addr().String()
			s.track(ln, "https/"+ln.Addr().String())
			tln := tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
			hs := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
			s.spawn(func() { hs.Serve(tln) })
		}
	}
	for _, port := range cfg.udp {
		pc, err := net.ListenPacket("udp", net.JoinHostPort(cfg.bind, strconv.Itoa(port)))
		if err != nil {
			return fail(err)
		}
		s.udpAddr[port] = pc.LocalAddr().String()
		s.track(pc, "udp/"+pc.LocalAddr().String())
		s.spawn(func() { s.serveUDP(pc) })
	}
	return s, nil
}

func (s *server) track(c io.Closer, name string) {
	s.closers = append(s.closers, c)
	if name != "" {
		s.addrs = append(s.addrs, name)
	}
}

func (s *server) spawn(f func()) {
	s.wg.Add(1)
	go func() { defer s.wg.Done(); f() }()
}

// Close stops every listener and waits (briefly) for the accept loops to end.
func (s *server) Close() {
	for _, c := range s.closers {
		c.Close()
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
	}
}

// connListener hands sniffed HTTP connections of a plain TCP port to an http.Server.
type connListener struct {
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
	addr net.Addr
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error   { l.once.Do(func() { close(l.done) }); return nil }
func (l *connListener) Addr() net.Addr { return l.addr }

// peekedConn is a connection whose first bytes were read into a bufio.Reader.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(b []byte) (int, error) { return c.r.Read(b) }

var httpMethods = []string{"GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "}

// sniffHTTP says whether b starts like an HTTP request line: 1 yes, 0 no, -1 need more bytes.
func sniffHTTP(b []byte) int {
	for _, m := range httpMethods {
		n := min(len(b), len(m))
		if string(b[:n]) == m[:n] {
			if n == len(m) {
				return 1
			}
			return -1
		}
	}
	return 0
}

func (s *server) acceptTCP(ln net.Listener, httpLn *connListener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(50 * time.Millisecond)
			continue
		}
		go s.handleTCP(c, httpLn)
	}
}

func (s *server) handleTCP(c net.Conn, httpLn *connListener) {
	local, client := c.LocalAddr().String(), c.RemoteAddr().String()
	br := bufio.NewReaderSize(c, 4096)
	c.SetReadDeadline(time.Now().Add(5 * time.Minute))
	kind := "echo"
	for want := 1; ; want++ {
		b, err := br.Peek(want)
		if err != nil {
			if len(b) == 0 {
				s.log.Printf("tcp %s <- %s: closed without data", local, client)
				c.Close()
				return
			}
			break
		}
		if want = br.Buffered(); want > 8 {
			want = 8
		}
		b, _ = br.Peek(want)
		if v := sniffHTTP(b); v == 1 {
			kind = "http"
			break
		} else if v == 0 {
			break
		}
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
	}
	c.SetReadDeadline(time.Time{})
	if kind == "http" {
		select {
		case httpLn.ch <- &peekedConn{Conn: c, r: br}:
		case <-httpLn.done:
			c.Close()
		}
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Minute))
	n, _ := io.Copy(c, br)
	s.log.Printf("tcp %s <- %s: echoed %d bytes", local, client, n)
}

func (s *server) serveUDP(pc net.PacketConn) {
	buf := make([]byte, 65535)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if q, ok := parseDNSQuery(buf[:n]); ok {
			v4, v6 := s.cfg.dnsA, s.cfg.dnsAAAA
			pc.WriteTo(dnsAnswer(q, v4, v6), from)
			s.log.Printf("udp %s <- %s: DNS query %s type %d answered", pc.LocalAddr(), from, q.name, q.qtype)
			continue
		}
		pc.WriteTo(buf[:n], from)
		s.log.Printf("udp %s <- %s: echoed %d bytes", pc.LocalAddr(), from, n)
	}
}

func (s *server) httpHandler() http.Handler {
	host, _ := os.Hostname()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := http.StatusOK
		if rest, ok := strings.CutPrefix(r.URL.Path, "/status/"); ok {
			if n, err := strconv.Atoi(rest); err == nil && n >= 200 && n <= 599 {
				status = n
			}
		}
		local := ""
		if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
			local = a.String()
		}
		proto := "http"
		if r.TLS != nil {
			proto = "https"
		}
		body, _ := json.Marshal(map[string]string{
			"pod": os.Getenv("POD_NAME"), "namespace": os.Getenv("POD_NAMESPACE"), "hostname": host,
			"method": r.Method, "path": r.URL.Path, "host": r.Host, "client": r.RemoteAddr,
			"local": local, "proto": proto,
		})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(append(body, '\n'))
		s.log.Printf("%s %s <- %s: %s %s %d", proto, local, r.RemoteAddr, r.Method, r.URL.Path, status)
	})
}
