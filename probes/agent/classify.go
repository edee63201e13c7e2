package main

import (
	"context"
	"errors"
	"net"
	"strconv"
	"syscall"
)

// Outcomes reported for every probe.
const (
	outConnected   = "connected"
	outRefused     = "refused"
	outUnreachable = "unreachable"
	outTimeout     = "timeout"
	outDNSFailure  = "dns-failure"
	outError       = "error"
)

// Who answered (Result.AnsweredBy). Only target and network are evidence about the path.
const (
	byTarget  = "target"  // a handshake, a reply, a TCP RST, or an ICMP error sent from the target's own address
	byNetwork = "network" // an ICMP error sent by another address on the path: a firewall or a router
	byLocal   = "local"   // the probe pod's own stack made the error: nothing came from the network
)

func errnoName(e syscall.Errno) string {
	if n := errnoNames[e]; n != "" {
		return n
	}
	return "errno " + strconv.Itoa(int(e))
}

var errnoNames = map[syscall.Errno]string{
	syscall.ECONNREFUSED: "ECONNREFUSED", syscall.ECONNRESET: "ECONNRESET", syscall.EHOSTUNREACH: "EHOSTUNREACH",
	syscall.ENETUNREACH: "ENETUNREACH", syscall.EHOSTDOWN: "EHOSTDOWN", syscall.ENETDOWN: "ENETDOWN",
	syscall.ETIMEDOUT: "ETIMEDOUT", syscall.EPERM: "EPERM", syscall.EACCES: "EACCES",
	syscall.EADDRNOTAVAIL: "EADDRNOTAVAIL", syscall.EADDRINUSE: "EADDRINUSE", syscall.EAFNOSUPPORT: "EAFNOSUPPORT",
	syscall.EPROTONOSUPPORT: "EPROTONOSUPPORT", syscall.ESOCKTNOSUPPORT: "ESOCKTNOSUPPORT", syscall.EINPROGRESS: "EINPROGRESS",
	syscall.EAGAIN: "EAGAIN", syscall.EMFILE: "EMFILE", syscall.ENFILE: "ENFILE", syscall.ENOBUFS: "ENOBUFS",
	syscall.ENOMEM: "ENOMEM", syscall.EPIPE: "EPIPE", syscall.EINVAL: "EINVAL", syscall.ENOPROTOOPT: "ENOPROTOOPT",
	syscall.EPROTO: "EPROTO", syscall.EMSGSIZE: "EMSGSIZE", syscall.ENONET: "ENONET", syscall.EINTR: "EINTR",
}

// localMeaning says what an errno means when the probe pod's own stack returned it, with no ICMP
// from the network behind it. Every errno other than ECONNREFUSED and ETIMEDOUT is local unless the
// error queue shows an ICMP error from another address; errnos not listed get a generic sentence.
var localMeaning = map[syscall.Errno]string{
	syscall.ENETUNREACH:   "no route to the target in the probe pod (no default route, or no network at all)",
	syscall.EHOSTUNREACH:  "the probe pod's own stack gave up: no route, or the next hop never answered ARP",
	syscall.EHOSTDOWN:     "the probe pod's own stack marked the host down",
	syscall.ENETDOWN:      "the probe pod's network interface is down",
	syscall.ENONET:        "the probe pod is not on a network",
	syscall.EADDRNOTAVAIL: "no usable local address or port in the probe pod",
	syscall.EACCES:        "refused inside the probe pod before anything was sent (a prohibit route or a firewall rule in the pod's own network namespace)",
	syscall.EPERM:         "refused inside the probe pod before anything was sent (a firewall rule in the pod's own network namespace)",
	syscall.EINVAL:        "the probe pod's stack refused the send (for example a blackhole route)",
	syscall.EAGAIN:        "no free local port in the probe pod",
	syscall.EMFILE:        "out of file descriptors in the probe pod",
	syscall.ENFILE:        "out of file descriptors in the probe pod",
	syscall.ENOBUFS:       "out of buffer space in the probe pod",
	syscall.ENOMEM:        "out of memory in the probe pod",
	syscall.EAFNOSUPPORT:  "the address family is not available in the probe pod (IPv6 disabled?)",
}

// classifyErrno maps any errno that came without an ICMP error from the network. Only a RST (or an
// SCTP ABORT) and the kernel's own give-up after retransmissions are answers about the path.
func classifyErrno(e syscall.Errno) (outcome, answeredBy, meaning string) {
	switch e {
	case syscall.ECONNREFUSED:
		return outRefused, byTarget, "the target answered with a reset (TCP RST or SCTP ABORT): the host is up and nothing listens on the port"
	case syscall.ETIMEDOUT:
		return outTimeout, "", "no answer: the kernel gave up retransmitting"
	case syscall.ECONNRESET, syscall.EPIPE:
		return outError, "", "the connection was reset after it was made"
	}
	if m, ok := localMeaning[e]; ok {
		return outError, byLocal, m
	}
	return outError, byLocal, "an error of the probe pod's own stack, not an answer from the network"
}

// classify turns a dial or read error into a Result. icmp is the first error-queue entry of the
// socket (nil when none was queued); target is the address dialled. A nil error is "connected".
// The decision is made on errno values, the error queue and timeout flags, never on message text.
func classify(err error, target net.IP, icmp *icmpReport) Result {
	if err == nil {
		return Result{Outcome: outConnected, AnsweredBy: byTarget}
	}
	var en syscall.Errno
	if errors.As(err, &en) {
		if icmp != nil && icmp.fromICMP {
			return classifyICMP(en, target, icmp)
		}
		o, by, meaning := classifyErrno(en)
		return Result{Outcome: o, AnsweredBy: by, Errno: errnoName(en), Detail: errnoName(en) + ": " + meaning + " (" + err.Error() + ")"}
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return Result{Outcome: outTimeout, Detail: "no answer before the deadline: " + err.Error()}
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		return Result{Outcome: outDNSFailure, Detail: err.Error()}
	}
	return Result{Outcome: outError, Detail: err.Error()}
}

// classifyICMP names who sent the ICMP error behind errno en: the target itself, another address on
// the path (a firewall or router: evidence), or this pod's own stack (no evidence).
func classifyICMP(en syscall.Errno, target net.IP, icmp *icmpReport) Result {
	r := Result{Errno: errnoName(en), ICMP: icmp.name()}
	if icmp.from != nil {
		r.ICMPFrom = icmp.from.String()
	}
	switch {
	case icmp.from != nil && target != nil && icmp.from.Equal(target):
		r.AnsweredBy = byTarget
	case isLocalAddr(icmp.from):
		r.Outcome, r.AnsweredBy = outError, byLocal
		r.Detail = errnoName(en) + ": ICMP " + r.ICMP + " made by the probe pod's own stack (from its own address " + r.ICMPFrom + "): nothing came from the network"
		return r
	default:
		r.AnsweredBy = byNetwork
	}
	r.Outcome = outUnreachable
	if r.ICMP == "port-unreachable" {
		r.Outcome = outRefused
	}
	who := "the target"
	if r.AnsweredBy == byNetwork {
		who = r.ICMPFrom + " on the path (not the target)"
	}
	r.Detail = "ICMP " + r.ICMP + " from " + who + " (" + errnoName(en) + ")"
	return r
}
