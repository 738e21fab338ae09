package probes

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hacon/hacon/cluster"
)

// crm_mon speaks two XML dialects, and hacon reads both: the
// <pacemaker-result> of `crm_mon --output-as=xml` (Pacemaker 2.0.3+) and the
// <crm_mon> root of the deprecated `crm_mon --as-xml` (1.1 up to 2.0.2).
// Their element and attribute names are the same where hacon looks; the
// differences are the root, the <status> trailer (2.x only), the role words
// (Master/Slave before 2.1, mapped by normRole) and 1.1's agent spelling
// ocf::heartbeat:IPaddr2.

// maxCrmMonBytes bounds what the parser reads: a huge cluster's crm_mon is a
// few MiB, so anything far beyond is a broken pipe or the wrong command.
const maxCrmMonBytes = 64 << 20

// ParseCrmMon parses the XML of `crm_mon --one-shot --inactive
// --output-as=xml` (or the 1.1 `--as-xml` shape) into the model. Modes of
// promotable clones and bundles are provisional until ApplyCIBResources
// supplies promoted-max from the CIB.
func ParseCrmMon(r io.Reader) (*cluster.PacemakerStatus, error) {
	return ParseCrmMonContext(context.Background(), r)
}

// ParseCrmMonContext is ParseCrmMon that gives up when ctx ends.
func ParseCrmMonContext(ctx context.Context, r io.Reader) (*cluster.PacemakerStatus, error) {
	root, err := readCrmMonRoot(ctx, r)
	if err != nil {
		return nil, err
	}
	summary := root.child("summary")
	// crm_mon reports a CIB it could not read as a result with no summary
	// and the reason under status/errors (sometimes with code 0), so a
	// missing summary is the failure signal, not the status code.
	if summary == nil {
		return nil, fmt.Errorf("crm_mon: %s", crmMonFailure(root.child("status")))
	}
	st := &cluster.PacemakerStatus{}
	if e := summary.child("stack"); e != nil {
		st.Stack = e.attr("type")
	}
	if e := summary.child("current_dc"); e != nil {
		st.HasQuorum = isTrue(e.attr("with_quorum"))
		if isTrue(e.attr("present")) {
			st.DC = e.attr("name")
		}
	}
	if e := summary.child("last_change"); e != nil {
		st.LastChange = e.attr("time")
	}
	if e := summary.child("cluster_options"); e != nil {
		st.StonithEnabled = isTrue(e.attr("stonith-enabled"))
		st.MaintenanceMode = isTrue(e.attr("maintenance-mode"))
	}
	root.each("nodes", "node", func(n *xel) { st.Nodes = append(st.Nodes, convertNode(n)) })
	if res := root.child("resources"); res != nil {
		st.Resources = make([]cluster.Resource, 0, len(res.kids))
		for _, k := range res.kids {
			if r, ok := convertResource(k); ok {
				st.Resources = append(st.Resources, r)
			}
		}
	}
	root.each("node_attributes", "node", func(n *xel) {
		if st.NodeAttributes == nil {
			st.NodeAttributes = map[string]map[string]string{}
		}
		m := st.NodeAttributes[n.attr("name")]
		if m == nil {
			m = make(map[string]string, len(n.kids))
			st.NodeAttributes[n.attr("name")] = m
		}
		for _, a := range n.kids {
			if a.name == "attribute" {
				m[a.attr("name")] = a.attr("value")
			}
		}
	})
	st.Failures = convertFailures(root)
	root.each("bans", "ban", func(b *xel) {
		c := cluster.Constraint{ID: b.attr("id"), Kind: banKind(b.attr("id")), Resource: b.attr("resource"), Node: b.attr("node"), Score: b.attr("weight")}
		if isTrue(b.attr("promoted-only")) || isTrue(b.attr("master_only")) {
			c.Role = cluster.RolePromoted
		}
		st.Constraints = append(st.Constraints, c)
	})
	root.each("fence_history", "fence_event", func(f *xel) {
		st.FenceHistory = append(st.FenceHistory, cluster.FenceEvent{
			Target: f.attr("target"), Action: f.attr("action"), Status: f.attr("status"), Delegate: f.attr("delegate"),
			Client: f.attr("client"), Origin: f.attr("origin"), Completed: f.attr("completed"),
			Reason: firstNonEmpty(f.attr("exit-reason"), f.attr("extended-status")),
		})
	})
	detach(st)
	return st, nil
}

// readCrmMonRoot reads crm_mon's XML, bounded by maxCrmMonBytes, and
// returns its root element.
func readCrmMonRoot(ctx context.Context, r io.Reader) (*xel, error) {
	// A strings.Builder hands its buffer over as the string, saving a copy
	// of what may be megabytes.
	var buf strings.Builder
	if n, ok := r.(interface{ Len() int }); ok {
		buf.Grow(min(n.Len(), maxCrmMonBytes) + 1)
	}
	n, err := io.Copy(&buf, io.LimitReader(r, maxCrmMonBytes+1))
	if err != nil {
		return nil, fmt.Errorf("crm_mon XML: %w", err)
	}
	if n > maxCrmMonBytes {
		return nil, fmt.Errorf("crm_mon XML: more than %d MiB", maxCrmMonBytes>>20)
	}
	if strings.TrimSpace(buf.String()) == "" {
		return nil, errors.New("crm_mon XML: empty output")
	}
	root, err := parseXMLTree(ctx, buf.String())
	if err != nil {
		return nil, fmt.Errorf("crm_mon XML: %w", err)
	}
	switch root.name {
	case "pacemaker-result", "crm_mon":
	default:
		return nil, fmt.Errorf("crm_mon XML: unexpected root <%s>", root.name)
	}
	return root, nil
}

// crmMonFailure words a result with no cluster status: the status code and
// crm_mon's own error lines.
func crmMonFailure(status *xel) string {
	if status == nil {
		return "no cluster summary in output"
	}
	var parts []string
	if code := status.attr("code"); code != "" && code != "0" {
		parts = append(parts, "status "+code+" "+status.attr("message"))
	}
	status.each("errors", "error", func(e *xel) { parts = append(parts, strings.TrimSpace(e.text)) })
	if len(parts) == 0 {
		return "no cluster summary in output"
	}
	return strings.Join(parts, ": ")
}

func convertNode(n *xel) cluster.PcmkNode {
	running, _ := strconv.Atoi(n.attr("resources_running"))
	typ := n.attr("type")
	if typ == "" {
		typ = "member"
	}
	return cluster.PcmkNode{
		Name: n.attr("name"), ID: n.attr("id"), Type: typ,
		Online:           isTrue(n.attr("online")),
		Standby:          isTrue(n.attr("standby")),
		StandbyOnFail:    isTrue(n.attr("standby_onfail")),
		Maintenance:      isTrue(n.attr("maintenance")),
		Pending:          isTrue(n.attr("pending")),
		Unclean:          isTrue(n.attr("unclean")),
		Shutdown:         isTrue(n.attr("shutdown")),
		DC:               isTrue(n.attr("is_dc")),
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
func convertFailures(root *xel) []cluster.Failure {
	type key struct{ node, rsc string }
	counts := map[key]int{}
	last := map[key]string{}
	thresholds := map[key]int{}
	var order []key
	root.each("node_history", "node", func(n *xel) {
		for _, h := range n.kids {
			if h.name != "resource_history" || !h.hasAttr("fail-count") {
				continue
			}
			c := parseFailCount(h.attr("fail-count"))
			if c <= 0 {
				continue
			}
			k := key{n.attr("name"), baseID(h.attr("id"))}
			if _, seen := counts[k]; !seen {
				order = append(order, k)
			}
			counts[k] = max(counts[k], c)
			last[k] = h.attr("last-failure")
			thresholds[k] = parseFailCount(h.attr("migration-threshold"))
		}
	})
	var out []cluster.Failure
	used := map[key]bool{}
	root.each("failures", "failure", func(f *xel) {
		op := firstNonEmpty(f.attr("op_key"), f.attr("id")) // older writers use id
		code, _ := strconv.Atoi(f.attr("exitcode"))
		fl := cluster.Failure{
			OpKey: op, Node: f.attr("node"), Task: f.attr("task"), ExitStatus: f.attr("exitstatus"),
			ExitReason: f.attr("exitreason"), ExitCode: code, Interval: f.attr("interval"),
			LastChange: f.attr("last-rc-change"), Resource: resourceOfOpKey(op, f.attr("task")),
		}
		k := key{fl.Node, fl.Resource}
		fl.FailCount, fl.MigrationThreshold = counts[k], thresholds[k]
		used[k] = true
		out = append(out, fl)
	})
	for _, k := range order {
		if !used[k] {
			out = append(out, cluster.Failure{Resource: k.rsc, Node: k.node, FailCount: counts[k], LastChange: last[k], MigrationThreshold: thresholds[k]})
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
