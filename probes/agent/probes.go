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
	"time"
)

// hostServer is the DNS server used to resolve probe hosts given by name ("" = /etc/resolv.conf).
// Tests point it at a loopback server.
var hostServer = ""

// resolveHost resolves host (an IP literal or a name) to one IP. A failed lookup gives a Result with
// outcome dns-failure: the path to the target was never tried, so it must not read as a timeout.
func resolveHost(ctx context.Context, host string) (net.IP, []string, *Result) {
	if ip := net.ParseIP(strings.Trim(host, "[]")); ip != nil {
		return ip, nil, nil
	}
	rec := &wireRecorder{}
	defer rec.close()
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

// failure classifies a failed dial or read on the sockets of w, to target (remote = ip:port).
func failure(err error, remote string, target net.IP, w *errWatch) Result {
	var icmp *icmpReport
	if w != nil {
		icmp = w.first()
	}
	r := classify(err, target, icmp)
	r.Remote = remote
	return r
}

// dialTarget resolves p.Host and dials it with w watching the socket; on failure it returns the
// finished Result instead.
func dialTarget(ctx context.Context, p Spec, network string, w *errWatch) (net.Conn, net.IP, string, []string, *Result) {
	ip, addrs, bad := resolveHost(ctx, p.Host)
	if bad != nil {
		return nil, nil, "", nil, bad
	}
	remote := net.JoinHostPort(ip.String(), strconv.Itoa(p.Port))
	c, err := w.dialer().DialContext(ctx, network, remote)
	if err != nil {
		r := failure(err, remote, ip, w)
		r.Addresses = addrs
		return nil, ip, remote, addrs, &r
	}
	return c, ip, remote, addrs, nil
}

func probeTCP(ctx context.Context, p Spec) Result {
	w := &errWatch{}
	defer w.close()
	c, _, remote, addrs, bad := dialTarget(ctx, p, "tcp", w)
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
	return Result{Outcome: outConnected, AnsweredBy: byTarget, Detail: detail, Remote: remote, Addresses: addrs}
}

// probeUDP sends a datagram on a connected socket and waits for any reply. The datagram is resent
// every 500 ms within the timeout; an ICMP error surfaces as an errno on the socket and, with its
// sender, on the error queue. Without a payload, well-known ports get a request in their protocol
// (udpGreeting), so that a silent answer is not mistaken for a drop.
func probeUDP(ctx context.Context, p Spec) Result {
	w := &errWatch{}
	defer w.close()
	c, ip, remote, addrs, bad := dialTarget(ctx, p, "udp", w)
	if bad != nil {
		return *bad
	}
	defer c.Close()
	payload, spoke := []byte(p.Payload), ""
	if len(payload) == 0 {
		payload, spoke = udpGreeting(p.Port)
	}
	deadline, _ := ctx.Deadline()
	buf := make([]byte, 65535)
	for {
		if _, err := c.Write(payload); err != nil {
			r := failure(err, remote, ip, w)
			r.Addresses, r.Spoke = addrs, spoke
			return r
		}
		next := time.Now().Add(500 * time.Millisecond)
		if next.After(deadline) {
			next = deadline
		}
		c.SetReadDeadline(next)
		n, err := c.Read(buf)
		if err == nil {
			detail := fmt.Sprintf("UDP reply of %d bytes", n)
			if spoke != "" {
				detail += " to a " + spoke + " request"
			}
			return Result{Outcome: outConnected, AnsweredBy: byTarget, Detail: detail, Remote: remote, Addresses: addrs, Spoke: spoke}
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() && time.Now().Before(deadline) {
			continue
		}
		r := failure(err, remote, ip, w)
		r.Addresses, r.Spoke = addrs, spoke
		if r.Outcome == outTimeout {
			r.Detail = "no UDP reply within the timeout (no ICMP error either)"
			if spoke != "" {
				r.Detail = "no reply to a " + spoke + " request within the timeout (no ICMP error either)"
			}
		}
		return r
	}
}

func probeHTTP(ctx context.Context, p Spec) Result {
	var remote string
	var addrs []string
	var dnsBad *Result
	var handshake bool
	var targetIP net.IP
	var mu sync.Mutex
	w := &errWatch{}
	defer w.close()
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
			addrs, remote, targetIP = all, target, ip
			mu.Unlock()
			// The transport may keep dialling after the request gave up: bound the dial itself.
			d := w.dialer()
			d.Deadline = deadline
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
		r := failure(err, remote, targetIP, w)
		r.Addresses = addrs
		if handshake && r.Outcome != outConnected {
			// The TCP path is open; only the HTTP exchange failed. Never report that as a drop.
			r.Outcome, r.AnsweredBy = outError, byTarget
			r.Detail = "TCP connected but the HTTP exchange failed: " + r.Detail
		}
		return r
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return Result{Outcome: outConnected, AnsweredBy: byTarget, Detail: "HTTP " + resp.Status, Remote: remote, HTTPStatus: resp.StatusCode, Addresses: addrs}
}
