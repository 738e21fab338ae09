package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"text/template"

	"go.yaml.in/yaml/v3"
)

// validator checks meaning after decoding; it reuses the decoder's record of
// lines so that every problem still points at file:line.
type validator struct {
	*decoder
	cfg *Config
}

func (v *validator) bad(path, format string, args ...any) {
	line := v.lines[path]
	// Fall back to the nearest parent that has a line.
	for p := path; line == 0 && p != ""; {
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			break
		}
		p = p[:i]
		line = v.lines[p]
	}
	v.add(&yaml.Node{Line: line}, path, format, args...)
}

func (v *validator) validate() {
	if len(v.cfg.Clusters) == 0 {
		v.bad("clusters", "at least one cluster is required")
	}
	if v.cfg.Concurrency < 0 {
		v.bad("concurrency", "must be positive")
	}
	names := map[string]int{}
	for i := range v.cfg.Clusters {
		c := &v.cfg.Clusters[i]
		p := fmt.Sprintf("clusters[%d]", i)
		v.requireName(p, c.Name, names, "cluster")
		v.validateCluster(p, c)
	}
	v.validatePrometheus()
}

func (v *validator) requireName(path, name string, seen map[string]int, what string) {
	if name == "" {
		v.bad(path+".name", "a %s needs a name", what)
		return
	}
	if prev, dup := seen[name]; dup {
		v.bad(path+".name", "duplicate %s name %q (first at line %d)", what, name, prev)
		return
	}
	seen[name] = v.lines[path+".name"]
}

func (v *validator) validateCluster(p string, c *Cluster) {
	v.validateEnvironment(p, c)
	ctl := map[string]int{}
	for i, co := range c.Controllers {
		cp := fmt.Sprintf("%s.controllers[%d]", p, i)
		v.requireName(cp, co.Name, ctl, "controller")
		v.checkName(cp+".name", co.Name, "a Pacemaker node name")
		if co.Address != "" {
			if msg := addressProblem(co.Address); msg != "" {
				v.bad(cp+".address", "%s, got %q", msg, co.Address)
			}
		}
		if co.BMC != nil {
			v.validateBMC(cp+".bmc", co.BMC)
		}
	}
	if pm := c.Pacemaker; pm != nil {
		if len(pm.Command) == 0 && v.lines[p+".pacemaker.command"] != 0 {
			v.bad(p+".pacemaker.command", "an empty prefix; omit the key to run crm_mon directly")
		}
		for i, a := range pm.Command {
			ap := fmt.Sprintf("%s.pacemaker.command[%d]", p, i)
			v.checkTemplate(ap, a)
			if strings.Contains(a, ".Address") {
				v.needAddresses(ap, c)
			}
		}
		for i, id := range pm.HideResources {
			v.checkName(fmt.Sprintf("%s.pacemaker.hide_resources[%d]", p, i), id, "a Pacemaker resource id")
		}
	}
	v.validateHAProxies(p, c, ctl)
	v.validateStateful(p, c)
	v.validateKeepalived(p, c)
	svcs := map[string]int{}
	for i, s := range c.Services {
		sp := fmt.Sprintf("%s.services[%d]", p, i)
		v.requireName(sp, s.Name, svcs, "service")
		switch s.Mode {
		case "", ModeActiveActive, ModeActivePassive:
		default:
			v.bad(sp+".mode", "expected active-active or active-passive, got %q", s.Mode)
		}
		if strings.Contains(s.Endpoint, ".Address") {
			v.needAddresses(sp+".endpoint", c)
		}
		if s.Endpoint != "" && v.checkTemplate(sp+".endpoint", s.Endpoint) {
			v.checkEndpointTemplate(sp+".endpoint", s.Endpoint, c)
		}
		v.checkName(sp+".pacemaker_resource", s.PacemakerResource, "a Pacemaker resource id")
		v.checkName(sp+".haproxy_backend", s.HAProxyBackend, "an HAProxy backend name")
		if s.VIPEndpoint != "" {
			v.checkURL(sp+".vip_endpoint", s.VIPEndpoint, "http", "https")
		}
	}
	vips := map[string]int{}
	for i, vip := range c.VIPs {
		vp := fmt.Sprintf("%s.vips[%d]", p, i)
		v.requireName(vp, vip.Name, vips, "VIP")
		if vip.Address != "" && net.ParseIP(vip.Address) == nil {
			v.bad(vp+".address", "expected an IP address, got %q", vip.Address)
		}
		v.checkName(vp+".pacemaker_resource", vip.PacemakerResource, "a Pacemaker resource id")
		if vip.Address == "" && vip.PacemakerResource == "" && vip.KeepalivedInstance == "" {
			v.bad(vp, "needs an address, a pacemaker_resource or a keepalived_instance")
		}
	}
}

// validateHAProxies checks each load balancer: one per controller, a stats
// source, well-formed sockets.
func (v *validator) validateHAProxies(p string, c *Cluster, ctl map[string]int) {
	lbs := map[string]int{}
	for i, h := range c.HAProxy {
		hp := fmt.Sprintf("%s.haproxy[%d]", p, i)
		v.checkControllerRef(hp+".controller", h.Controller, ctl)
		if prev, dup := lbs[h.Controller]; dup && h.Controller != "" {
			v.bad(hp+".controller", "a second HAProxy for controller %q (first at line %d)", h.Controller, prev)
		}
		lbs[h.Controller] = v.lines[hp+".controller"]
		switch {
		case h.StatsURL == "" && h.StatsSocket == "":
			v.bad(hp, "needs stats_url or stats_socket")
		case h.StatsURL != "" && h.StatsSocket != "" && !strings.HasSuffix(strings.TrimRight(h.StatsURL, "/"), "/metrics"):
			// Both only make sense as Prometheus exporter + the socket's CSV,
			// which carries the backup flag the exporter lacks.
			v.bad(hp+".stats_socket", "give stats_url or stats_socket, not both (both only with a /metrics stats_url)")
		default:
			if h.StatsURL != "" {
				v.checkURL(hp+".stats_url", h.StatsURL, "http", "https")
			}
			if h.StatsSocket != "" {
				v.checkSocket(hp+".stats_socket", h.StatsSocket)
			}
		}
		if h.RuntimeAPI != "" {
			v.checkSocket(hp+".runtime_api", h.RuntimeAPI)
		}
	}
}

func (v *validator) validateBMC(p string, b *BMC) {
	switch b.Driver {
	case "ipmi", "redfish":
	case "":
		v.bad(p+".driver", "required: ipmi or redfish")
	default:
		v.bad(p+".driver", "expected ipmi or redfish, got %q", b.Driver)
	}
	if b.Address == "" {
		v.bad(p+".address", "required: the BMC's host or IP")
	}
	if strings.Contains(b.Address, "@") {
		v.bad(p+".address", "credentials may not be part of the address; use username and password_env or password_file")
	} else if b.Address != "" {
		if msg := bmcAddressProblem(b.Address); msg != "" {
			v.bad(p+".address", "%s, got %q", msg, b.Address)
		}
	}
	if b.PasswordEnv == "" && b.PasswordFile == "" && b.Password == "" {
		v.bad(p, "needs password_env or password_file (the BMC's password, never inline)")
	}
	if b.Port < 0 || b.Port > 65535 {
		v.bad(p+".port", "expected a port between 1 and 65535, got %d", b.Port)
	}
	if b.Password != "" {
		v.bad(p+".password", "a password may not be given inline; use password_env or password_file")
	}
	if b.PasswordEnv != "" && b.PasswordFile != "" {
		v.bad(p+".password_file", "give password_env or password_file, not both")
	}
	if b.PasswordFile != "" {
		v.checkSecretFile(p+".password_file", b.PasswordFile)
	}
	if b.CipherSuite != 0 && b.Driver == "redfish" {
		v.bad(p+".cipher_suite", "only for driver ipmi")
	}
	if b.CipherSuite < 0 || b.CipherSuite > 17 {
		v.bad(p+".cipher_suite", "expected an IPMI cipher suite 0..17, got %d", b.CipherSuite)
	}
	if b.InsecureTLS && b.Driver == "ipmi" {
		v.bad(p+".insecure_tls", "only for driver redfish")
	}
}

// checkSecretFile refuses a secret others can read: it would already be leaked.
func (v *validator) checkSecretFile(path, file string) {
	if msg := secretFileProblem(file); msg != "" {
		v.bad(path, "%s", msg)
	}
}

func secretFileProblem(file string) string {
	st, err := os.Stat(expandHome(file))
	if err != nil {
		return fmt.Sprintf("cannot read secret file: %v", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return fmt.Sprintf("secret file %s is readable by group or others (mode %04o); chmod 600 it", file, st.Mode().Perm())
	}
	return ""
}

// needAddresses: a {{.Address}} template expands to "" for a controller
// without an address, and http://:5000/ would probe this very host.
func (v *validator) needAddresses(path string, c *Cluster) {
	for _, ctl := range c.Controllers {
		if ctl.Address == "" {
			v.bad(path, "uses {{.Address}} but controller %q has no address", ctl.Name)
			return
		}
	}
}

func (v *validator) checkControllerRef(path, name string, ctl map[string]int) {
	if name == "" {
		v.bad(path, "required: the controller this HAProxy runs on")
		return
	}
	if _, ok := ctl[name]; !ok {
		v.bad(path, "unknown controller %q (not in this cluster's controllers)", name)
	}
}

func (v *validator) checkTemplate(path, s string) bool {
	if _, err := template.New("x").Parse(s); err != nil {
		v.bad(path, "bad template: %v", err)
		return false
	}
	if _, err := Expand(s, Controller{Name: "n", Address: "a"}); err != nil {
		v.bad(path, "bad template (only {{.Name}} and {{.Address}} exist): %v", err)
		return false
	}
	return true
}

// checkName refuses a name that could not be one of the peer's own and could
// change the meaning of a command line it is put on; "" is left to the
// callers that require a value.
func (v *validator) checkName(path, name, what string) {
	if name == "" {
		return
	}
	if msg := nameProblem(name); msg != "" {
		v.bad(path, "not %s: %s (got %q)", what, msg, name)
	}
}

// checkEndpointTemplate expands an endpoint template for every controller,
// as the probes will, so an address that does not fit in a URL shows here.
func (v *validator) checkEndpointTemplate(path, tmpl string, c *Cluster) {
	if len(c.Controllers) == 0 || !strings.Contains(tmpl, "{{") {
		v.checkURL(path, tmpl, "http", "https")
		return
	}
	for _, ctl := range c.Controllers {
		if ctl.Address == "" && strings.Contains(tmpl, ".Address") {
			continue // needAddresses says it
		}
		u, err := ExpandURL(tmpl, ctl)
		if err != nil {
			v.bad(path, "for controller %q: %v", ctl.Name, err)
			return
		}
		before := len(v.problems)
		v.checkURL(path, u, "http", "https")
		if len(v.problems) > before {
			v.problems[len(v.problems)-1].Msg += fmt.Sprintf(" (expanded for controller %q)", ctl.Name)
			return // one controller's problem says it for all
		}
	}
}

func (v *validator) checkURL(path, s string, schemes ...string) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		v.bad(path, "expected a URL like %s://host:port/path, got %q", schemes[0], redactUserinfo(s))
		return
	}
	if u.User != nil {
		v.bad(path, "credentials may not be given in a URL (they would show on screen); use the http section's basic_auth with password_file")
		return
	}
	for _, sc := range schemes {
		if u.Scheme == sc {
			return
		}
	}
	v.bad(path, "expected scheme %s, got %q", strings.Join(schemes, " or "), u.Scheme)
}

// redactUserinfo hides user:password@ in a text that failed to parse as a URL.
func redactUserinfo(s string) string {
	if i := strings.Index(s, "@"); i > 0 {
		if j := strings.Index(s, "://"); j >= 0 && j < i {
			return s[:j+3] + "…@" + s[i+1:]
		}
	}
	return s
}

func (v *validator) checkSocket(path, s string) {
	switch {
	case strings.HasPrefix(s, "/"), strings.HasPrefix(s, "unix:///"):
	case strings.HasPrefix(s, "tcp://"):
		if _, _, err := net.SplitHostPort(strings.TrimPrefix(s, "tcp://")); err != nil {
			v.bad(path, "expected tcp://host:port, got %q", s)
		}
	default:
		v.bad(path, "expected /path, unix:///path or tcp://host:port, got %q", s)
	}
}
