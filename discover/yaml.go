package discover

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

// The config is written by hand rather than marshalled so that every part
// carries a comment saying where it came from. Every string is written
// double-quoted (JSON's escaping is valid YAML), and comments are cleaned
// of control characters and line breaks: peer text cannot end a comment
// and start a key.

type yamlWriter struct {
	b      bytes.Buffer
	indent string
}

func (w *yamlWriter) comment(depth int, text string) {
	if text == "" {
		return
	}
	text = strings.NewReplacer("\n", " ", "\r", " ").Replace(cluster.CleanText(text))
	fmt.Fprintf(&w.b, "%s%s# %s\n", w.indent, strings.Repeat("  ", depth), text)
}

// kv writes key: value at depth; dash starts a list item.
func (w *yamlWriter) kv(depth int, dash bool, key string, value any) {
	pad := w.indent + strings.Repeat("  ", depth)
	if dash {
		pad = pad[:len(pad)-2] + "- "
	}
	switch v := value.(type) {
	case nil:
		fmt.Fprintf(&w.b, "%s%s:\n", pad, key)
	case string:
		fmt.Fprintf(&w.b, "%s%s: %s\n", pad, key, quote(v))
	case []string:
		q := make([]string, len(v))
		for i, s := range v {
			q[i] = quote(s)
		}
		fmt.Fprintf(&w.b, "%s%s: [%s]\n", pad, key, strings.Join(q, ", "))
	default:
		fmt.Fprintf(&w.b, "%s%s: %v\n", pad, key, v)
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// optional writes key only when value is set.
func (w *yamlWriter) optional(depth int, key, value string) {
	if value != "" {
		w.kv(depth, false, key, value)
	}
}

// Render writes a whole config file holding the one cluster.
func Render(r *Result) []byte {
	w := &yamlWriter{}
	w.comment(0, "hacon config written by `hacon discover`. Check it with `hacon check-config --config FILE`.")
	if len(r.PasswordEnv) > 0 {
		w.comment(0, "BMC passwords are not copied from the CIB: set "+strings.Join(r.PasswordEnv, ", ")+" before starting hacon.")
	}
	w.comment(0, "read_only: true   # uncomment to watch without ever acting")
	w.kv(0, false, "clusters", nil)
	w.cluster(r)
	return w.b.Bytes()
}

func (w *yamlWriter) cluster(r *Result) {
	c := &r.Cluster
	w.kv(1, true, "name", c.Name)
	if len(c.Controllers) > 0 {
		w.kv(1, false, "controllers", nil)
	}
	for i, ctl := range c.Controllers {
		w.kv(3, true, "name", ctl.Name)
		w.optional(3, "address", ctl.Address)
		if ctl.BMC != nil {
			w.comment(3, r.Comments[fmt.Sprintf("controllers[%d].bmc", i)])
			w.bmc(ctl.BMC)
		}
	}
	if len(c.Command) > 0 {
		w.comment(1, "every plane that runs commands on a controller (keepalived's state) runs them through this prefix")
		w.kv(1, false, "command", c.Command)
	}
	if pm := c.Pacemaker; pm != nil {
		w.comment(1, "Pacemaker's CLI runs through this prefix, on each controller in turn")
		w.kv(1, false, "pacemaker", nil)
		w.kv(2, false, "command", pm.Command)
	}
	if len(c.HAProxy) > 0 {
		w.kv(1, false, "haproxy", nil)
	}
	for i, h := range c.HAProxy {
		w.comment(2, r.Comments[fmt.Sprintf("haproxy[%d]", i)])
		w.kv(3, true, "controller", h.Controller)
		w.optional(3, "stats_url", h.StatsURL)
		w.optional(3, "stats_socket", h.StatsSocket)
		w.optional(3, "runtime_api", h.RuntimeAPI)
	}
	w.services(r)
	if len(c.VIPs) > 0 {
		w.kv(1, false, "vips", nil)
	}
	for i, v := range c.VIPs {
		w.comment(2, r.Comments[fmt.Sprintf("vips[%d]", i)])
		w.kv(3, true, "name", v.Name)
		w.optional(3, "address", v.Address)
		w.optional(3, "pacemaker_resource", v.PacemakerResource)
		w.optional(3, "keepalived_instance", v.KeepalivedInstance)
	}
}

func (w *yamlWriter) bmc(b *config.BMC) {
	w.kv(3, false, "bmc", nil)
	w.kv(4, false, "driver", b.Driver)
	w.kv(4, false, "address", b.Address)
	if b.Port != 0 {
		w.kv(4, false, "port", b.Port)
	}
	w.optional(4, "username", b.Username)
	w.kv(4, false, "password_env", b.PasswordEnv)
	if b.CipherSuite != 0 {
		w.kv(4, false, "cipher_suite", b.CipherSuite)
	}
	if b.InsecureTLS {
		w.kv(4, false, "insecure_tls", true)
	}
}

func (w *yamlWriter) services(r *Result) {
	if len(r.Cluster.Services) == 0 {
		return
	}
	w.kv(1, false, "services", nil)
	for i, s := range r.Cluster.Services {
		w.comment(2, r.Comments[fmt.Sprintf("services[%d]", i)])
		w.kv(3, true, "name", s.Name)
		w.optional(3, "mode", s.Mode)
		w.optional(3, "pacemaker_resource", s.PacemakerResource)
		w.optional(3, "haproxy_backend", s.HAProxyBackend)
		w.optional(3, "endpoint", s.Endpoint)
		w.optional(3, "vip_endpoint", s.VIPEndpoint)
	}
}

// Append adds the cluster to an existing config's text, leaving every
// byte of it as it was: the cluster goes at the end of its clusters list
// (indented as its items are), or a clusters key is added at the end.
func Append(existing []byte, r *Result) ([]byte, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(existing, &root); err != nil {
		return nil, fmt.Errorf("existing config: %v", err)
	}
	if len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("existing config: not a YAML mapping")
	}
	top := root.Content[0]
	lines := strings.SplitAfter(string(existing), "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value != "clusters" {
			continue
		}
		seq := top.Content[i+1]
		if seq.Kind != yaml.SequenceNode || seq.Style&yaml.FlowStyle != 0 || len(seq.Content) == 0 {
			return nil, fmt.Errorf("existing config: clusters (line %d) is not a block list of clusters; add the cluster by hand", top.Content[i].Line)
		}
		for _, c := range seq.Content {
			if name := mapValue(c, "name"); name == r.Cluster.Name {
				return nil, fmt.Errorf("existing config already has a cluster %q (line %d): pick another with --name", name, c.Line)
			}
		}
		// The list ends where the next top-level key starts.
		end := len(lines)
		if i+2 < len(top.Content) {
			end = top.Content[i+2].Line - 1
			for end > 0 && isCommentOrBlank(lines[end-1]) {
				end--
			}
		}
		w := &yamlWriter{indent: strings.Repeat(" ", seq.Content[0].Column-3)}
		w.cluster(r)
		out := strings.Join(lines[:end], "")
		if out != "" && !strings.HasSuffix(out, "\n") {
			out += "\n"
		}
		return []byte(out + w.b.String() + strings.Join(lines[end:], "")), nil
	}
	w := &yamlWriter{}
	w.kv(0, false, "clusters", nil)
	w.cluster(r)
	out := string(existing)
	if out != "" && !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	return []byte(out + w.b.String()), nil
}

func mapValue(n *yaml.Node, key string) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1].Value
		}
	}
	return ""
}

func isCommentOrBlank(l string) bool {
	t := strings.TrimSpace(l)
	return t == "" || strings.HasPrefix(t, "#")
}
