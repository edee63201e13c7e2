package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// errnoRecorder keeps the first errno seen on the sockets of one lookup, so that a DNS probe can
// tell "refused" and "unreachable" from a plain timeout (the resolver's own error keeps only text).
type errnoRecorder struct {
	mu    sync.Mutex
	errno syscall.Errno
}

func (r *errnoRecorder) note(err error) {
	var en syscall.Errno
	if err != nil && errors.As(err, &en) {
		r.mu.Lock()
		if r.errno == 0 {
			r.errno = en
		}
		r.mu.Unlock()
	}
}

func (r *errnoRecorder) get() syscall.Errno {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.errno
}

// Wrappers keep the concrete type's methods (the resolver treats a net.PacketConn as UDP).
type recUDPConn struct {
	*net.UDPConn
	rec *errnoRecorder
}

func (c recUDPConn) Read(b []byte) (int, error) {
	n, err := c.UDPConn.Read(b)
	c.rec.note(err)
	return n, err
}

func (c recUDPConn) Write(b []byte) (int, error) {
	n, err := c.UDPConn.Write(b)
	c.rec.note(err)
	return n, err
}

type recTCPConn struct {
	*net.TCPConn
	rec *errnoRecorder
}

func (c recTCPConn) Read(b []byte) (int, error) {
	n, err := c.TCPConn.Read(b)
	c.rec.note(err)
	return n, err
}

// newResolver returns a pure-Go resolver that talks to server (ip:port) if given, else to the
// servers of /etc/resolv.conf, recording errnos in rec.
func newResolver(server string, rec *errnoRecorder) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			if server != "" {
				address = server
			}
			var d net.Dialer
			c, err := d.DialContext(ctx, network, address)
			rec.note(err)
			if err != nil {
				return nil, err
			}
			switch cc := c.(type) {
			case *net.UDPConn:
				return recUDPConn{cc, rec}, nil
			case *net.TCPConn:
				return recTCPConn{cc, rec}, nil
			}
			return c, nil
		},
	}
}

// hostServer is the DNS server used to resolve probe hosts given by name ("" = /etc/resolv.conf).
// Tests point it at a loopback server.
var hostServer = ""

// resolveHost resolves host (an IP literal or a name) to one IP. A failed lookup gives a Result with
// outcome dns-failure: the path to the target was never tried, so it must not read as a timeout.
func resolveHost(ctx context.Context, host string) (net.IP, []string, *Result) {
	if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil {
		return ip, nil, nil
	}
	rec := &errnoRecorder{}
	addrs, err := newResolver(hostServer, rec).LookupIPAddr(ctx, host)
	if err == nil && len(addrs) == 0 {
		err = &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	if err != nil {
		detail := "cannot resolve " + host + ": " + err.Error()
		if en := rec.get(); en != 0 {
			detail += " (" + errnoName(en) + ")"
		}
		return nil, nil, &Result{Outcome: outDNSFailure, Detail: detail}
	}
	var all []string
	for _, a := range addrs {
		all = append(all, a.IP.String())
	}
	// Prefer IPv4 when both families answer: pod networks are IPv4 first in most clusters.
	for _, a := range addrs {
		if a.IP.To4() != nil {
			return a.IP, all, nil
		}
	}
	return addrs[0].IP, all, nil
}

func failure(err error, remote string) Result {
	o, en, d := classify(err)
	return Result{Outcome: o, Errno: en, Detail: d, Remote: remote}
}

// dialTarget resolves p.Host and dials it; on failure it returns the finished Result instead.
func dialTarget(ctx context.Context, p Spec, network string) (net.Conn, string, []string, *Result) {
	ip, addrs, bad := resolveHost(ctx, p.Host)
	if bad != nil {
		return nil, "", nil, bad
	}
	remote := net.JoinHostPort(ip.String(), strconv.Itoa(p.Port))
	var d net.Dialer
	c, err := d.DialContext(ctx, network, remote)
	if err != nil {
		r := failure(err, remote)
		r.Addresses = addrs
		return nil, remote, addrs, &r
	}
	return c, remote, addrs, nil
}

func probeTCP(ctx context.Context, p Spec) Result {
	c, remote, addrs, bad := dialTarget(ctx, p, "tcp")
	if bad != nil {
		return *bad
	}
	defer c.Close()
	detail := "TCP handshake completed"
	if p.Payload != "" {
		if dl, ok := ctx.Deadline(); ok {
			c.SetDeadline(dl)
		}
		if _, err := io.WriteString(c, p.Payload); err == nil {
			buf := make([]byte, 512)
			if n, err := c.Read(buf); n > 0 {
				detail += fmt.Sprintf("; %d bytes answered", n)
			} else if err != nil {
				detail += "; no answer to the payload: " + err.Error()
			}
		}
	}
	return Result{Outcome: outConnected, Detail: detail, Remote: remote, Addresses: addrs}
}

// probeUDP sends a datagram on a connected socket and waits for any reply. The datagram is resent
// every 500 ms within the timeout; an ICMP port unreachable surfaces as ECONNREFUSED on the socket.
func probeUDP(ctx context.Context, p Spec) Result {
	c, remote, addrs, bad := dialTarget(ctx, p, "udp")
	if bad != nil {
		return *bad
	}
	defer c.Close()
	payload := []byte(p.Payload)
	if len(payload) == 0 {
		payload = []byte("netprobe")
	}
	deadline, _ := ctx.Deadline()
	buf := make([]byte, 65535)
	for {
		if _, err := c.Write(payload); err != nil {
			return failure(err, remote)
		}
		next := time.Now().Add(500 * time.Millisecond)
		if next.After(deadline) {
			next = deadline
		}
		c.SetReadDeadline(next)
		n, err := c.Read(buf)
		if err == nil {
			r := Result{Outcome: outConnected, Detail: fmt.Sprintf("UDP reply of %d bytes", n), Remote: remote, Addresses: addrs}
			return r
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() && time.Now().Before(deadline) {
			continue
		}
		r := failure(err, remote)
		if r.Outcome == outTimeout {
			r.Detail = "no UDP reply within the timeout (no ICMP error either)"
		}
		return r
	}
}

func probeHTTP(ctx context.Context, p Spec) Result {
	var remote string
	var addrs []string
	var dnsBad *Result
	var handshake bool
	var mu sync.Mutex
	deadline, _ := ctx.Deadline()
	tr := &http.Transport{
		Proxy:             nil,
		DisableKeepAlives: true,
		TLSClientConfig:   &tls.Config{InsecureSkipVerify: p.Insecure},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			ip, all, bad := resolveHost(ctx, host)
			if bad != nil {
				mu.Lock()
				dnsBad = bad
				mu.Unlock()
				return nil, errors.New(bad.Detail)
			}
			target := net.JoinHostPort(ip.String(), port)
			mu.Lock()
			addrs, remote = all, target
			mu.Unlock()
			// The transport may keep dialling after the request gave up: bound the dial itself.
			d := net.Dialer{Deadline: deadline}
			c, err := d.DialContext(ctx, network, target)
			if err == nil {
				mu.Lock()
				handshake = true
				mu.Unlock()
			}
			return c, err
		},
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	var body io.Reader
	if p.Body != "" {
		body = strings.NewReader(p.Body)
	}
	req, err := http.NewRequestWithContext(ctx, p.Method, p.URL, body)
	if err != nil {
		return Result{Outcome: outError, Detail: "bad request: " + err.Error()}
	}
	req.Header.Set("User-Agent", "netprobe-agent/"+version)
	for k, v := range p.Headers {
		if strings.EqualFold(k, "Host") {
			req.Host = v
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := client.Do(req)
	mu.Lock()
	defer mu.Unlock()
	if err != nil {
		if dnsBad != nil {
			return *dnsBad
		}
		r := failure(err, remote)
		r.Addresses = addrs
		if handshake && r.Outcome != outConnected {
			// The TCP path is open; only the HTTP exchange failed. Never report that as a drop.
			r.Outcome = outError
			r.Detail = "TCP connected but the HTTP exchange failed: " + r.Detail
		}
		return r
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return Result{Outcome: outConnected, Detail: "HTTP " + resp.Status, Remote: remote, HTTPStatus: resp.StatusCode, Addresses: addrs}
}

func probeDNS(ctx context.Context, p Spec) Result {
	rec := &errnoRecorder{}
	server := p.Server
	if server != "" {
		if _, _, err := net.SplitHostPort(server); err != nil {
			server = net.JoinHostPort(strings.Trim(server, "[]"), "53")
		}
	}
	res := newResolver(server, rec)
	var addrs []string
	var err error
	switch p.QType {
	case "A", "AAAA", "ANY":
		network := map[string]string{"A": "ip4", "AAAA": "ip6", "ANY": "ip"}[p.QType]
		var ips []net.IP
		ips, err = res.LookupIP(ctx, network, p.Name)
		for _, ip := range ips {
			addrs = append(addrs, ip.String())
		}
	case "SRV":
		var srvs []*net.SRV
		_, srvs, err = res.LookupSRV(ctx, "", "", p.Name)
		for _, s := range srvs {
			addrs = append(addrs, net.JoinHostPort(strings.TrimSuffix(s.Target, "."), strconv.Itoa(int(s.Port))))
		}
	case "CNAME":
		var cname string
		cname, err = res.LookupCNAME(ctx, p.Name)
		if err == nil {
			addrs = []string{cname}
		}
	case "TXT":
		addrs, err = res.LookupTXT(ctx, p.Name)
	}
	if err == nil && len(addrs) == 0 {
		err = &net.DNSError{Err: "no answer", Name: p.Name, IsNotFound: true}
	}
	r := Result{Remote: server, Addresses: addrs}
	var de *net.DNSError
	if errors.As(err, &de) {
		// The resolver's own text names the resolv.conf server even when another one was used.
		via := server
		if via == "" {
			via = "the resolv.conf servers"
		}
		err = fmt.Errorf("lookup %s via %s: %s", p.Name, via, de.Err)
		err = &wrappedDNSError{de, err}
	}
	switch {
	case err == nil:
		r.Outcome, r.Detail = outConnected, fmt.Sprintf("%d answers", len(addrs))
	case errors.As(err, &de) && de.IsNotFound:
		r.Outcome, r.Detail = outDNSFailure, "name not found (NXDOMAIN or no answer): "+err.Error()
	case rec.get() != 0:
		en := rec.get()
		o, ok := classifyErrno(en)
		if !ok {
			o = outError
		}
		r.Outcome, r.Errno, r.Detail = o, errnoName(en), errnoName(en)+" talking to the DNS server: "+err.Error()
	case errors.As(err, &de) && de.IsTimeout, errors.Is(err, context.DeadlineExceeded):
		r.Outcome, r.Detail = outTimeout, "no answer from the DNS server: "+err.Error()
	case errors.As(err, &de):
		r.Outcome, r.Detail = outDNSFailure, "the DNS server failed (SERVFAIL or refused query): "+err.Error()
	default:
		r.Outcome, r.Detail = outError, err.Error()
	}
	return r
}

// wrappedDNSError rewords a *net.DNSError while keeping it reachable with errors.As.
type wrappedDNSError struct {
	de  *net.DNSError
	msg error
}

func (w *wrappedDNSError) Error() string { return w.msg.Error() }
func (w *wrappedDNSError) Unwrap() error { return w.de }
