package probes

import (
	"bytes"
	"context"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/remote"
)

// ipAddrArgv lists a controller's addresses: the truth about where a VIP
// is, whatever keepalived says.
var ipAddrArgv = []string{"ip", "-j", "addr", "show"}

// dataMarker separates the JSON dump from the text data dump in the dump
// script's output.
const dataMarker = "\n--hacon-keepalived-data--\n"

// keepalivedDumpScript asks keepalived for its JSON dump and prints it. It
// is a constant: no name from a peer or the config is ever part of it. The
// dump goes to a fixed path in keepalived's own mount namespace (a
// container's /tmp for kolla), which is why the script runs there. When an
// instance is in FAULT, the text data dump follows, for the names of the
// failing checks the JSON does not carry.
const keepalivedDumpScript = `pid=$(cat /run/keepalived.pid 2>/dev/null || pgrep -o -x keepalived)
[ -n "$pid" ] || { echo "keepalived is not running (no /run/keepalived.pid, no process)" >&2; exit 3; }
sig=$(keepalived --signum=JSON 2>/dev/null)
[ -n "$sig" ] || { echo "this keepalived has no JSON dump (keepalived --signum=JSON failed)" >&2; exit 4; }
f=/tmp/keepalived.json
rm -f "$f"
kill -s "$sig" "$pid" || exit 5
i=0
while ! tail -c 4 "$f" 2>/dev/null | grep -q ']' && [ $i -lt 40 ]; do sleep 0.05; i=$((i+1)); done
[ -s "$f" ] || { echo "keepalived wrote no $f within 2s" >&2; exit 6; }
head -c 4194304 "$f"
grep -q '"state":3' "$f" || exit 0
dsig=$(keepalived --signum=DATA 2>/dev/null) || exit 0
d=/tmp/keepalived.data
rm -f "$d"
kill -s "$dsig" "$pid" || exit 0
i=0
while ! grep -q '< Interfaces >' "$d" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.05; i=$((i+1)); done
printf '\n--hacon-keepalived-data--\n'
head -c 1048576 "$d"
`

// KeepalivedDumpArgv is the argv (after the cluster's prefix) that prints
// keepalived's state: the keepalived exec prefix, then the dump script.
func KeepalivedDumpArgv(exec []string) []string {
	return append(slices.Clone(exec), "sh", "-c", keepalivedDumpScript)
}

// probeKeepalived reads one controller's addresses, then keepalived's
// dump. Without the dump it still answers, address-only, and says why: the
// addresses alone say where each VIP is.
func probeKeepalived(ctx context.Context, t *Target) cluster.Result {
	if t.Cluster == nil || t.Controller == nil || t.Deps == nil || t.Deps.Runner == nil {
		return cluster.Result{Err: "keepalived probe: no controller or command runner configured"}
	}
	h := remote.Host{Transport: remote.Prefix{Command: t.Cluster.Command, Runner: t.Deps.Runner}, Controller: *t.Controller}
	// The addresses get half the time at most: a hung dump must not cost
	// them, and they are what matters most.
	actx, cancel := halfDeadline(ctx)
	out, err := h.Run(actx, ipAddrArgv)
	cancel()
	if err != nil {
		return cluster.Result{Err: "ip -j addr on " + t.Controller.Name + ": " + err.Error()}
	}
	addrs, err := ParseIPAddr(bytes.NewReader(out.Stdout))
	if err != nil {
		return cluster.Result{Err: t.Controller.Name + ": " + err.Error()}
	}
	st := &cluster.KeepalivedStatus{Node: t.Controller.Name, Addresses: addrs}
	out, err = h.Run(ctx, ForRemoteShell(t.Cluster.Command, KeepalivedDumpArgv(t.Cluster.KeepalivedExec())))
	if err != nil {
		st.DumpError = "keepalived dump unavailable (showing addresses only): " + err.Error()
		return cluster.Result{Keepalived: st}
	}
	jsonPart, dataPart := splitDump(out.Stdout)
	inst, warning, err := ParseKeepalivedJSON(jsonPart)
	if err != nil {
		st.DumpError = "keepalived dump unusable (showing addresses only): " + err.Error()
		return cluster.Result{Keepalived: st}
	}
	if len(dataPart) > 0 {
		failing := ParseKeepalivedData(bytes.NewReader(dataPart))
		for i := range inst {
			if inst[i].State == cluster.VRRPFault {
				inst[i].FailingChecks = failing[inst[i].Name]
			}
		}
	}
	st.DumpOK, st.Instances, st.Warning = true, inst, warning
	return cluster.Result{Keepalived: st}
}

// halfDeadline bounds a first step to half of the time ctx has left.
func halfDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	dl, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, dl.Add(-time.Until(dl)/2))
}

// keepalivedTargets is one keepalived source per controller of a cluster
// with keepalived VIPs: backups are silent on the wire, so each node is
// asked.
func keepalivedTargets(cc *config.Cluster, mk func(kind cluster.SourceKind, name, addr string, override, ioverride time.Duration) *Target) []*Target {
	if !cc.UsesKeepalived() {
		return nil
	}
	var to, iv time.Duration
	if k := cc.Keepalived; k != nil {
		to, iv = k.Timeout, k.Interval
	}
	var ts []*Target
	for i := range cc.Controllers {
		c := &cc.Controllers[i]
		t := mk(cluster.KindKeepalived, c.Name, "ip addr + keepalived dump on "+c.Name, to, iv)
		t.Controller = c
		ts = append(ts, t)
	}
	return ts
}

// ForRemoteShell quotes a tool's argv when the prefix is ssh: ssh joins
// the words after the host with spaces and the remote user's shell parses
// them again, so a word with spaces or quotes (the dump script) must reach
// it single-quoted. Any other prefix execs argv as it is.
func ForRemoteShell(prefix, argv []string) []string {
	if len(prefix) == 0 || path.Base(prefix[0]) != "ssh" {
		return argv
	}
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	return out
}
