package probes

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hacon/hacon/cluster"
)

// The XML shapes below cover both crm_mon dialects hacon accepts: the
// <pacemaker-result> of `crm_mon --output-as=xml` (Pacemaker 2.0.3+) and the
// <crm_mon> root of the deprecated `crm_mon --as-xml` (1.1 up to 2.0.2).
// Their element and attribute names are the same where hacon looks; the
// differences are the root, the <status> trailer (2.x only) and the role
// words (Master/Slave before 2.1), which normRole maps.

type xCrmMon struct {
	XMLName   xml.Name
	Summary   *xSummary   `xml:"summary"`
	Nodes     []xNode     `xml:"nodes>node"`
	Resources xResources  `xml:"resources"`
	NodeAttrs []xAttrNode `xml:"node_attributes>node"`
	History   []xHistNode `xml:"node_history>node"`
	Failures  []xFailure  `xml:"failures>failure"`
	Bans      []xBan      `xml:"bans>ban"`
	Fencing   []xFence    `xml:"fence_history>fence_event"`
	Status    *xStatus    `xml:"status"`
}

type xSummary struct {
	Stack struct {
		Type string `xml:"type,attr"`
	} `xml:"stack"`
	DC struct {
		Present    string `xml:"present,attr"`
		Name       string `xml:"name,attr"`
		WithQuorum string `xml:"with_quorum,attr"`
	} `xml:"current_dc"`
	LastChange struct {
		Time string `xml:"time,attr"`
	} `xml:"last_change"`
	Options struct {
		Stonith     string `xml:"stonith-enabled,attr"`
		Maintenance string `xml:"maintenance-mode,attr"`
	} `xml:"cluster_options"`
}

type xNode struct {
	Name          string `xml:"name,attr"`
	ID            string `xml:"id,attr"`
	Online        string `xml:"online,attr"`
	Standby       string `xml:"standby,attr"`
	StandbyOnFail string `xml:"standby_onfail,attr"`
	Maintenance   string `xml:"maintenance,attr"`
	Pending       string `xml:"pending,attr"`
	Unclean       string `xml:"unclean,attr"`
	Shutdown      string `xml:"shutdown,attr"`
	IsDC          string `xml:"is_dc,attr"`
	Running       string `xml:"resources_running,attr"`
	Type          string `xml:"type,attr"`
}

type xAttrNode struct {
	Name  string `xml:"name,attr"`
	Attrs []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	} `xml:"attribute"`
}

type xHistNode struct {
	Name      string `xml:"name,attr"`
	Resources []struct {
		ID          string `xml:"id,attr"`
		FailCount   string `xml:"fail-count,attr"`
		LastFailure string `xml:"last-failure,attr"`
	} `xml:"resource_history"`
}

type xFailure struct {
	OpKey      string `xml:"op_key,attr"`
	ID         string `xml:"id,attr"` // older writers use id instead of op_key
	Node       string `xml:"node,attr"`
	ExitStatus string `xml:"exitstatus,attr"`
	ExitReason string `xml:"exitreason,attr"`
	ExitCode   string `xml:"exitcode,attr"`
	Interval   string `xml:"interval,attr"`
	Task       string `xml:"task,attr"`
	LastChange string `xml:"last-rc-change,attr"`
}

type xBan struct {
	ID           string `xml:"id,attr"`
	Resource     string `xml:"resource,attr"`
	Node         string `xml:"node,attr"`
	Weight       string `xml:"weight,attr"`
	PromotedOnly string `xml:"promoted-only,attr"`
	MasterOnly   string `xml:"master_only,attr"`
}

type xFence struct {
	Target     string `xml:"target,attr"`
	Action     string `xml:"action,attr"`
	Status     string `xml:"status,attr"`
	Extended   string `xml:"extended-status,attr"`
	ExitReason string `xml:"exit-reason,attr"`
	Delegate   string `xml:"delegate,attr"`
	Client     string `xml:"client,attr"`
	Origin     string `xml:"origin,attr"`
	Completed  string `xml:"completed,attr"`
}

type xStatus struct {
	Code    string   `xml:"code,attr"`
	Message string   `xml:"message,attr"`
	Errors  []string `xml:"errors>error"`
}

// maxCrmMonBytes bounds what the parser reads: a huge cluster's crm_mon is a
// few MiB, so anything far beyond is a broken pipe or the wrong command.
const maxCrmMonBytes = 64 << 20

// ParseCrmMon parses the XML of `crm_mon --one-shot --inactive
// --output-as=xml` (or the 1.1 `--as-xml` shape) into the model. Modes of
// promotable clones and bundles are provisional until ApplyCIBResources
// supplies promoted-max from the CIB.
func ParseCrmMon(r io.Reader) (*cluster.PacemakerStatus, error) {
	var x xCrmMon
	d := xml.NewDecoder(io.LimitReader(r, maxCrmMonBytes))
	if err := d.Decode(&x); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("crm_mon XML: empty output")
		}
		return nil, fmt.Errorf("crm_mon XML: %w", err)
	}
	switch x.XMLName.Local {
	case "pacemaker-result", "crm_mon":
	default:
		return nil, fmt.Errorf("crm_mon XML: unexpected root <%s>", x.XMLName.Local)
	}
	// crm_mon reports a CIB it could not read as a result with no summary
	// and the reason under status/errors (sometimes with code 0), so a
	// missing summary is the failure signal, not the status code.
	if x.Summary == nil {
		msg := "no cluster summary in output"
		if x.Status != nil {
			parts := append([]string{}, x.Status.Errors...)
			if x.Status.Code != "" && x.Status.Code != "0" {
				parts = append([]string{"status " + x.Status.Code + " " + x.Status.Message}, parts...)
			}
			if len(parts) > 0 {
				msg = strings.Join(parts, ": ")
			}
		}
		return nil, fmt.Errorf("crm_mon: %s", strings.TrimSpace(msg))
	}
	st := &cluster.PacemakerStatus{
		Stack:           x.Summary.Stack.Type,
		HasQuorum:       isTrue(x.Summary.DC.WithQuorum),
		StonithEnabled:  isTrue(x.Summary.Options.Stonith),
		MaintenanceMode: isTrue(x.Summary.Options.Maintenance),
		LastChange:      x.Summary.LastChange.Time,
	}
	if isTrue(x.Summary.DC.Present) {
		st.DC = x.Summary.DC.Name
	}
	st.Nodes = make([]cluster.PcmkNode, 0, len(x.Nodes))
	for _, n := range x.Nodes {
		st.Nodes = append(st.Nodes, convertNode(n))
	}
	st.Resources = make([]cluster.Resource, 0, len(x.Resources.Items))
	for i := range x.Resources.Items {
		if r, ok := convertResource(&x.Resources.Items[i]); ok {
			st.Resources = append(st.Resources, r)
		}
	}
	if len(x.NodeAttrs) > 0 {
		st.NodeAttributes = make(map[string]map[string]string, len(x.NodeAttrs))
		for _, n := range x.NodeAttrs {
			m := st.NodeAttributes[n.Name]
			if m == nil {
				m = make(map[string]string, len(n.Attrs))
				st.NodeAttributes[n.Name] = m
			}
			for _, a := range n.Attrs {
				m[a.Name] = a.Value
			}
		}
	}
	st.Failures = convertFailures(x.Failures, x.History)
	for _, b := range x.Bans {
		c := cluster.Constraint{ID: b.ID, Kind: banKind(b.ID), Resource: b.Resource, Node: b.Node, Score: b.Weight}
		if isTrue(b.PromotedOnly) || isTrue(b.MasterOnly) {
			c.Role = cluster.RolePromoted
		}
		st.Constraints = append(st.Constraints, c)
	}
	for _, f := range x.Fencing {
		reason := f.ExitReason
		if reason == "" {
			reason = f.Extended
		}
		st.FenceHistory = append(st.FenceHistory, cluster.FenceEvent{
			Target: f.Target, Action: f.Action, Status: f.Status, Delegate: f.Delegate,
			Client: f.Client, Origin: f.Origin, Completed: f.Completed, Reason: reason,
		})
	}
	return st, nil
}

func convertNode(n xNode) cluster.PcmkNode {
	running, _ := strconv.Atoi(n.Running)
	typ := n.Type
	if typ == "" {
		typ = "member"
	}
	return cluster.PcmkNode{
		Name: n.Name, ID: n.ID, Type: typ,
		Online:           isTrue(n.Online),
		Standby:          isTrue(n.Standby),
		StandbyOnFail:    isTrue(n.StandbyOnFail),
		Maintenance:      isTrue(n.Maintenance),
		Pending:          isTrue(n.Pending),
		Unclean:          isTrue(n.Unclean),
		Shutdown:         isTrue(n.Shutdown),
		DC:               isTrue(n.IsDC),
		ResourcesRunning: running,
	}
}

// banKind tells bans left by `crm_resource --ban/--move` from -INFINITY
// location constraints an operator wrote on purpose: crm_mon lists both.
func banKind(id string) string {
	if strings.HasPrefix(id, "cli-ban-") {
		return "cli-ban"
	}
	return "ban"
}

// convertFailures joins the failed operations with the fail-counts from
// node_history; a fail-count with no failed operation left in the status
// section (e.g. after a cleanup of the op history) still becomes a Failure.
func convertFailures(fs []xFailure, hist []xHistNode) []cluster.Failure {
	type key struct{ node, rsc string }
	counts := map[key]int{}
	last := map[key]string{}
	var order []key
	for _, n := range hist {
		for _, h := range n.Resources {
			if h.FailCount == "" {
				continue
			}
			c := parseFailCount(h.FailCount)
			if c <= 0 {
				continue
			}
			k := key{n.Name, baseID(h.ID)}
			if _, seen := counts[k]; !seen {
				order = append(order, k)
			}
			counts[k] = max(counts[k], c)
			last[k] = h.LastFailure
		}
	}
	var out []cluster.Failure
	used := map[key]bool{}
	for _, f := range fs {
		op := f.OpKey
		if op == "" {
			op = f.ID
		}
		code, _ := strconv.Atoi(f.ExitCode)
		fl := cluster.Failure{
			OpKey: op, Node: f.Node, Task: f.Task, ExitStatus: f.ExitStatus, ExitReason: f.ExitReason,
			ExitCode: code, Interval: f.Interval, LastChange: f.LastChange, Resource: resourceOfOpKey(op, f.Task),
		}
		k := key{f.Node, fl.Resource}
		fl.FailCount = counts[k]
		used[k] = true
		out = append(out, fl)
	}
	for _, k := range order {
		if !used[k] {
			out = append(out, cluster.Failure{Resource: k.rsc, Node: k.node, FailCount: counts[k], LastChange: last[k]})
		}
	}
	return out
}

// parseFailCount reads a fail-count, where INFINITY means "banned by failure".
func parseFailCount(s string) int {
	switch strings.TrimPrefix(strings.ToUpper(s), "+") {
	case "INFINITY":
		return 1000000
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}

// resourceOfOpKey recovers the resource of an operation key
// <rsc>_<task>_<interval-ms>; resource ids may contain underscores and
// tasks like migrate_to do too, so both ends are cut with care.
func resourceOfOpKey(op, task string) string {
	i := strings.LastIndexByte(op, '_')
	if i <= 0 {
		return baseID(op)
	}
	rest := op[:i]
	for _, t := range []string{task, "migrate_to", "migrate_from"} {
		if t != "" && strings.HasSuffix(rest, "_"+t) {
			return baseID(strings.TrimSuffix(rest, "_"+t))
		}
	}
	if j := strings.LastIndexByte(rest, '_'); j > 0 {
		return baseID(rest[:j])
	}
	return baseID(rest)
}

// baseID strips a clone instance suffix (":N").
func baseID(id string) string {
	if i := strings.LastIndexByte(id, ':'); i > 0 {
		if _, err := strconv.Atoi(id[i+1:]); err == nil {
			return id[:i]
		}
	}
	return id
}

func isTrue(s string) bool {
	switch strings.ToLower(s) {
	case "true", "1", "yes", "on", "y":
		return true
	}
	return false
}

// normRole maps crm_mon's role words to the model's. Pacemaker before 2.1
// says Master/Slave, and some CIBs carry lower-case target roles.
func normRole(s string) string {
	switch strings.ToLower(s) {
	case "master", "promoted":
		return cluster.RolePromoted
	case "slave", "unpromoted":
		return cluster.RoleUnpromoted
	case "started":
		return cluster.RoleStarted
	case "stopped", "":
		return cluster.RoleStopped
	}
	return strings.ToUpper(s[:1]) + strings.ToLower(s[1:])
}
