package main

import (
	"encoding/binary"
	"net"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Where an error came from. With IP_RECVERR set before connect, the kernel queues every ICMP error
// that matches the socket on its error queue, naming the ICMP sender (the "offender"). A TCP RST
// queues nothing; an error made by our own stack (a neighbour that never answered ARP) names one of
// our own addresses; a firewall REJECT on the path names the firewall's address. Unprivileged.

// icmpReport is one entry of a socket's error queue.
type icmpReport struct {
	from      net.IP // the offender; nil when the kernel gave none
	icmpType  uint8
	icmpCode  uint8
	fromICMP  bool // ee_origin is ICMP or ICMPv6 (not a local error)
	ipv6      bool
	errnoSeen syscall.Errno
}

// errWatch sets IP_RECVERR on every socket a dialer makes and keeps a duplicate of its fd, so that
// the error queue can still be read after Go closed its own fd on a failed dial.
type errWatch struct {
	mu  sync.Mutex
	fds []int
}

// control is a net.Dialer Control function.
func (w *errWatch) control(network, _ string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		level, opt := syscall.IPPROTO_IP, syscall.IP_RECVERR
		if strings.HasSuffix(network, "6") {
			level, opt = syscall.IPPROTO_IPV6, syscall.IPV6_RECVERR
		}
		if serr = syscall.SetsockoptInt(int(fd), level, opt, 1); serr != nil {
			return
		}
		w.keep(int(fd))
	})
	if err != nil {
		return err
	}
	return serr
}

// keep stores a close-on-exec duplicate of fd.
func (w *errWatch) keep(fd int) {
	dup, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_DUPFD_CLOEXEC, 0)
	if e != 0 {
		return
	}
	w.mu.Lock()
	w.fds = append(w.fds, int(dup))
	w.mu.Unlock()
}

// dialer returns a net.Dialer that watches its sockets.
func (w *errWatch) dialer() *net.Dialer {
	return &net.Dialer{Control: w.control}
}

// first returns the first ICMP error queued on any watched socket (nil when none).
func (w *errWatch) first() *icmpReport {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, fd := range w.fds {
		if r := readErrQueue(fd); r != nil {
			return r
		}
	}
	return nil
}

func (w *errWatch) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, fd := range w.fds {
		syscall.Close(fd)
	}
	w.fds = nil
}

// readErrQueue drains fd's error queue and returns its first entry.
func readErrQueue(fd int) *icmpReport {
	var first *icmpReport
	buf := make([]byte, 512)
	oob := make([]byte, 1024)
	for i := 0; i < 16; i++ {
		_, oobn, _, _, err := syscall.Recvmsg(fd, buf, oob, syscall.MSG_ERRQUEUE|syscall.MSG_DONTWAIT)
		if err != nil {
			break
		}
		msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
		if err != nil {
			continue
		}
		for _, m := range msgs {
			if r := parseExtendedErr(m); r != nil && first == nil {
				first = r
			}
		}
	}
	return first
}

const (
	soEEOriginICMP  = 2
	soEEOriginICMP6 = 3
)

// parseExtendedErr decodes a struct sock_extended_err followed by the offender's sockaddr.
func parseExtendedErr(m syscall.SocketControlMessage) *icmpReport {
	v4 := m.Header.Level == syscall.IPPROTO_IP && m.Header.Type == syscall.IP_RECVERR
	v6 := m.Header.Level == syscall.IPPROTO_IPV6 && m.Header.Type == syscall.IPV6_RECVERR
	if (!v4 && !v6) || len(m.Data) < 16 {
		return nil
	}
	d := m.Data
	r := &icmpReport{
		errnoSeen: syscall.Errno(binary.NativeEndian.Uint32(d[0:4])),
		fromICMP:  d[4] == soEEOriginICMP || d[4] == soEEOriginICMP6,
		icmpType:  d[5],
		icmpCode:  d[6],
		ipv6:      d[4] == soEEOriginICMP6,
	}
	sa := d[16:]
	if len(sa) >= 2 {
		switch binary.NativeEndian.Uint16(sa[0:2]) {
		case syscall.AF_INET:
			if len(sa) >= 8 {
				r.from = net.IP(append([]byte(nil), sa[4:8]...))
			}
		case syscall.AF_INET6:
			if len(sa) >= 24 {
				r.from = net.IP(append([]byte(nil), sa[8:24]...))
			}
		}
	}
	return r
}

// name is the ICMP message in words, e.g. "port-unreachable".
func (r *icmpReport) name() string {
	if r.ipv6 {
		if r.icmpType == 1 {
			switch r.icmpCode {
			case 0:
				return "no-route"
			case 1:
				return "admin-prohibited"
			case 3:
				return "address-unreachable"
			case 4:
				return "port-unreachable"
			case 5, 6:
				return "policy-failed"
			}
		}
		return "icmp6-type-" + strconv.Itoa(int(r.icmpType)) + "-code-" + strconv.Itoa(int(r.icmpCode))
	}
	if r.icmpType == 3 {
		switch r.icmpCode {
		case 0:
			return "net-unreachable"
		case 1:
			return "host-unreachable"
		case 2:
			return "protocol-unreachable"
		case 3:
			return "port-unreachable"
		case 9:
			return "net-prohibited"
		case 10:
			return "host-prohibited"
		case 13:
			return "admin-prohibited"
		}
	}
	if r.icmpType == 11 {
		return "time-exceeded"
	}
	return "icmp-type-" + strconv.Itoa(int(r.icmpType)) + "-code-" + strconv.Itoa(int(r.icmpCode))
}

// localAddrs are this pod's own addresses: an ICMP error from one of them was made by our own stack.
var localAddrs = sync.OnceValue(func() []net.IP {
	var out []net.IP
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			out = append(out, n.IP)
		}
	}
	return out
})

func isLocalAddr(ip net.IP) bool {
	if ip == nil || ip.IsUnspecified() {
		return true
	}
	for _, l := range localAddrs() {
		if l.Equal(ip) {
			return true
		}
	}
	return false
}
