package main

import (
	"context"
	"errors"
	"net"
	"strconv"
	"syscall"
	"time"
)

// probeSCTP does a one-to-one style SCTP association setup with a raw socket (the standard library
// has no SCTP). When the kernel has no SCTP, socket() fails and the probe reports an error.
func probeSCTP(ctx context.Context, p Spec) Result {
	ip, addrs, bad := resolveHost(ctx, p.Host)
	if bad != nil {
		return *bad
	}
	remote := net.JoinHostPort(ip.String(), strconv.Itoa(p.Port))
	family := syscall.AF_INET6
	var sa syscall.Sockaddr
	if ip4 := ip.To4(); ip4 != nil {
		family = syscall.AF_INET
		s := &syscall.SockaddrInet4{Port: p.Port}
		copy(s.Addr[:], ip4)
		sa = s
	} else {
		s := &syscall.SockaddrInet6{Port: p.Port}
		copy(s.Addr[:], ip.To16())
		sa = s
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, syscall.IPPROTO_SCTP)
	if err != nil {
		var en syscall.Errno
		errors.As(err, &en)
		return Result{Outcome: outError, Errno: errnoName(en), Remote: remote, Addresses: addrs,
			Detail: "SCTP is not available here (no SCTP in this kernel, or blocked by seccomp): socket(): " + err.Error()}
	}
	defer syscall.Close(fd)
	if err := syscall.SetNonblock(fd, true); err != nil {
		return Result{Outcome: outError, Remote: remote, Detail: "set non-blocking: " + err.Error()}
	}
	err = connectPoll(ctx, fd, sa)
	if err != nil {
		r := failure(err, remote, ip, nil)
		r.Addresses = addrs
		if r.Outcome == outTimeout {
			r.Detail = "no SCTP INIT-ACK within the timeout"
		}
		return r
	}
	return Result{Outcome: outConnected, AnsweredBy: byTarget, Detail: "SCTP association established", Remote: remote, Addresses: addrs}
}

// connectPoll starts a non-blocking connect and polls until it completes, fails or ctx ends.
// Polling (SO_ERROR, getpeername) keeps this free of signal and EINTR subtleties.
func connectPoll(ctx context.Context, fd int, sa syscall.Sockaddr) error {
	err := syscall.Connect(fd, sa)
	if err == nil {
		return nil
	}
	if err != syscall.EINPROGRESS && err != syscall.EINTR && err != syscall.EALREADY {
		return err
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if soerr, gerr := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_ERROR); gerr != nil {
			return gerr
		} else if soerr != 0 {
			return syscall.Errno(soerr)
		}
		if _, perr := syscall.Getpeername(fd); perr == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
