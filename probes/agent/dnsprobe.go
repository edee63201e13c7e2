package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// wireRecorder watches the sockets of one lookup: the first errno, whether any DNS response came
// back over the network and its rcode, and (through errWatch) the ICMP errors queued on them. The
// resolver's own error keeps only text, and a name from /etc/hosts never touches a socket.
type wireRecorder struct {
	errWatch
	lock     sync.Mutex
	dialled  net.IP // the first server address dialled
	errno    syscall.Errno
	answered bool
	rcode    int // of the last UDP response; -1 when only TCP responses came
}

func (r *wireRecorder) note(err error) {
	var en syscall.Errno
	if err != nil && errors.As(err, &en) {
		r.lock.Lock()
		if r.errno == 0 {
			r.errno = en
		}
		r.lock.Unlock()
	}
}

func (r *wireRecorder) noteDial(address string) {
	host, _, _ := net.SplitHostPort(address)
	r.lock.Lock()
	if r.dialled == nil {
		r.dialled = net.ParseIP(host)
	}
	r.lock.Unlock()
}

// noteResponse records a DNS message read from the server (QR bit set).
func (r *wireRecorder) noteResponse(b []byte, udp bool) {
	r.lock.Lock()
	defer r.lock.Unlock()
	if !udp {
		r.answered, r.rcode = true, -1
		return
	}
	if len(b) >= 4 && b[2]&0x80 != 0 {
		r.answered, r.rcode = true, int(b[3]&0x0F)
	}
}

func (r *wireRecorder) get() syscall.Errno {
	r.lock.Lock()
	defer r.lock.Unlock()
	return r.errno
}

func (r *wireRecorder) answer() (bool, int) {
	r.lock.Lock()
	defer r.lock.Unlock()
	return r.answered, r.rcode
}

// Wrappers keep the concrete type's methods (the resolver treats a net.PacketConn as UDP).
type recUDPConn struct {
	*net.UDPConn
	rec *wireRecorder
}

func (c recUDPConn) Read(b []byte) (int, error) {
	n, err := c.UDPConn.Read(b)
	c.rec.note(err)
	if err == nil {
		c.rec.noteResponse(b[:n], true)
	}
	return n, err
}

func (c recUDPConn) Write(b []byte) (int, error) {
	n, err := c.UDPConn.Write(b)
	c.rec.note(err)
	return n, err
}

type recTCPConn struct {
	*net.TCPConn
	rec *wireRecorder
}

func (c recTCPConn) Read(b []byte) (int, error) {
	n, err := c.TCPConn.Read(b)
	c.rec.note(err)
	if n > 0 {
		c.rec.noteResponse(b[:n], false)
	}
	return n, err
}

// newResolver returns a pure-Go resolver that talks to server (ip:port) if given, else to the
// servers of /etc/resolv.conf, recording what its sockets see in rec.
func newResolver(server string, rec *wireRecorder) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			if server != "" {
				address = server
			}
			rec.noteDial(address)
			c, err := rec.dialer().DialContext(ctx, network, address)
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

var rcodeNames = map[int]string{0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED"}

func rcodeName(rc int) string {
	if rc < 0 {
		return "an answer over TCP"
	}
	if n, ok := rcodeNames[rc]; ok {
		return n
	}
	return "rcode " + strconv.Itoa(rc)
}

// lookup asks res for p.Name's records of p.QType.
func lookup(ctx context.Context, res *net.Resolver, p Spec) ([]string, error) {
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
	return addrs, err
}

// probeDNS tests the path to a DNS server. Any response from the server, NXDOMAIN and SERVFAIL
// included, proves the path; answers that never touched the network (/etc/hosts) prove nothing.
func probeDNS(ctx context.Context, p Spec) Result {
	rec := &wireRecorder{}
	defer rec.close()
	server := p.Server
	if server != "" {
		if _, _, err := net.SplitHostPort(server); err != nil {
			server = net.JoinHostPort(strings.Trim(server, "[]"), "53")
		}
	}
	addrs, err := lookup(ctx, newResolver(server, rec), p)
	via := server
	if via == "" {
		via = "the resolv.conf servers"
	}
	r := Result{Remote: server, Addresses: addrs}
	answered, rcode := rec.answer()
	var de *net.DNSError
	switch {
	case err == nil && !answered:
		r.Outcome, r.AnsweredBy = outError, byLocal
		r.Detail = fmt.Sprintf("%s resolved from the probe pod's own /etc/hosts: %s was not asked, so nothing about the network is shown", p.Name, via)
	case err == nil:
		r.Outcome, r.AnsweredBy, r.Rcode = outConnected, byTarget, rcodeName(rcode)
		r.Detail = fmt.Sprintf("%d answers from %s", len(addrs), via)
	case answered:
		// The server said no (NXDOMAIN, SERVFAIL, REFUSED, an empty answer): it answered, the path is open.
		r.Outcome, r.AnsweredBy, r.Rcode = outConnected, byTarget, rcodeName(rcode)
		if errors.As(err, &de) && de.IsNotFound && rcode == 0 {
			r.Rcode = "NOERROR"
		}
		r.Detail = fmt.Sprintf("%s answered %s for %s: the path to the server is open (the name gave no records)", via, r.Rcode, p.Name)
	case rec.get() != 0:
		r = dnsSocketFailure(rec, server, via, p.Name, err)
	case errors.As(err, &de) && de.IsTimeout, errors.Is(err, context.DeadlineExceeded):
		r.Outcome, r.Detail = outTimeout, fmt.Sprintf("no answer from %s for %s", via, p.Name)
	default:
		r.Outcome, r.Detail = outError, fmt.Sprintf("lookup %s via %s: %v", p.Name, via, err)
	}
	return r
}

// dnsSocketFailure classifies the errno a lookup's socket saw, with the ICMP error behind it.
func dnsSocketFailure(rec *wireRecorder, server, via, name string, err error) Result {
	rec.lock.Lock()
	target := rec.dialled
	rec.lock.Unlock()
	r := classify(rec.get(), target, rec.first())
	r.Remote = server
	r.Detail = r.Detail + " talking to " + via + " (lookup of " + name + ": " + err.Error() + ")"
	return r
}
