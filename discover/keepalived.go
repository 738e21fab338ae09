package discover

import (
	"fmt"
	"net"
	"strings"
)

// Keepalived holds the VIPs when there is no Pacemaker (kolla-ansible,
// openstack-ansible): each vrrp_instance's virtual_ipaddress block lists
// them, one per line ("192.0.2.10/24 dev eth0 label eth0:1").

// KeepalivedInstance is one vrrp_instance.
type KeepalivedInstance struct {
	Name      string
	Addresses []string
}

// ParseKeepalived reads the VRRP instances of a keepalived.conf. Lines it
// cannot use come back as problems (file:line).
func ParseKeepalived(name string, text []byte) ([]KeepalivedInstance, []string, error) {
	if len(text) > maxConfigBytes {
		return nil, nil, fmt.Errorf("%s: larger than %d MiB: not a keepalived configuration", name, maxConfigBytes>>20)
	}
	var out []KeepalivedInstance
	var problems []string
	var stack []string // block keywords, outermost first
	cur := -1          // index in out of the instance being read
	for i, raw := range strings.Split(string(text), "\n") {
		if len(raw) > maxLineBytes {
			continue
		}
		if j := strings.IndexAny(raw, "#!"); j >= 0 {
			raw = raw[:j]
		}
		words := strings.Fields(strings.NewReplacer("{", " { ", "}", " } ").Replace(raw))
		if len(words) == 0 {
			continue
		}
		inVIPs := len(stack) > 0 && (stack[len(stack)-1] == "virtual_ipaddress" || stack[len(stack)-1] == "virtual_ipaddress_excluded")
		if inVIPs && cur >= 0 && words[0] != "}" {
			addr, _, _ := strings.Cut(words[0], "/")
			if ip := net.ParseIP(addr); ip != nil {
				out[cur].Addresses = append(out[cur].Addresses, ip.String())
			} else {
				problems = append(problems, fmt.Sprintf("%s:%d: virtual address %q of %s is not an IP address", name, i+1, clip(words[0]), clip(out[cur].Name)))
			}
		}
		for k, w := range words {
			switch w {
			case "{":
				kw := ""
				if k > 0 {
					kw = words[0]
				}
				if kw == "vrrp_instance" && len(stack) == 0 && k >= 2 {
					out = append(out, KeepalivedInstance{Name: words[1]})
					cur = len(out) - 1
				}
				if len(stack) < 64 {
					stack = append(stack, kw)
				}
			case "}":
				if len(stack) > 0 {
					stack = stack[:len(stack)-1]
				}
				if len(stack) == 0 {
					cur = -1
				}
			}
		}
		if words[0] == "include" {
			problems = append(problems, fmt.Sprintf("%s:%d: include %q not followed: its instances are not read", name, i+1, clip(strings.Join(words[1:], " "))))
		}
	}
	return out, problems, nil
}
