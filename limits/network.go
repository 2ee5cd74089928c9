package limits

import "net/netip"

// DefaultIPv6Prefix is how many leading bits of an IPv6 address name its client
// network: a /64 is what one subscriber or host usually gets, and every address in it
// is theirs to rotate through.
const DefaultIPv6Prefix = 64

// Network names the client network ip belongs to, for counting: an IPv4 address is
// itself (an IPv4-mapped IPv6 address too), an IPv6 address is its leading v6Bits
// (DefaultIPv6Prefix when 0). Anything that is not an address is counted as given.
func Network(ip string, v6Bits int) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	if v6Bits <= 0 || v6Bits > 128 {
		v6Bits = DefaultIPv6Prefix
	}
	p, err := a.WithZone("").Prefix(v6Bits)
	if err != nil {
		return ip
	}
	return p.String()
}
