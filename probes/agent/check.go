package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"
)

// checkPorts connects to 127.0.0.1 on every TCP port and sends a datagram to every UDP port,
// expecting the echo; the first failure is returned.
func checkPorts(tcp, udp []int, timeout time.Duration) error {
	for _, p := range tcp {
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)), timeout)
		if err != nil {
			return fmt.Errorf("tcp %d: %w", p, err)
		}
		c.Close()
	}
	for _, p := range udp {
		c, err := net.DialTimeout("udp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)), timeout)
		if err != nil {
			return fmt.Errorf("udp %d: %w", p, err)
		}
		c.SetDeadline(time.Now().Add(timeout))
		_, err = c.Write([]byte("netprobe-check"))
		if err == nil {
			_, err = c.Read(make([]byte, 64))
		}
		c.Close()
		if err != nil {
			return fmt.Errorf("udp %d: no echo: %w", p, err)
		}
	}
	return nil
}

func cmdCheck(args []string) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	tcp, udp, https := portFlags(fs)
	timeout := fs.Duration("timeout", time.Second, "timeout per port")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var tcpPorts, udpPorts []int
	for _, x := range []struct {
		s   string
		dst *[]int
	}{{*tcp, &tcpPorts}, {*https, &tcpPorts}, {*udp, &udpPorts}} {
		ports, err := parsePorts(x.s)
		if err != nil {
			fmt.Fprintln(os.Stderr, "netprobe-agent check:", err)
			return 2
		}
		*x.dst = append(*x.dst, ports...)
	}
	if len(tcpPorts)+len(udpPorts) == 0 {
		fmt.Fprintln(os.Stderr, "netprobe-agent check: no ports (use --tcp/--udp/--https or ECHO_* env)")
		return 2
	}
	if err := checkPorts(tcpPorts, udpPorts, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "netprobe-agent check: not ready:", err)
		return 1
	}
	return 0
}

// cmdSleep idles until SIGTERM or SIGINT, so that a probe pod stops at once when deleted
// (a plain `sleep` as PID 1 ignores SIGTERM and waits out the grace period).
