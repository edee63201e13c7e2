package main

import (
	"math/rand/v2"
	"os"
)

// udpGreeting is what a UDP probe sends when the batch gives no payload. Silence from a UDP port
// proves nothing unless the target is known to answer what was sent, so on the ports of
// request/response protocols whose servers always answer, the probe speaks that protocol:
//   - 53: a DNS query for the SOA of the cluster domain (any response, even REFUSED, is an answer);
//   - 123: an NTP client request (mode 3), which every NTP server answers.
//
// Elsewhere it sends "netprobe", which netprobe's echo servers echo and other services may ignore.
func udpGreeting(port int) (payload []byte, spoke string) {
	switch port {
	case 53:
		conf, _ := os.ReadFile("/etc/resolv.conf")
		return dnsQueryPacket(uint16(rand.Uint32()), clusterDomain(string(conf)), dnsTypeSOA), "dns"
	case 123:
		pkt := make([]byte, 48)
		pkt[0] = 0x23 // LI 0, version 4, mode 3 (client)
		return pkt, "ntp"
	}
	return []byte("netprobe"), ""
}
