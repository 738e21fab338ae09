package discover

import (
	"strings"
	"testing"

	"github.com/hacon/hacon/config"
)

// A controller's files are hostile: names the config would refuse, escape
// sequences, template braces and YAML breaking text never reach the
// config; what is left out is said.
func TestHostileHAProxyConfig(t *testing.T) {
	cfg := "global\n  stats socket /run/h.sock level admin\n" +
		"listen stats\n  bind *:1993\n  stats enable\n  stats uri /x{{.Name}}\n" +
		"listen \"evil\x1b[2J\nname\"\n  bind 10.0.0.5:80\n  server controller-0 10.0.0.11:80\n  server controller-1 10.0.0.12:80\n" +
		"listen keystone\n  bind 10.0.0.5:5000\n  option httpchk GET /v3{{.Address}}\n  server controller-0 10.0.0.11:5000\n  server controller-1 10.0.0.12:5000\n" +
		"listen web\n  bind 10.0.0.5:8080\n  mode http\n  server controller-0 10.0.0.11:8080\n  server \"controller-1\n  - name: injected\" 10.0.0.12:8080\n"
	h, _, err := ParseHAProxy([]NamedText{{Name: "/etc/haproxy/haproxy.cfg", Text: []byte(cfg)}})
	if err != nil {
		t.Fatal(err)
	}
	pm := &Pacemaker{Nodes: []PcmkNode{{Name: "controller-0"}, {Name: "controller-1"}, {Name: "-rf"}},
		Resources: []Resource{{ID: "bad id; rm -rf /", Kind: "primitive"}},
		Fencing:   []FenceDevice{{ID: "f0", Agent: "fence_ipmilan", Targets: []string{"controller-0"}, Address: "-oProxyCommand=x", Username: "admin\n  password: x"}}}
	res, err := Build("cloud", &Facts{HAProxy: h, Pacemaker: pm, Via: []string{"ssh", "controller-0"}})
	if err != nil {
		t.Fatal(err)
	}
	text := string(Render(res))
	if _, err := config.Parse("hostile.yaml", []byte(text)); err != nil {
		t.Fatalf("invalid: %v\n%s", err, text)
	}
	if strings.ContainsAny(text, "\x1b\r") {
		t.Errorf("a control character reached the config:\n%q", text)
	}
	var values []string // comments may quote peer text, cleaned, on one line
	for _, l := range strings.Split(text, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			values = append(values, l)
		}
	}
	for _, bad := range []string{"evil", "injected", "rm -rf", "-rf", "ProxyCommand", "password: x", "/x{{"} {
		if strings.Contains(strings.Join(values, "\n"), bad) {
			t.Errorf("%q reached the config:\n%s", bad, text)
		}
	}
	if s := service(t, res, "keystone"); s.Endpoint != "http://{{.Address}}:5000/v3" {
		t.Errorf("keystone endpoint %q: a check path with braces must give way to the usual path", s.Endpoint)
	}
	var why []string
	for _, n := range res.Notes {
		why = append(why, n.What+": "+n.Why)
	}
	all := strings.Join(why, "\n")
	for _, want := range []string{"not usable as a backend name", "not usable as a controller name", "not usable as a resource id", "stonith device f0: address"} {
		if !strings.Contains(all, want) {
			t.Errorf("notes do not say %q:\n%s", want, all)
		}
	}
}
