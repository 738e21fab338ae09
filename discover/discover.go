// Package discover learns a control plane from one of its controllers —
// Pacemaker's status and configuration, HAProxy's configuration, keepalived's
// when there is no Pacemaker — and writes the hacon config for it. It runs
// read-only commands only (Commands lists them), each through the same
// remote.Transport as the probes, and treats every byte it reads as hostile:
// names go into the config only if the config itself would accept them,
// and a fence device's password is never copied out of the CIB.
package discover

import (
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/remote"
)

// crmExNotConnected is crm_mon's exit status when no Pacemaker answers
// (CRM_EX_NOT_CONNECTED): a cluster without Pacemaker, not a failure.
const crmExNotConnected = 102

// The read-only commands discover runs on the controller.
var (
	CrmMonArgv  = []string{"crm_mon", "--one-shot", "--inactive", "--output-as=xml"}
	CIBArgv     = []string{"cibadmin", "--query"}
	ProcessArgv = []string{"ps", "-e", "-o", "pid=,comm="}
	// HAProxyPaths are where TripleO, kolla-ansible and openstack-ansible
	// keep HAProxy's configuration, in the order they are tried.
	HAProxyPaths = []string{
		"/var/lib/config-data/puppet-generated/haproxy/etc/haproxy/haproxy.cfg", // TripleO
		"/etc/kolla/haproxy/haproxy.cfg",                                        // kolla-ansible
		"/etc/haproxy/haproxy.cfg",                                              // openstack-ansible, distributions
	}
	// KollaServicesDir holds kolla's per-service HAProxy files (2023.2 on).
	KollaServicesDir = "/etc/kolla/haproxy/services.d"
	KeepalivedPaths  = []string{"/etc/kolla/keepalived/keepalived.conf", "/etc/keepalived/keepalived.conf"}
)

// Commands describes every command discover may run, for the README and
// `hacon discover -h`.
func Commands() []string {
	out := []string{strings.Join(CrmMonArgv, " "), strings.Join(CIBArgv, " ")}
	for _, p := range HAProxyPaths {
		out = append(out, "cat "+p)
	}
	out = append(out, "ls -1 "+KollaServicesDir+" (then cat of its *.cfg)",
		strings.Join(ProcessArgv, " ")+", cat /proc/PID/cmdline, cat /proc/PID/root/FILE (a running haproxy's -f files, when none of the above exists)")
	for _, p := range KeepalivedPaths {
		out = append(out, "cat "+p+" (without Pacemaker)")
	}
	out = append(out, "cat /proc/PID/cmdline, cat /proc/PID/root/FILE (a running keepalived's -f file, without Pacemaker and when none of the above exists)")
	return out
}

// Options says how to reach the controller.
type Options struct {
	Transport  remote.Transport
	Controller config.Controller // what the transport's templates expand from ({{.Name}}, {{.Address}})
	Via        []string          // the prefix, for the config's pacemaker.command
	Timeout    time.Duration     // per command; 0 is 30s
	// TransportFor, when set, builds the transport of a templated prefix
	// (the config's pacemaker.command): each controller's own HAProxy
	// configuration is read through it.
	TransportFor func(prefix []string) remote.Transport
	// Ran, when set, is told every command line that ran and how it ended.
	Ran func(argv []string, err error)
}

// Discover gathers, builds the cluster named name ("" for Pacemaker's
// cluster-name, else "overcloud"), then reads every other controller's
// HAProxy configuration through the config's own prefix and builds again.
func Discover(ctx context.Context, opts Options, name string) (*Result, []Note, error) {
	f, notes, err := Gather(ctx, opts)
	if err != nil {
		return nil, notes, err
	}
	if name == "" {
		name = "overcloud"
		if f.Pacemaker != nil && f.Pacemaker.ClusterName != "" {
			name = f.Pacemaker.ClusterName
		}
	}
	res, err := Build(name, f)
	if err != nil || opts.TransportFor == nil || f.HAProxy == nil {
		return res, notes, err
	}
	cmd := res.Cluster.Command // without Pacemaker: keepalived's prefix
	if res.Cluster.Pacemaker != nil {
		cmd = res.Cluster.Pacemaker.Command
	}
	if !slices.ContainsFunc(cmd, func(a string) bool { return strings.Contains(a, "{{") }) {
		return res, notes, nil
	}
	file := f.HAProxy.Files[0]
	if strings.HasPrefix(file, "/proc/") {
		return res, notes, nil // a process's path: another controller's pid differs
	}
	each := &runner{opts: opts}
	each.opts.Transport = opts.TransportFor(cmd)
	f.HAProxyOf = map[string]*HAProxyConfig{}
	for _, c := range res.Cluster.Controllers {
		each.opts.Controller = c
		text, err := each.run(ctx, "cat", file)
		if err != nil {
			notes = append(notes, Note{What: "HAProxy on " + c.Name, Why: "its configuration could not be read (" + oneLine(err.Error()) + "): taken to be the first controller's"})
			continue
		}
		if own, _, err := ParseHAProxy([]NamedText{{Name: c.Name + ":" + file, Text: text}}); err == nil {
			f.HAProxyOf[c.Name] = own
		}
	}
	res, err = Build(name, f)
	return res, notes, err
}

type runner struct {
	opts  Options
	notes []Note
}

func (r *runner) run(ctx context.Context, tool ...string) ([]byte, error) {
	t := r.opts.Timeout
	if t <= 0 {
		t = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, t)
	defer cancel()
	out, err := r.opts.Transport.Run(ctx, r.opts.Controller, tool)
	if r.opts.Ran != nil {
		argv := out.Argv
		if argv == nil {
			argv = tool
		}
		r.opts.Ran(argv, err)
	}
	if err != nil {
		return nil, err
	}
	return out.Stdout, nil
}

// Gather reads everything discover needs from the controller. A plane that
// does not answer is a note, not an error: the others may still describe
// the cluster. It fails only when the controller cannot be reached at all.
func Gather(ctx context.Context, opts Options) (*Facts, []Note, error) {
	r := &runner{opts: opts}
	f := &Facts{Via: opts.Via}
	if err := r.pacemaker(ctx, f); err != nil {
		return nil, r.notes, err
	}
	r.haproxy(ctx, f)
	if f.Pacemaker == nil {
		r.keepalived(ctx, f)
	}
	return f, r.notes, nil
}

func (r *runner) pacemaker(ctx context.Context, f *Facts) error {
	mon, err := r.run(ctx, CrmMonArgv...)
	if err != nil {
		if remote.IsUnreachable(err) {
			return fmt.Errorf("cannot reach the controller: %v", err)
		}
		why := "crm_mon: " + oneLine(err.Error())
		if ee, ok := errors.AsType[*remote.ExitError](err); ok && ee.Code == crmExNotConnected {
			why = "not running on this controller (crm_mon could not connect to it)"
		}
		r.notes = append(r.notes, Note{What: "Pacemaker", Why: why})
		return nil
	}
	nodes, skipped, err := ParseCrmMonNodes(mon)
	if err != nil {
		r.notes = append(r.notes, Note{What: "Pacemaker", Why: err.Error()})
		return nil
	}
	cib, err := r.run(ctx, CIBArgv...)
	pm := &Pacemaker{}
	if err == nil {
		pm, err = ParseCIB(cib)
	}
	if err != nil {
		r.notes = append(r.notes, Note{What: "Pacemaker configuration", Why: oneLine(err.Error()) + ": no resources, VIPs or BMCs from it"})
		pm = &Pacemaker{}
	}
	pm.Nodes = nodes
	pm.Skipped = append(pm.Skipped, summarize(skipped)...)
	r.notes = append(r.notes, pm.Skipped...)
	f.Pacemaker = pm
	return nil
}

func (r *runner) haproxy(ctx context.Context, f *Facts) {
	files := r.haproxyFiles(ctx)
	if len(files) == 0 {
		r.notes = append(r.notes, Note{What: "HAProxy", Why: "no configuration found at " + strings.Join(HAProxyPaths, ", ") + " nor from a running haproxy"})
		return
	}
	cfg, problems, err := ParseHAProxy(files)
	for _, p := range problems {
		r.notes = append(r.notes, Note{What: "HAProxy configuration", Why: p})
	}
	if err != nil {
		r.notes = append(r.notes, Note{What: "HAProxy configuration", Why: err.Error()})
		return
	}
	f.HAProxy = cfg
}

func (r *runner) haproxyFiles(ctx context.Context) []NamedText {
	for _, p := range HAProxyPaths {
		text, err := r.run(ctx, "cat", p)
		if err != nil {
			continue
		}
		files := []NamedText{{Name: p, Text: text}}
		if strings.HasPrefix(p, "/etc/kolla/") {
			files = append(files, r.dirFiles(ctx, KollaServicesDir)...)
		}
		return files
	}
	return r.processFiles(ctx, "haproxy")
}

var cfgFileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*\.cfg$`)

// dirFiles reads the *.cfg files of a directory in the order HAProxy loads
// them (lexical).
func (r *runner) dirFiles(ctx context.Context, dir string) []NamedText {
	out, err := r.run(ctx, "ls", "-1", dir)
	if err != nil {
		return nil
	}
	var names []string
	for n := range strings.SplitSeq(string(out), "\n") {
		if cfgFileName.MatchString(n) && len(names) < 1000 {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var files []NamedText
	for _, n := range names {
		p := path.Join(dir, n)
		if text, err := r.run(ctx, "cat", p); err == nil {
			files = append(files, NamedText{Name: p, Text: text})
		}
	}
	return files
}

func (r *runner) keepalived(ctx context.Context, f *Facts) {
	for _, p := range KeepalivedPaths {
		text, err := r.run(ctx, "cat", p)
		if err != nil {
			continue
		}
		ins, problems, err := ParseKeepalived(p, text)
		for _, pr := range problems {
			r.notes = append(r.notes, Note{What: "keepalived configuration", Why: pr})
		}
		if err != nil {
			r.notes = append(r.notes, Note{What: "keepalived configuration", Why: err.Error()})
			continue
		}
		f.Keepalived, f.KeepalivedSource = ins, p
		return
	}
	if r.runningKeepalived(ctx, f) {
		return
	}
	r.notes = append(r.notes, Note{What: "VIPs", Why: "no Pacemaker, no keepalived configuration at " + strings.Join(KeepalivedPaths, ", ") + " nor from a running keepalived"})
}

// summarize folds the notes of many remote and guest nodes into one.
func summarize(nodes []Note) []Note {
	if len(nodes) <= 3 {
		return nodes
	}
	var names []string
	for _, n := range nodes[:3] {
		names = append(names, strings.TrimPrefix(n.What, "node "))
	}
	return []Note{{What: fmt.Sprintf("%d nodes", len(nodes)), Why: fmt.Sprintf("Pacemaker remote or guest nodes (%s, …), not controllers", strings.Join(names, ", "))}}
}

func oneLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return clip(s)
}
