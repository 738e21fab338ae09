package probes

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
)

// TestPacemakerCorpus runs crm_mon on every CIB of Pacemaker's own
// scheduler regression suite (../shared/corpus/pacemaker), parses each
// output and holds the placement against a plain DOM walk of the same XML.
func TestPacemakerCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "corpus", "pacemaker")
	ci := os.Getenv("CI") == "true"
	files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
	if len(files) == 0 {
		if ci {
			t.Fatalf("no CIBs under %s", dir)
		}
		t.Skipf("no CIBs under %s", dir)
	}
	requirePcmkCLI(t)
	sort.Strings(files)
	if testing.Short() && !ci {
		var sample []string
		for i := 0; i < len(files); i += 5 {
			sample = append(sample, files[i])
		}
		files = sample
	}
	type outcome struct {
		file, err string
		crmErr    bool
	}
	jobs := make(chan string)
	results := make(chan outcome)
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ { // the machine has two cores and others build too
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				err, crmErr := checkCorpusFile(f)
				results <- outcome{filepath.Base(f), err, crmErr}
			}
		}()
	}
	go func() {
		for _, f := range files {
			jobs <- f
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	var parsed, crmFailed int
	for o := range results {
		switch {
		case o.err != "":
			t.Errorf("%s: %s", o.file, o.err)
		case o.crmErr:
			crmFailed++
		default:
			parsed++
		}
	}
	t.Logf("%d CIBs: %d parsed and agreed, %d that crm_mon itself could not read", len(files), parsed, crmFailed)
	if crmFailed > len(files)/50 {
		t.Errorf("%d crm_mon failures: more than the handful of schema-invalid CIBs expected", crmFailed)
	}
}

// checkCorpusFile returns what disagreed, or crmErr when crm_mon reported
// an error of its own (a CIB that does not validate) and hacon said so too.
func checkCorpusFile(file string) (problem string, crmErr bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "crm_mon", "--one-shot", "--inactive", "--output-as=xml")
	cmd.Env = append(os.Environ(), "CIB_file="+file)
	out, err := cmd.Output()
	if len(out) == 0 {
		return "crm_mon: " + errString(err), false
	}
	root, derr := parseDOM(out)
	if derr != nil {
		return "crm_mon printed XML encoding/xml cannot read: " + derr.Error(), false
	}
	mine, err := parseXMLTree(context.Background(), string(out))
	if err != nil {
		return "scanner rejects what encoding/xml reads: " + err.Error(), false
	}
	if d := sameTree(mine, root); d != "" {
		return "scanner and encoding/xml disagree: " + d, false
	}
	st, perr := ParseCrmMon(bytes.NewReader(out))
	if root.child("summary") == nil {
		msgs := root.texts("status", "errors", "error")
		if perr == nil || len(msgs) == 0 || !strings.Contains(perr.Error(), msgs[0]) {
			return "crm_mon failed (" + strings.Join(msgs, "; ") + ") but hacon said: " + errString(perr), false
		}
		return "", true
	}
	if perr != nil {
		return "ParseCrmMon: " + perr.Error(), false
	}
	return compareDOM(root, st), false
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// dom is a generic XML tree, so the check does not share hacon's structs.
type dom struct {
	name  string
	attrs map[string]string
	kids  []*dom
	text  string
}

func parseDOM(b []byte) (*dom, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	var stack []*dom
	var root *dom
	for {
		tok, err := d.Token()
		if err != nil {
			if root != nil && len(stack) == 0 {
				return root, nil
			}
			return nil, err
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &dom{name: tk.Name.Local, attrs: map[string]string{}}
			for _, a := range tk.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tk)
			}
		}
	}
}

func (n *dom) child(name string) *dom {
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

func (n *dom) texts(path ...string) []string {
	cur := []*dom{n}
	for _, p := range path {
		var next []*dom
		for _, c := range cur {
			for _, k := range c.kids {
				if k.name == p {
					next = append(next, k)
				}
			}
		}
		cur = next
	}
	var out []string
	for _, c := range cur {
		out = append(out, strings.TrimSpace(c.text))
	}
	return out
}

// domRole spells a role the way the model does.
func domRole(s string) string {
	switch strings.ToLower(s) {
	case "master", "promoted":
		return cluster.RolePromoted
	case "slave", "unpromoted":
		return cluster.RoleUnpromoted
	case "":
		return cluster.RoleStopped
	}
	return strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
}

// compareDOM checks, per top-level resource: primitives and clone
// instances on the same (node, role) pairs, groups on the same nodes, and
// each bundle replica on the host its resources run on.
func compareDOM(root *dom, st *cluster.PacemakerStatus) string {
	var probs []string
	bad := func(f string, a ...any) { probs = append(probs, fmt.Sprintf(f, a...)) }
	if res := root.child("resources"); res != nil {
		tops := res.kids
		if len(tops) != len(st.Resources) {
			bad("%d top-level resources in XML, %d parsed", len(tops), len(st.Resources))
			return strings.Join(probs, "; ")
		}
		for i, top := range tops {
			r := st.Resources[i]
			if r.ID != top.attrs["id"] {
				bad("resource %d is %s, parsed %s", i, top.attrs["id"], r.ID)
				continue
			}
			want, got := domPlacements(top), modelPlacements(&r)
			if strings.Join(want, ",") != strings.Join(got, ",") {
				bad("%s (%s): XML %v, parsed %v", r.ID, r.Kind, want, got)
			}
		}
	}
	if nodes := root.child("nodes"); nodes != nil {
		if len(nodes.kids) != len(st.Nodes) {
			bad("%d nodes in XML, %d parsed", len(nodes.kids), len(st.Nodes))
		} else {
			for i, n := range nodes.kids {
				p := st.Nodes[i]
				got := [5]bool{p.Online, p.Standby, p.Maintenance, p.Unclean, p.DC}
				want := [5]bool{n.attrs["online"] == "true", n.attrs["standby"] == "true", n.attrs["maintenance"] == "true", n.attrs["unclean"] == "true", n.attrs["is_dc"] == "true"}
				if n.attrs["name"] != p.Name || got != want {
					bad("node %s: XML %v, parsed %s %v", n.attrs["name"], want, p.Name, got)
				}
			}
		}
	}
	return strings.Join(probs, "; ")
}

// domPlacements lists "node/role" (primitives, clone instances) or "node"
// (groups, bundle replicas) for one top-level element, sorted.
func domPlacements(top *dom) []string {
	var out []string
	prim := func(r *dom) {
		for _, n := range r.kids {
			if n.name == "node" {
				out = append(out, n.attrs["name"]+"/"+domRole(r.attrs["role"]))
			}
		}
	}
	group := func(g *dom) {
		seen := map[string]bool{}
		for _, m := range g.kids {
			for _, n := range m.kids {
				if n.name == "node" && !seen[n.attrs["name"]] {
					seen[n.attrs["name"]] = true
					out = append(out, n.attrs["name"])
				}
			}
		}
	}
	switch top.name {
	case "resource":
		prim(top)
	case "group":
		group(top)
	case "clone":
		for _, k := range top.kids {
			if k.name == "group" {
				group(k)
			} else {
				prim(k)
			}
		}
	case "bundle":
		for _, rep := range top.kids {
			guest := top.attrs["id"] + "-" + rep.attrs["id"]
			hosts := map[string]bool{}
			for _, r := range rep.kids {
				if r.attrs["id"] == guest {
					continue // the guest's connection may run on another host than its container
				}
				for _, n := range r.kids {
					if n.name == "node" && n.attrs["name"] != guest {
						hosts[n.attrs["name"]] = true
					}
				}
			}
			for h := range hosts {
				out = append(out, h)
			}
		}
	}
	sort.Strings(out)
	return out
}

func modelPlacements(r *cluster.Resource) []string {
	var out []string
	for _, in := range r.Instances {
		if in.Node == "" {
			continue
		}
		switch r.Kind {
		case cluster.KindGroup, cluster.KindBundle:
			out = append(out, in.Node)
		case cluster.KindClone, cluster.KindPromotable:
			if isGroupInstance(r, in.ID) {
				out = append(out, in.Node)
				continue
			}
			out = append(out, in.Node+"/"+in.Role)
		default:
			out = append(out, in.Node+"/"+in.Role)
		}
	}
	sort.Strings(out)
	return out
}

// isGroupInstance tells a cloned group's instance (grp:0) from a cloned
// primitive's: only primitives are listed as members.
func isGroupInstance(r *cluster.Resource, id string) bool {
	base := id
	if i := strings.LastIndexByte(id, ':'); i > 0 {
		base = id[:i]
	}
	for _, m := range r.Members {
		if m == base {
			return false
		}
	}
	return true
}
