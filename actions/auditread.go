package actions

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/timeline"
)

// AuditActions reads the actions of one cluster ("" for all) from an audit
// log, oldest first, as the timeline tells them: the intent, result and
// verify lines of one action (one action_id) folded into one. Lines from
// before action_id pair by cluster and target. c, when known, maps a
// resource to its service for relating actions to incidents. A missing
// file has no actions.
func AuditActions(path, clusterName string, c *cluster.Cluster) ([]timeline.Action, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	defer f.Close()
	var out []timeline.Action
	open := map[string]int{} // action_id, or cluster|target for old lines → index in out
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), maxAuditLine)
	for n := 1; sc.Scan(); n++ {
		var e AuditEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			continue // VerifyAuditChain names broken lines; a report goes on
		}
		if clusterName != "" && e.Cluster != clusterName {
			continue
		}
		key := e.ActionID
		if key == "" {
			key = e.Cluster + "|" + e.Target
		}
		i, ok := open[key]
		if e.Phase == PhaseIntent || !ok {
			out = append(out, intentAction(e, c))
			i = len(out) - 1
			open[key] = i
		}
		foldAuditLine(&out[i], e)
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("audit log %s: %w", path, err)
	}
	return out, nil
}

// intentAction is an action as its first line tells it.
func intentAction(e AuditEntry, c *cluster.Cluster) timeline.Action {
	t, _ := time.Parse(time.RFC3339Nano, e.Time)
	a := timeline.Action{ID: e.ActionID, Time: t, Command: ":" + e.Target, Operator: e.Operator.String(), State: timeline.ActionRunning}
	if req, err := Parse(e.Cluster, strings.Fields(e.Target)); err == nil {
		a.Keys = timeline.ActionKeys(c, req.Node, req.Service, req.VIP, req.Resource)
	}
	return a
}

// foldAuditLine applies a result or verify line to its action.
func foldAuditLine(a *timeline.Action, e AuditEntry) {
	switch e.Phase {
	case PhaseResult, PhaseVerify:
		a.State, a.DurationMS = timeline.ActionDone, e.DurationMS
		if !e.OK {
			a.State = timeline.ActionFailed
		}
		a.Result = e.Error
		// A result line from before the verify phase carried verified.
		a.Verified = e.Verified
		a.VerifyState = e.VerifyState
		if e.Phase == PhaseVerify && e.Verify != "" && a.Result == "" {
			a.Result = e.Verify
		}
	}
}
