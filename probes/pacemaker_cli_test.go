package probes

import (
	"context"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
)

// Helpers for the tests that run Pacemaker's real CLI on CIB files, and an
// independent reading of crm_mon's text output to hold hacon's parse of the
// XML against.

var pcmkTools = []string{"crm_mon", "crm_simulate", "crm_resource", "crm_attribute", "cibadmin"}

// requirePcmkCLI skips when Pacemaker's CLI is missing, except in CI.
func requirePcmkCLI(t testing.TB) {
	t.Helper()
	// Debian installs them in /usr/sbin, which a non-root PATH often lacks;
	// the probe's `env` finds them through PATH too.
	if _, err := exec.LookPath("crm_mon"); err != nil {
		if _, err := os.Stat("/usr/sbin/crm_mon"); err == nil {
			t.Setenv("PATH", os.Getenv("PATH")+string(os.PathListSeparator)+"/usr/sbin")
		}
	}
	for _, tool := range pcmkTools {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not installed (apt-get install pacemaker-cli-utils): %v", tool, err)
			}
			t.Skipf("%s not installed; set CI=true to make this a failure", tool)
		}
	}
}

// pcmkRun runs a Pacemaker tool against a CIB file with a timeout.
func pcmkRun(t testing.TB, cib string, argv ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	if cib != "" {
		cmd.Env = append(os.Environ(), "CIB_file="+cib)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	return string(out)
}

// textPlacement is one "resource on node in role" line crm_mon printed.
type textPlacement struct {
	rsc, node, role string
	failed          bool
	group           bool // a member line of a group: roles are per member
}

// textView is crm_mon's own text output, read line by line.
type textView struct {
	nodes      map[string]string // node → hacon's State() word
	placements []textPlacement
}

var textRoles = map[string]string{
	"Started": cluster.RoleStarted, "Stopped": cluster.RoleStopped, "Promoted": cluster.RolePromoted,
	"Unpromoted": cluster.RoleUnpromoted, "Master": cluster.RolePromoted, "Slave": cluster.RoleUnpromoted,
	"Starting": "Starting", "Stopping": "Stopping", "Migrating": "Migrating",
}

// parseCrmMonText reads `crm_mon -1 --inactive` text: the Node List and the
// Full List of Resources, where a top-level entry is at indent 2 and its
// clone instances, group members or bundle replicas below it.
func parseCrmMonText(out string) textView {
	v := textView{nodes: map[string]string{}}
	section, top, topKind := "", "", ""
	for _, line := range strings.Split(out, "\n") {
		switch strings.TrimSpace(line) {
		case "Node List:", "Full List of Resources:":
			section = strings.TrimSpace(line)
			continue
		}
		if line == "" || !strings.HasPrefix(line, "  ") {
			if !strings.HasPrefix(line, " ") {
				section = ""
			}
			continue
		}
		indent := len(line) - len(strings.TrimLeft(line, " "))
		body := strings.TrimPrefix(strings.TrimSpace(line), "* ")
		switch section {
		case "Node List:":
			textNodeLine(v.nodes, body)
		case "Full List of Resources:":
			if indent == 2 {
				top, topKind = textBlock(body)
				if topKind == "" {
					v.add(top, body, false)
				}
				continue
			}
			switch topKind {
			case "clone":
				if role, nodes, ok := textRoleList(body); ok {
					for _, n := range nodes {
						if role != cluster.RoleStopped && !strings.HasPrefix(role, "Stopped") {
							v.placements = append(v.placements, textPlacement{rsc: top, node: n, role: role})
						}
					}
					continue
				}
				v.add(top, body, false)
			case "group":
				v.add(top, body, true)
			case "bundle":
				v.add(top, body, false)
			}
		}
	}
	return v
}

// textBlock names a top-level entry and the kind of block it opens.
func textBlock(body string) (id, kind string) {
	for prefix, k := range map[string]string{"Clone Set: ": "clone", "Resource Group: ": "group", "Container bundle set: ": "bundle"} {
		if rest, ok := strings.CutPrefix(body, prefix); ok {
			id, _, _ = strings.Cut(rest, " ")
			return strings.TrimSuffix(id, ":"), k
		}
	}
	id, _, _ = strings.Cut(body, "\t")
	return id, ""
}

// add reads "<id>\t(<agent>):\t [FAILED] [Role] node… (extras)".
func (v *textView) add(top, body string, group bool) {
	_, status, ok := strings.Cut(body, "):\t")
	if !ok {
		return
	}
	var words []string
	depth := 0
	for _, w := range strings.Fields(status) {
		switch {
		case strings.HasPrefix(w, "("):
			depth++
		}
		if depth == 0 && w != "[" && w != "]" {
			words = append(words, w)
		}
		if strings.HasSuffix(w, ")") && depth > 0 {
			depth--
		}
	}
	p := textPlacement{rsc: top, role: cluster.RoleStarted, group: group}
	if len(words) > 0 && words[0] == "FAILED" {
		p.failed, words = true, words[1:]
	}
	if len(words) > 0 {
		if r, ok := textRoles[words[0]]; ok {
			p.role, words = r, words[1:]
		}
	}
	for _, n := range words {
		q := p
		q.node = n
		v.placements = append(v.placements, q)
	}
	if len(words) == 0 && p.failed {
		v.placements = append(v.placements, p) // failed and running nowhere
	}
}

// textRoleList reads a clone summary line "Role: [ a b ]".
func textRoleList(body string) (role string, nodes []string, ok bool) {
	head, rest, found := strings.Cut(body, ": [")
	if !found || strings.Contains(head, "\t") {
		return "", nil, false
	}
	role = head
	if r, known := textRoles[head]; known {
		role = r
	}
	return role, strings.Fields(strings.TrimSuffix(strings.TrimSpace(rest), "]")), true
}

// textNodeLine maps crm_mon's node words onto cluster.PcmkNode.State().
func textNodeLine(nodes map[string]string, body string) {
	lists := map[string]string{"Online": "online", "OFFLINE": "offline", "GuestOnline": "online", "RemoteOnline": "online", "RemoteOFFLINE": "offline", "GuestOFFLINE": "offline"}
	if head, rest, ok := strings.Cut(body, ": ["); ok {
		if st, known := lists[head]; known {
			for _, n := range strings.Fields(strings.TrimSuffix(rest, "]")) {
				nodes[n] = st
			}
		}
		return
	}
	_, rest, ok := strings.Cut(body, "Node ")
	if !ok {
		return
	}
	name, state, _ := strings.Cut(rest, ": ")
	switch {
	case strings.HasPrefix(state, "UNCLEAN"):
		nodes[name] = "UNCLEAN"
	case strings.HasPrefix(state, "OFFLINE"):
		nodes[name] = "offline"
	case strings.HasPrefix(state, "maintenance"):
		nodes[name] = "maintenance"
	case strings.HasPrefix(state, "standby"):
		nodes[name] = "standby"
	case strings.HasPrefix(state, "pending"):
		nodes[name] = "pending"
	case strings.HasPrefix(state, "online"):
		nodes[name] = "online"
	default:
		nodes[name] = "?" + state
	}
}

// comparePcmk holds hacon's parse against crm_mon's text view: the same
// nodes in the same states, and every resource on the same nodes in the
// same roles with the same failed flags.
func comparePcmk(t *testing.T, label string, st *cluster.PacemakerStatus, v textView) {
	t.Helper()
	for _, n := range st.Nodes {
		want, listed := v.nodes[n.Name]
		if !listed {
			if n.Type == "member" {
				t.Errorf("%s: node %s missing from crm_mon's text", label, n.Name)
			}
			continue
		}
		if n.State() != want {
			t.Errorf("%s: node %s is %s to hacon, %s to crm_mon", label, n.Name, n.State(), want)
		}
	}
	for name := range v.nodes {
		if !hasNode(st, name) {
			t.Errorf("%s: crm_mon lists node %s, hacon does not", label, name)
		}
	}
	var textList []string
	groupRoles := map[string]map[string]bool{}
	groupFailed := map[string]bool{}
	groupFailedAnywhere := map[string]bool{}
	for _, p := range v.placements {
		if p.node == "" {
			groupFailedAnywhere[p.rsc] = groupFailedAnywhere[p.rsc] || p.group
			continue
		}
		if p.group {
			k := p.rsc + " " + p.node
			if groupRoles[k] == nil {
				groupRoles[k] = map[string]bool{}
			}
			groupRoles[k][p.role] = true
			groupFailed[k] = groupFailed[k] || p.failed
			continue
		}
		textList = append(textList, placementKey(p.rsc, p.node, p.role, p.failed))
	}
	var hacon []string
	for _, r := range st.Resources {
		for _, in := range r.Instances {
			if in.Node == "" {
				continue
			}
			if r.Kind == cluster.KindGroup {
				k := r.ID + " " + in.Node
				// hacon marks a group failed if any member failed, even
				// one that runs nowhere now.
				if !groupRoles[k][in.Role] || (groupFailed[k] || groupFailedAnywhere[r.ID]) != in.Failed {
					t.Errorf("%s: group %s on %s: hacon %s failed=%v; crm_mon member roles %v failed=%v", label, r.ID, in.Node, in.Role, in.Failed, groupRoles[k], groupFailed[k])
				}
				delete(groupRoles, k)
				continue
			}
			hacon = append(hacon, placementKey(r.ID, in.Node, in.Role, in.Failed))
		}
	}
	for k := range groupRoles {
		t.Errorf("%s: crm_mon shows group %s, hacon has no instance there", label, k)
	}
	sort.Strings(hacon)
	sort.Strings(textList)
	if strings.Join(hacon, "\n") != strings.Join(textList, "\n") {
		t.Errorf("%s: placements differ\nhacon:\n  %s\ncrm_mon text:\n  %s", label, strings.Join(hacon, "\n  "), strings.Join(textList, "\n  "))
	}
}

func placementKey(rsc, node, role string, failed bool) string {
	k := rsc + " " + node + " " + role
	if failed {
		k += " FAILED"
	}
	return k
}

func hasNode(st *cluster.PacemakerStatus, name string) bool {
	for _, n := range st.Nodes {
		if n.Name == name {
			return true
		}
	}
	return false
}
