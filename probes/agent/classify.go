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

var errnoNames = map[syscall.Errno]string{
	syscall.ECONNREFUSED:    "ECONNREFUSED",
	syscall.ECONNRESET:      "ECONNRESET",
	syscall.EHOSTUNREACH:    "EHOSTUNREACH",
	syscall.ENETUNREACH:     "ENETUNREACH",
	syscall.EHOSTDOWN:       "EHOSTDOWN",
	syscall.ENETDOWN:        "ENETDOWN",
	syscall.ETIMEDOUT:       "ETIMEDOUT",
	syscall.EPERM:           "EPERM",
	syscall.EACCES:          "EACCES",
	syscall.EADDRNOTAVAIL:   "EADDRNOTAVAIL",
	syscall.EAFNOSUPPORT:    "EAFNOSUPPORT",
	syscall.EPROTONOSUPPORT: "EPROTONOSUPPORT",
	syscall.ESOCKTNOSUPPORT: "ESOCKTNOSUPPORT",
	syscall.EINPROGRESS:     "EINPROGRESS",
	syscall.EAGAIN:          "EAGAIN",
	syscall.EMFILE:          "EMFILE",
	syscall.EPIPE:           "EPIPE",
	syscall.EINVAL:          "EINVAL",
}

func errnoName(e syscall.Errno) string {
	if n, ok := errnoNames[e]; ok {
		return n
	}
	return "errno " + strconv.Itoa(int(e))
}

// classifyErrno maps an errno to an outcome; ok is false when the errno says nothing about reachability.
func classifyErrno(e syscall.Errno) (outcome string, ok bool) {
	switch e {
	case syscall.ECONNREFUSED:
		return outRefused, true
	case syscall.EHOSTUNREACH, syscall.ENETUNREACH, syscall.EHOSTDOWN, syscall.ENETDOWN:
		return outUnreachable, true
	case syscall.EPERM, syscall.EACCES:
		// A local firewall rule rejected the packet before it left (netfilter in the pod's namespace).
		return outUnreachable, true
	case syscall.ETIMEDOUT, syscall.EINPROGRESS, syscall.EAGAIN:
		return outTimeout, true
	}
	return "", false
}

// classify turns a network error into (outcome, errno name, detail). A nil error is "connected".
// The decision is made on errno values and timeout flags, never on message text.
func classify(err error) (outcome, errno, detail string) {
	if err == nil {
		return outConnected, "", ""
	}
	var en syscall.Errno
	if errors.As(err, &en) {
		if o, ok := classifyErrno(en); ok {
			return o, errnoName(en), errnoName(en) + ": " + err.Error()
		}
		return outError, errnoName(en), errnoName(en) + ": " + err.Error()
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return outTimeout, "", "no answer before the deadline: " + err.Error()
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		return outDNSFailure, "", err.Error()
	}
	return outError, "", err.Error()
}
