package main

import (
	"encoding/binary"
	"net"
	"strings"
)

// A minimal DNS responder for the echo server: enough for `kind: dns`, nslookup and dig to get a
// valid answer from a simulated host. Only single-question standard queries are recognised, so
// ordinary echo payloads are never mistaken for DNS.

const (
	dnsTypeA    = 1
	dnsTypeAAAA = 28
	dnsClassIN  = 1
)

type dnsQuery struct {
	id       uint16
	rd       bool
	name     string // lower case, with a trailing dot
	qtype    uint16
	qclass   uint16
	question []byte // the question section as received
}

// parseDNSQuery returns the query in b, or ok=false when b is not a plain DNS query.
func parseDNSQuery(b []byte) (q dnsQuery, ok bool) {
	if len(b) < 12+5 {
		return q, false
	}
	flags := binary.BigEndian.Uint16(b[2:4])
	qd, an, ns, ar := binary.BigEndian.Uint16(b[4:6]), binary.BigEndian.Uint16(b[6:8]),
		binary.BigEndian.Uint16(b[8:10]), binary.BigEndian.Uint16(b[10:12])
	if flags&0x8000 != 0 || (flags>>11)&0xF != 0 || flags&0x0070 != 0 || qd != 1 || an != 0 || ns != 0 || ar > 1 {
		return q, false
	}
	off := 12
	var labels []string
	for {
		if off >= len(b) {
			return q, false
		}
		l := int(b[off])
		off++
		if l == 0 {
			break
		}
		if l > 63 || off+l > len(b) {
			return q, false
		}
		labels = append(labels, string(b[off:off+l]))
		off += l
	}
	if off+4 > len(b) {
		return q, false
	}
	name := strings.ToLower(strings.Join(labels, ".")) + "."
	if len(name) > 254 {
		return q, false
	}
	q = dnsQuery{
		id:       binary.BigEndian.Uint16(b[0:2]),
		rd:       flags&0x0100 != 0,
		name:     name,
		qtype:    binary.BigEndian.Uint16(b[off : off+2]),
		qclass:   binary.BigEndian.Uint16(b[off+2 : off+4]),
		question: b[12 : off+4],
	}
	rest := len(b) - (off + 4)
	if (ar == 0 && rest != 0) || (ar == 1 && rest < 11) {
		return q, false
	}
	return q, true
}

// dnsAnswer builds the response to q. Names under .invalid. or starting with "nxdomain." get
// NXDOMAIN; A and AAAA queries are answered with the configured addresses; anything else gets an
// empty NOERROR answer.
func dnsAnswer(q dnsQuery, v4, v6 []net.IP) []byte {
	var rcode uint16
	var rrs []net.IP
	switch {
	case strings.HasSuffix(q.name, ".invalid.") || q.name == "invalid." || strings.HasPrefix(q.name, "nxdomain."):
		rcode = 3
	case q.qclass != dnsClassIN:
	case q.qtype == dnsTypeA:
		rrs = v4
	case q.qtype == dnsTypeAAAA:
		rrs = v6
	}
	flags := uint16(0x8000 | 0x0400 | 0x0080) // QR, AA, RA
	if q.rd {
		flags |= 0x0100
	}
	flags |= rcode
	out := make([]byte, 12, 12+len(q.question)+len(rrs)*28)
	binary.BigEndian.PutUint16(out[0:], q.id)
	binary.BigEndian.PutUint16(out[2:], flags)
	binary.BigEndian.PutUint16(out[4:], 1)
	binary.BigEndian.PutUint16(out[6:], uint16(len(rrs)))
	out = append(out, q.question...)
	for _, ip := range rrs {
		data := []byte(ip.To4())
		if q.qtype == dnsTypeAAAA {
			data = ip.To16()
		}
		rr := []byte{0xC0, 12, 0, 0, 0, dnsClassIN, 0, 0, 0, 30, 0, 0}
		binary.BigEndian.PutUint16(rr[2:], q.qtype)
		binary.BigEndian.PutUint16(rr[10:], uint16(len(data)))
		out = append(out, rr...)
		out = append(out, data...)
	}
	return out
}

const dnsTypeSOA = 6

// dnsQueryPacket builds a standard query (recursion desired) for name and qtype.
func dnsQueryPacket(id uint16, name string, qtype uint16) []byte {
	out := make([]byte, 12, 12+len(name)+6)
	binary.BigEndian.PutUint16(out[0:], id)
	binary.BigEndian.PutUint16(out[2:], 0x0100)
	binary.BigEndian.PutUint16(out[4:], 1)
	for _, label := range strings.Split(strings.Trim(name, "."), ".") {
		if label == "" {
			continue
		}
		out = append(out, byte(len(label)))
		out = append(out, label...)
	}
	out = append(out, 0, 0, 0, 0, dnsClassIN)
	binary.BigEndian.PutUint16(out[len(out)-4:], qtype)
	return out
}

// clusterDomain is the pod's cluster domain, read from the "<ns>.svc.<domain>" entry of the search
// list in /etc/resolv.conf; cluster.local when there is none.
func clusterDomain(resolvConf string) string {
	for _, line := range strings.Split(resolvConf, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || fields[0] != "search" {
			continue
		}
		for _, f := range fields[1:] {
			if i := strings.Index(f, ".svc."); i > 0 && len(f) > i+5 {
				return strings.TrimSuffix(f[i+5:], ".") + "."
			}
		}
	}
	return "cluster.local."
}
