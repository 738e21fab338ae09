package discover

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// HAProxy's configuration as discover needs it: the proxies (listen,
// frontend, backend) with their binds, servers and health checks, the stats
// listener and the stats sockets. It is read from a controller, so every
// byte is hostile: lines, tokens and sections are bounded, and names are
// checked against the config's rules before use (see build.go).

// Limits of one HAProxy configuration.
const (
	maxConfigBytes = 8 << 20
	maxLineBytes   = 64 << 10
	maxProxies     = 10000
	maxPerProxy    = 10000 // binds or servers in one proxy
)

// HAProxyConfig is one parsed configuration (all its files, in order).
type HAProxyConfig struct {
	Files   []string
	Proxies []*Proxy
	Sockets []StatsSocket
}

// StatsSocket is a `stats socket` line of the global section.
type StatsSocket struct {
	Path  string
	Admin bool // level admin: the runtime API may change servers
}

// Proxy is a listen, frontend or backend section.
type Proxy struct {
	Kind           string // listen, frontend or backend
	Name           string
	Where          string // file:line of its header
	Mode           string // http or tcp, defaults applied
	Binds          []Bind
	Servers        []Server
	DefaultBackend string
	UseBackends    []string
	Stats          bool   // stats enable / stats uri: a stats page
	StatsURI       string // default "/haproxy?stats"
	StatsAuthUser  string // the user of `stats auth`; its password is never kept
	CheckPath      string // option httpchk / http-check send uri
}

// Bind is one address a proxy listens on.
type Bind struct {
	Host     string // "" for a wildcard (*, 0.0.0.0, ::)
	Port     int
	SSL      bool
	Loopback bool
}

// Server is one server line.
type Server struct {
	Name   string
	Host   string
	Port   int // 0: the client's port (HAProxy forwards to the same one)
	SSL    bool
	Backup bool
}

// HasServers reports whether the proxy balances to servers of its own.
func (p *Proxy) HasServers() bool { return len(p.Servers) > 0 }

type haproxyParser struct {
	cfg      *HAProxyConfig
	file     string
	line     int
	cur      *Proxy
	section  string
	defaults Proxy // the last defaults section: mode and check path carry over
	problems []string
}

// ParseHAProxy parses the text of one or more configuration files, in the
// order HAProxy would load them. Problems are lines it could not use; a
// file that is too large or not text is an error.
func ParseHAProxy(files []NamedText) (*HAProxyConfig, []string, error) {
	p := &haproxyParser{cfg: &HAProxyConfig{}}
	for _, f := range files {
		if len(f.Text) > maxConfigBytes {
			return nil, nil, fmt.Errorf("%s: larger than %d MiB: not an HAProxy configuration", f.Name, maxConfigBytes>>20)
		}
		p.cfg.Files = append(p.cfg.Files, f.Name)
		p.file, p.line, p.cur, p.section = f.Name, 0, nil, ""
		for raw := range strings.SplitSeq(string(f.Text), "\n") {
			p.line++
			if len(raw) > maxLineBytes {
				p.problem("line longer than %d KiB ignored", maxLineBytes>>10)
				continue
			}
			if err := p.parseLine(raw); err != nil {
				return nil, p.problems, err
			}
		}
	}
	return p.cfg, p.problems, nil
}

// NamedText is a file's name and content.
type NamedText struct {
	Name string
	Text []byte
}

func (p *haproxyParser) problem(format string, args ...any) {
	if len(p.problems) < 100 {
		p.problems = append(p.problems, fmt.Sprintf("%s:%d: ", p.file, p.line)+fmt.Sprintf(format, args...))
	}
}

func (p *haproxyParser) parseLine(raw string) error {
	words := haproxyWords(raw)
	if len(words) == 0 {
		return nil
	}
	switch kw := words[0]; kw {
	case "global", "defaults", "userlist", "peers", "resolvers", "mailers", "program",
		"http-errors", "ring", "cache", "crt-store", "traces", "log-forward":
		p.section, p.cur = kw, nil
		if kw == "defaults" {
			p.defaults = Proxy{}
		}
		return nil
	case "listen", "frontend", "backend":
		if len(p.cfg.Proxies) >= maxProxies {
			return fmt.Errorf("%s:%d: more than %d proxies: not an HAProxy configuration hacon can use", p.file, p.line, maxProxies)
		}
		p.section = kw
		p.cur = &Proxy{Kind: kw, Where: fmt.Sprintf("%s:%d", p.file, p.line), Mode: p.defaults.Mode, CheckPath: p.defaults.CheckPath}
		if len(words) > 1 {
			p.cur.Name = words[1]
		}
		if kw == "listen" && len(words) > 2 { // the old `listen name addr:port` form
			p.addBind(words[2:])
		}
		p.cfg.Proxies = append(p.cfg.Proxies, p.cur)
		return nil
	}
	switch p.section {
	case "global":
		p.globalLine(words)
	case "defaults":
		p.proxyLine(&p.defaults, words)
	case "listen", "frontend", "backend":
		p.proxyLine(p.cur, words)
	}
	return nil
}

func (p *haproxyParser) globalLine(words []string) {
	if len(words) < 3 || words[0] != "stats" || words[1] != "socket" {
		return
	}
	s := StatsSocket{Path: words[2]}
	for i := 3; i+1 < len(words); i++ {
		if words[i] == "level" {
			s.Admin = words[i+1] == "admin"
		}
	}
	if !strings.HasPrefix(s.Path, "/") {
		p.problem("stats socket %q is not a unix socket path: left out", clip(s.Path))
		return
	}
	p.cfg.Sockets = append(p.cfg.Sockets, s)
}

func (p *haproxyParser) proxyLine(px *Proxy, words []string) {
	switch words[0] {
	case "mode":
		if len(words) > 1 {
			px.Mode = words[1]
		}
	case "bind":
		p.addBind(words[1:])
	case "server":
		p.addServer(words[1:])
	case "default_backend":
		if len(words) > 1 {
			px.DefaultBackend = words[1]
		}
	case "use_backend":
		if len(words) > 1 && len(px.UseBackends) < maxPerProxy {
			px.UseBackends = append(px.UseBackends, words[1])
		}
	case "stats":
		statsLine(px, words[1:])
	case "option":
		if len(words) > 1 && words[1] == "httpchk" {
			px.CheckPath = httpchkPath(words[2:])
		}
	case "http-check":
		for i := 1; i+1 < len(words); i++ {
			if words[1] == "send" && words[i] == "uri" {
				px.CheckPath = words[i+1]
			}
		}
	}
}

func statsLine(px *Proxy, args []string) {
	if len(args) == 0 {
		return
	}
	switch args[0] {
	case "enable":
		px.Stats = true
	case "uri":
		px.Stats = true
		if len(args) > 1 {
			px.StatsURI = args[1]
		}
	case "auth":
		// user:password — only the user is kept; the password stays on
		// the controller.
		if len(args) > 1 {
			user, _, _ := strings.Cut(args[1], ":")
			px.StatsAuthUser = user
		}
	}
}

// httpchkPath reads `option httpchk [<method>] <uri> [<version>]`.
func httpchkPath(args []string) string {
	switch {
	case len(args) == 1:
		return args[0]
	case len(args) >= 2:
		return args[1]
	}
	return "/"
}

func (p *haproxyParser) addBind(args []string) {
	if p.cur == nil || len(args) == 0 || len(p.cur.Binds) >= maxPerProxy {
		return
	}
	ssl := false
	for _, a := range args[1:] {
		if a == "ssl" {
			ssl = true
		}
	}
	for addr := range strings.SplitSeq(args[0], ",") {
		b, ok := parseBindAddr(addr)
		if !ok {
			if addr != "" && !isSocketAddr(addr) {
				p.problem("bind %q of %s: not an address:port", clip(addr), clip(p.cur.Name))
			}
			continue
		}
		b.SSL = ssl
		p.cur.Binds = append(p.cur.Binds, b)
	}
}

func isSocketAddr(a string) bool {
	return strings.HasPrefix(a, "/") || strings.HasPrefix(a, "unix@") || strings.HasPrefix(a, "abns@") ||
		strings.HasPrefix(a, "fd@") || strings.HasPrefix(a, "sockpair@") || strings.HasPrefix(a, "quic")
}

// parseBindAddr reads [ipv4@|ipv6@]host:port[-port]; the host may be
// empty, *, or an IPv6 literal (the port follows the last colon).
func parseBindAddr(a string) (Bind, bool) {
	for _, pre := range []string{"ipv4@", "ipv6@", "tcp@", "tcp4@", "tcp6@"} {
		a = strings.TrimPrefix(a, pre)
	}
	i := strings.LastIndex(a, ":")
	if i < 0 {
		return Bind{}, false
	}
	host, port := strings.Trim(a[:i], "[]"), a[i+1:]
	if j := strings.Index(port, "-"); j > 0 {
		port = port[:j]
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return Bind{}, false
	}
	b := Bind{Port: n}
	switch host {
	case "", "*", "0.0.0.0", "::":
		return b, true
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return Bind{}, false // host names in binds are resolved at start: not a VIP hacon can name
	}
	b.Host, b.Loopback = ip.String(), ip.IsLoopback()
	return b, true
}

func (p *haproxyParser) addServer(args []string) {
	if p.cur == nil || len(args) < 2 || len(p.cur.Servers) >= maxPerProxy {
		return
	}
	s := Server{Name: args[0]}
	host, port, ok := splitServerAddr(args[1])
	if !ok {
		p.problem("server %s of %s: address %q is not host:port: left out", clip(s.Name), clip(p.cur.Name), clip(args[1]))
		return
	}
	s.Host, s.Port = host, port
	for _, a := range args[2:] {
		switch a {
		case "backup":
			s.Backup = true
		case "ssl":
			s.SSL = true
		}
	}
	p.cur.Servers = append(p.cur.Servers, s)
}

// splitServerAddr reads a server address as HAProxy does: an optional
// family prefix, then host:port with the port after the last colon (an
// IPv6 literal is bracketed or ends with ':'), the port optional.
func splitServerAddr(a string) (string, int, bool) {
	for _, pre := range []string{"ipv4@", "ipv6@"} {
		a = strings.TrimPrefix(a, pre)
	}
	host, port := a, ""
	if strings.HasPrefix(a, "[") {
		end := strings.Index(a, "]")
		if end < 0 {
			return "", 0, false
		}
		host, port = a[1:end], strings.TrimPrefix(a[end+1:], ":")
	} else if i := strings.LastIndex(a, ":"); i >= 0 {
		host, port = a[:i], a[i+1:]
	}
	if host == "" {
		return "", 0, false
	}
	if port == "" {
		return host, 0, true
	}
	n, err := strconv.Atoi(strings.TrimPrefix(port, "+"))
	if err != nil || n < 1 || n > 65535 {
		return "", 0, false
	}
	return host, n, true
}

// haproxyWords splits a configuration line into words: whitespace
// separates, '#' starts a comment, quotes and backslashes escape.
func haproxyWords(line string) []string {
	var words []string
	var w strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				w.WriteByte(c)
			}
		case c == '\\' && i+1 < len(line):
			i++
			w.WriteByte(line[i])
			inWord = true
		case c == '"' || c == '\'':
			quote, inWord = c, true
		case c == '#':
			i = len(line)
		case c == ' ' || c == '\t' || c == '\r':
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}

// clip shortens peer text for a message; control characters are cleaned
// where messages are printed.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
