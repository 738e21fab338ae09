package discover

import (
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/testpeers"
	"github.com/hacon/hacon/remote"
)

// TestCorpus runs discover on every CIB of the shared corpus that looks
// like an OpenStack control plane (nodes controller-N) and every bundle-*
// one, each made a fake controller (Pacemaker's real crm_mon and cibadmin
// on the CIB file), and holds the result to an oracle computed here from
// the CIB with typed encoding/xml and from crm_mon's own resource list:
// every resource a service, every IPaddr2 a VIP with its address, every
// controller's BMC the fence_ipmilan/fence_redfish device that targets it
// with its address and port, the config valid, and no device password in
// anything discover wrote or printed.
func TestCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "corpus", "pacemaker")
	files := corpusFiles(t, dir)
	if len(files) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no OpenStack-like CIBs under %s", dir)
		}
		t.Skipf("no corpus under %s", dir)
	}
	testpeers.RequirePacemakerCLI(t)
	var vips, devices, services, secrets int
	for _, f := range files {
		o := cibOracle(t, f)
		marked, markers := markPasswords(t, f)
		secrets += len(markers)
		text, notes := discoverCIB(t, marked)
		if _, err := config.Parse(filepath.Base(f), text); err != nil {
			t.Errorf("%s: discovered config invalid: %v\n%s", filepath.Base(f), err, text)
			continue
		}
		cfg, _ := config.Parse(f, text)
		c := cfg.Clusters[0]
		for _, m := range markers {
			if strings.Contains(string(text), m) || strings.Contains(notes, m) {
				t.Errorf("%s: a fence device's password (%s) is in discover's output", filepath.Base(f), m)
			}
		}
		vips += checkCorpusVIPs(t, f, c, o)
		devices += checkCorpusBMCs(t, f, c, o)
		services += checkCorpusServices(t, f, c, o)
	}
	t.Logf("%d CIBs: %d resources as services, %d VIPs, %d BMCs held against the CIB; %d device passwords, none copied", len(files), services, vips, devices, secrets)
	if vips == 0 || devices == 0 || services == 0 || secrets == 0 {
		t.Errorf("the corpus gave nothing to check: %d VIPs, %d BMCs, %d services", vips, devices, services)
	}
}

var controllerNode = regexp.MustCompile(`uname="controller-[0-9]+"`)

func corpusFiles(t *testing.T, dir string) []string {
	all, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	var out []string
	for _, f := range all {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(filepath.Base(f), "bundle-") || controllerNode.Match(b) {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

var secretNV = regexp.MustCompile(`(name="(?:passwd|password|passwd_script|password_script)" value=")[^"]*"`)

// markPasswords copies a CIB with every device password replaced by a
// unique marker, so that a password found in the output is certainly one.
func markPasswords(t *testing.T, file string) (string, []string) {
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var markers []string
	out := secretNV.ReplaceAllStringFunc(string(b), func(m string) string {
		marker := fmt.Sprintf("hacon-secret-%d", len(markers)+1)
		markers = append(markers, marker)
		return secretNV.ReplaceAllString(m, "${1}"+marker+`"`)
	})
	p := filepath.Join(t.TempDir(), filepath.Base(file))
	if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return p, markers
}

// discoverCIB runs discover through a fake controller answering from cib.
func discoverCIB(t *testing.T, cib string) ([]byte, string) {
	t.Helper()
	fc := testpeers.StartFakeController(t, cib)
	fc.AddNode(t, "c")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	prefix := fc.Prefix("c")
	res, notes, err := Discover(ctx, Options{Transport: remote.Prefix{Command: prefix, Runner: remote.ExecRunner{}}, Via: prefix}, "corpus")
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(cib), err)
	}
	var printed strings.Builder
	for _, n := range append(notes, res.Notes...) {
		fmt.Fprintf(&printed, "%s: %s\n", n.What, n.Why)
	}
	for _, cmd := range fc.Commands(t) {
		tool := strings.Fields(cmd)[1]
		if !slices.Contains([]string{"crm_mon", "cibadmin", "cat", "ls", "ps"}, tool) {
			t.Errorf("%s: discover ran %q", filepath.Base(cib), cmd)
		}
	}
	return Render(res), printed.String()
}

// oracle is what the CIB and crm_mon say, computed without discover's code.
type oracle struct {
	members   []string
	resources []string          // top-level resource ids other than stonith, IP addresses and remote connections
	vips      map[string]string // resource id -> ip
	bmcs      map[string][2]string
	monIDs    []string // crm_mon's own top-level resource ids
}

type oPrimitive struct {
	ID    string `xml:"id,attr"`
	Class string `xml:"class,attr"`
	Type  string `xml:"type,attr"`
	NV    []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	} `xml:"instance_attributes>nvpair"`
}

func (p oPrimitive) param(names ...string) string {
	for _, n := range names {
		for _, nv := range p.NV {
			if nv.Name == n {
				return nv.Value
			}
		}
	}
	return ""
}

type oCIB struct {
	Primitives []oPrimitive `xml:"configuration>resources>primitive"`
	Groups     []struct {
		ID         string       `xml:"id,attr"`
		Primitives []oPrimitive `xml:"primitive"`
	} `xml:"configuration>resources>group"`
	Clones []struct {
		ID string `xml:"id,attr"`
	} `xml:"configuration>resources>clone"`
	Masters []struct {
		ID string `xml:"id,attr"`
	} `xml:"configuration>resources>master"`
	Bundles []struct {
		ID string `xml:"id,attr"`
	} `xml:"configuration>resources>bundle"`
}

func cibOracle(t *testing.T, file string) oracle {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cib oCIB
	if err := xml.Unmarshal(b, &cib); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	o := oracle{vips: map[string]string{}, bmcs: map[string][2]string{}}
	o.members, o.monIDs = crmMonOracle(t, file)
	isIP := func(p oPrimitive) bool { return p.Type == "IPaddr2" || p.Type == "IPaddr" || p.Type == "IPv6addr" }
	for _, p := range cib.Primitives {
		switch {
		case p.Class == "stonith":
			o.stonith(p)
		case isIP(p):
			o.vips[p.ID] = p.param("ip", "ipv6addr")
		case p.Type != "remote":
			o.resources = append(o.resources, p.ID)
		}
	}
	for _, g := range cib.Groups {
		onlyIPs := true
		for _, p := range g.Primitives {
			if isIP(p) {
				o.vips[p.ID] = p.param("ip", "ipv6addr")
			} else {
				onlyIPs = false
			}
		}
		if !onlyIPs {
			o.resources = append(o.resources, g.ID)
		}
	}
	for _, c := range slices.Concat(cib.Clones, cib.Masters, cib.Bundles) {
		o.resources = append(o.resources, c.ID)
	}
	return o
}

func (o *oracle) stonith(p oPrimitive) {
	if p.Type != "fence_ipmilan" && p.Type != "fence_redfish" {
		return
	}
	for _, node := range strings.FieldsFunc(p.param("pcmk_host_list"), func(r rune) bool { return r == ' ' || r == ',' || r == ';' }) {
		if _, dup := o.bmcs[node]; !dup {
			o.bmcs[node] = [2]string{p.param("ip", "ipaddr"), p.param("ipport")}
		}
	}
}

// crmMonOracle: the member nodes and top-level resource ids crm_mon lists.
func crmMonOracle(t *testing.T, file string) ([]string, []string) {
	cmd := exec.Command("crm_mon", "--one-shot", "--inactive", "--output-as=xml")
	cmd.Env = append(os.Environ(), "CIB_file="+file)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: crm_mon: %v", file, err)
	}
	var mon struct {
		Nodes []struct {
			Name string `xml:"name,attr"`
			Type string `xml:"type,attr"`
		} `xml:"nodes>node"`
	}
	if err := xml.Unmarshal(out, &mon); err != nil {
		t.Fatal(err)
	}
	var members []string
	for _, n := range mon.Nodes {
		if n.Type == "member" {
			members = append(members, n.Name)
		}
	}
	var ids []string
	d := xml.NewDecoder(strings.NewReader(string(out)))
	depth, inRes := 0, false
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			if e.Name.Local == "resources" && depth == 2 {
				inRes = true
			} else if inRes && depth == 3 {
				id, agent := attrOf(e, "id"), attrOf(e, "resource_agent")
				// An orphan (history of a resource no longer configured) is
				// not in the configuration discover reads.
				if attrOf(e, "orphaned") != "true" && !strings.HasPrefix(agent, "stonith:") && !strings.HasSuffix(agent, ":IPaddr2") && agent != "ocf:pacemaker:remote" {
					ids = append(ids, id)
				}
			}
		case xml.EndElement:
			if e.Name.Local == "resources" && depth == 2 {
				inRes = false
			}
			depth--
		}
	}
	return members, ids
}

func attrOf(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func checkCorpusVIPs(t *testing.T, f string, c config.Cluster, o oracle) int {
	got := map[string]string{}
	for _, v := range c.VIPs {
		got[v.PacemakerResource] = v.Address
	}
	for id, ip := range o.vips {
		if got[id] != ip {
			t.Errorf("%s: VIP %s: discovered address %q, the CIB says %q", filepath.Base(f), id, got[id], ip)
		}
	}
	if len(got) != len(o.vips) {
		t.Errorf("%s: %d VIPs discovered, the CIB has %d", filepath.Base(f), len(got), len(o.vips))
	}
	return len(o.vips)
}

func checkCorpusBMCs(t *testing.T, f string, c config.Cluster, o oracle) int {
	n := 0
	var names []string
	for _, ctl := range c.Controllers {
		names = append(names, ctl.Name)
		want, ok := o.bmcs[ctl.Name]
		switch {
		case !ok && ctl.BMC != nil:
			t.Errorf("%s: %s has a BMC but no fence_ipmilan/redfish device targets it", filepath.Base(f), ctl.Name)
		case ok && ctl.BMC == nil:
			t.Errorf("%s: %s has no BMC; the CIB's device says %v", filepath.Base(f), ctl.Name, want)
		case ok:
			n++
			if ctl.BMC.Address != want[0] || (want[1] != "" && fmt.Sprint(ctl.BMC.Port) != want[1]) || ctl.BMC.PasswordEnv == "" {
				t.Errorf("%s: %s BMC %+v, the CIB says %s port %s", filepath.Base(f), ctl.Name, *ctl.BMC, want[0], want[1])
			}
		}
	}
	if !slices.Equal(names, o.members) {
		t.Errorf("%s: controllers %v, crm_mon's members %v", filepath.Base(f), names, o.members)
	}
	return n
}

func checkCorpusServices(t *testing.T, f string, c config.Cluster, o oracle) int {
	var got []string
	for _, s := range c.Services {
		if s.PacemakerResource != "" {
			got = append(got, s.PacemakerResource)
		}
	}
	slices.Sort(got)
	want := slices.Clone(o.resources)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: services' resources %v, the CIB's %v", filepath.Base(f), got, want)
	}
	for _, id := range o.monIDs {
		if !slices.Contains(got, id) {
			t.Errorf("%s: crm_mon lists %s, no service has it", filepath.Base(f), id)
		}
	}
	return len(got)
}
