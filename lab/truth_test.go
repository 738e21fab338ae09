//go:build lab

package lab

import (
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// The ground truth the tests hold hacon to, read independently of hacon's
// parsers: crm_mon's XML inside the cluster, HAProxy's `show stat` over its
// socket with socat, the namespaces with ip.

type crmXML struct {
	Summary struct {
		DC struct {
			Present bool   `xml:"present,attr"`
			Name    string `xml:"name,attr"`
		} `xml:"current_dc"`
	} `xml:"summary"`
	Nodes []struct {
		Name    string `xml:"name,attr"`
		Online  bool   `xml:"online,attr"`
		Unclean bool   `xml:"unclean,attr"`
	} `xml:"nodes>node"`
	Resources struct {
		Primitives []crmResource `xml:"resource"`
		Clones     []struct {
			ID        string        `xml:"id,attr"`
			Instances []crmResource `xml:"resource"`
		} `xml:"clone"`
	} `xml:"resources"`
	Failures []struct {
		OpKey string `xml:"op_key,attr"`
		Node  string `xml:"node,attr"`
	} `xml:"failures>failure"`
}

type crmResource struct {
	ID     string `xml:"id,attr"`
	Role   string `xml:"role,attr"`
	Failed bool   `xml:"failed,attr"`
	Nodes  []struct {
		Name string `xml:"name,attr"`
	} `xml:"node"`
}

// crmState is crm_mon's view, flattened.
type crmState struct {
	Via        string
	DC         string
	Online     map[string]bool
	Placements []string            // "resource node role", top-level ids, sorted
	Where      map[string][]string // top-level resource → nodes running it
	Roles      map[string][]string // top-level resource → "node role"
	Stopped    []string            // instances not running
	Failures   []string
}

func (h *harness) crmMon() (*crmState, error) {
	out, via, err := h.onAny("crm_mon", "--one-shot", "--inactive", "--output-as=xml")
	if err != nil {
		return nil, err
	}
	var x crmXML
	if err := xml.Unmarshal([]byte(out), &x); err != nil {
		return nil, fmt.Errorf("crm_mon XML: %w", err)
	}
	s := &crmState{Via: via, Online: map[string]bool{}, Where: map[string][]string{}, Roles: map[string][]string{}}
	if x.Summary.DC.Present {
		s.DC = x.Summary.DC.Name
	}
	for _, n := range x.Nodes {
		s.Online[n.Name] = n.Online && !n.Unclean
	}
	add := func(top string, r crmResource) {
		if len(r.Nodes) == 0 || r.Role == "Stopped" {
			s.Stopped = append(s.Stopped, top+"("+r.ID+") "+r.Role)
			return
		}
		for _, n := range r.Nodes {
			s.Placements = append(s.Placements, top+" "+n.Name+" "+r.Role)
			s.Where[top] = append(s.Where[top], n.Name)
			s.Roles[top] = append(s.Roles[top], n.Name+" "+r.Role)
		}
		if r.Failed {
			s.Failures = append(s.Failures, top+" failed")
		}
	}
	for _, r := range x.Resources.Primitives {
		add(r.ID, r)
	}
	for _, c := range x.Resources.Clones {
		for _, r := range c.Instances {
			add(c.ID, r)
		}
	}
	for _, f := range x.Failures {
		s.Failures = append(s.Failures, f.OpKey+"@"+f.Node)
	}
	sort.Strings(s.Placements)
	return s, nil
}

// constraints lists the ids of the CIB's cli-* location constraints.
func (h *harness) cliConstraints() ([]string, error) {
	out, _, err := h.onAny("cibadmin", "--query", "--scope", "constraints")
	if err != nil {
		return nil, err
	}
	var x struct {
		Locs []struct {
			ID string `xml:"id,attr"`
		} `xml:"rsc_location"`
	}
	if err := xml.Unmarshal([]byte(out), &x); err != nil {
		return nil, fmt.Errorf("constraints XML: %w", err)
	}
	var ids []string
	for _, l := range x.Locs {
		if strings.HasPrefix(l.ID, "cli-") {
			ids = append(ids, l.ID)
		}
	}
	return ids, nil
}

// showStat asks controller-N's HAProxy `show stat` over its admin socket
// (with socat) and returns backend/server → status for server rows.
func (h *harness) showStat(node string) (map[string]string, error) {
	return h.socat(node, "show stat")
}

func (h *harness) socket(node string) string {
	return filepath.Join(h.state, node, "haproxy.sock")
}

func (h *harness) socat(node, line string) (map[string]string, error) {
	out, err := runStdin(5*time.Second, line+"\n", "socat", "-t", "2", "stdio", "unix-connect:"+h.socket(node))
	if err != nil {
		return nil, err
	}
	if line != "show stat" {
		if s := strings.TrimSpace(out); s != "" {
			return nil, fmt.Errorf("HAProxy on %s said %q to %q", node, s, line)
		}
		return nil, nil
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "# ")))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || len(rows) < 2 {
		return nil, fmt.Errorf("show stat on %s: %v (%d rows)", node, err, len(rows))
	}
	st := map[string]string{}
	for _, row := range rows[1:] {
		if len(row) < 18 || row[1] == "FRONTEND" || row[1] == "BACKEND" {
			continue
		}
		st[row[0]+"/"+row[1]] = row[17]
	}
	return st, nil
}

// healthy says whether the lab is as lab/up leaves it: every node online,
// every resource running (one redis promoted), no failure, no cli-*
// constraint, every HAProxy server UP, and hacon's scheduler agreeing on
// the nodes and powers.
func (h *harness) healthy() (bool, string) {
	s, err := h.crmMon()
	if err != nil {
		return false, err.Error()
	}
	for _, n := range nodes {
		if !s.Online[n] {
			return false, n + " not online in crm_mon"
		}
	}
	if len(s.Stopped) > 0 || len(s.Failures) > 0 {
		return false, fmt.Sprintf("stopped %v failures %v", s.Stopped, s.Failures)
	}
	promoted := 0
	for _, r := range s.Roles["redis-clone"] {
		if strings.HasSuffix(r, " Promoted") {
			promoted++
		}
	}
	if promoted != 1 || len(s.Where["haproxy-clone"]) != 3 || len(s.Where[vipResource]) != 1 {
		return false, fmt.Sprintf("placements %v", s.Placements)
	}
	if ids, err := h.cliConstraints(); err != nil || len(ids) > 0 {
		return false, fmt.Sprintf("cli constraints %v %v", ids, err)
	}
	for _, n := range nodes {
		st, err := h.showStat(n)
		if err != nil {
			return false, err.Error()
		}
		for k, v := range st {
			if v != "UP" {
				return false, fmt.Sprintf("HAProxy on %s: %s is %s", n, k, v)
			}
		}
	}
	_, c := h.snap()
	if c == nil {
		return false, "no snapshot"
	}
	for _, n := range nodes {
		sn := c.Node(n)
		if sn == nil || sn.Stale || sn.Pacemaker == nil || !sn.Pacemaker.Online || sn.Power() != "on" {
			return false, fmt.Sprintf("hacon: %s not online+on yet", n)
		}
	}
	for _, src := range c.Sources {
		if !src.OK {
			// A source that failed is polled again only after its backoff
			// (up to probes.MaxBackoff); ask for a poll now, as the console
			// does after an action.
			h.sched.Kick()
			return false, fmt.Sprintf("hacon: source %s %s still failing: %s", src.Kind, src.Name, src.Error)
		}
	}
	return true, ""
}

// requireHealthy waits (bounded) for a healthy lab before a scenario.
func (h *harness) requireHealthy(t *testing.T) {
	t.Helper()
	eventually(t, 90*time.Second, "healthy lab before the test", h.healthy)
}

// crm runs a Pacemaker command on any live controller, failing the test.
func (h *harness) crm(t *testing.T, argv ...string) string {
	t.Helper()
	out, _, err := h.onAny(argv...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// place puts an A/P resource on a node with a move and a clear (stickiness
// keeps it there), outside hacon: test set-up.
func (h *harness) place(t *testing.T, res, node string) {
	t.Helper()
	s, err := h.crmMon()
	if err != nil {
		t.Fatal(err)
	}
	if w := s.Where[res]; len(w) == 1 && w[0] == node {
		return
	}
	h.crm(t, "crm_resource", "--move", "--resource", res, "--node", node)
	eventually(t, 60*time.Second, "set-up: "+res+" on "+node, func() (bool, string) {
		s, err := h.crmMon()
		if err != nil {
			return false, err.Error()
		}
		w := s.Where[res]
		return len(w) == 1 && w[0] == node && len(s.Stopped) == 0, fmt.Sprint(s.Placements)
	})
	h.crm(t, "crm_resource", "--clear", "--resource", res)
}
