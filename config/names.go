package config

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Names and addresses from the config end up on command lines (ssh
// destinations, crm_resource --node, HAProxy's runtime API), so they are
// checked here against what the peer itself allows, and never may one start
// with '-' where a tool would read it as an option.

// maxNameLen bounds every name: Pacemaker ids, host names and HAProxy names
// are all far shorter in practice.
const maxNameLen = 253

// nameProblem says what is wrong with a Pacemaker node name, resource id or
// HAProxy backend name, or "" when it is fine. Pacemaker ids are XML IDs
// (letters, digits, '-', '_', '.', ':'); node names are host names.
func nameProblem(s string) string {
	if s == "" {
		return "empty"
	}
	if len(s) > maxNameLen {
		return fmt.Sprintf("longer than %d characters", maxNameLen)
	}
	if s[0] == '-' {
		return "starts with '-' (a command would read it as an option)"
	}
	for i, r := range s {
		if !isNameRune(r) {
			return fmt.Sprintf("character %q at position %d is not allowed (letters, digits, '-', '_', '.', ':' only)", r, i+1)
		}
	}
	return ""
}

func isNameRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return r == '-' || r == '_' || r == '.' || r == ':'
}

// addressProblem says what is wrong with a controller or BMC address: it must
// be an IP address, a host name, or either with a :port ("[v6]:port").
func addressProblem(s string) string {
	if s == "" {
		return "empty"
	}
	if net.ParseIP(s) != nil {
		return ""
	}
	host := s
	if h, port, err := net.SplitHostPort(s); err == nil {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return fmt.Sprintf("port %q is not a number between 1 and 65535", port)
		}
		host = h
		if net.ParseIP(host) != nil {
			return ""
		}
	}
	if msg := hostNameProblem(host); msg != "" {
		return msg
	}
	return ""
}

// bmcAddressProblem allows what addressProblem does, and a Redfish BMC's
// http(s):// URL around it.
func bmcAddressProblem(s string) string {
	if !strings.Contains(s, "://") {
		return addressProblem(s)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "expected a host, an IP address or an http(s):// URL"
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Sprintf("port %q is not a number between 1 and 65535", p)
		}
	}
	return addressProblem(u.Hostname())
}

// hostNameProblem checks RFC 1123 host name syntax: dot-separated labels of
// letters, digits and inner hyphens.
func hostNameProblem(h string) string {
	if h == "" || len(h) > maxNameLen {
		return "expected an IP address or a host name"
	}
	if h[0] == '-' {
		return "starts with '-' (ssh would read it as an option)"
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "expected an IP address or a host name"
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return fmt.Sprintf("character %q is not allowed in a host name", r)
			}
		}
	}
	return ""
}

// URLHost puts an IPv6 literal in brackets, as it must be in a URL's host;
// anything else is returned as it is.
func URLHost(addr string) string {
	if ip := net.ParseIP(addr); ip != nil && strings.Contains(addr, ":") {
		return "[" + addr + "]"
	}
	return addr
}
