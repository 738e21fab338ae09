package actions

import (
	"bufio"
	"context"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

// lineSocket is a runtime API that records each line it is sent and
// answers success (an empty line).
type lineSocket struct {
	mu    sync.Mutex
	lines []string
}

func (s *lineSocket) got() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

func startLineSocket(t *testing.T) (string, *lineSocket) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "admin.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &lineSocket{}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			sc := bufio.NewScanner(c)
			for sc.Scan() {
				s.mu.Lock()
				s.lines = append(s.lines, sc.Text())
				s.mu.Unlock()
				_, _ = c.Write([]byte("\n"))
				break // non-interactive: one command, then close
			}
			c.Close()
		}
	}()
	return "unix://" + path, s
}

// haproxySetup is a cluster whose HAProxy lists c1's keystone server under
// the name server, as a stats page would report it.
func haproxySetup(t *testing.T, server string) (*Executor, cluster.Snapshot, *lineSocket) {
	t.Helper()
	addr, sock := startLineSocket(t)
	cfg := &config.Config{VerifyTimeout: time.Millisecond, Clusters: []config.Cluster{{
		Name:        "oc",
		Controllers: []config.Controller{{Name: "c0"}, {Name: "c1"}},
		HAProxy:     []config.HAProxy{{Controller: "c0", RuntimeAPI: addr}},
		Services:    []config.Service{{Name: "keystone", HAProxyBackend: "keystone_public"}},
	}}}
	view := func(node, name string) cluster.Cell {
		return cluster.Cell{Node: node, LB: []cluster.LBView{{LB: "c0", Server: cluster.LBServer{Backend: "keystone_public", Server: name, Status: "UP"}}}, LBAgree: true}
	}
	snap := cluster.Snapshot{Taken: time.Now(), Clusters: []cluster.Cluster{{
		Name:     "oc",
		Nodes:    []cluster.Node{{Name: "c0", Controller: true}, {Name: "c1", Controller: true}},
		Services: []cluster.Service{{Name: "keystone", Backend: "keystone_public", Cells: []cluster.Cell{view("c0", "c0"), view("c1", server)}}},
		Sources:  []cluster.Source{{Kind: cluster.KindHAProxy, Name: "c0", OK: true}},
	}}}
	e := New(Options{Config: cfg, Audit: NewAuditLog(filepath.Join(t.TempDir(), "audit.log")), Source: &staticSource{snap}, Operator: Operator{User: "op"}})
	return e, snap, sock
}

// The preview shows the runtime API line; what reaches HAProxy is that one
// line, built from the plan's typed change.
func TestDrainSendsOneTypedLine(t *testing.T) {
	t.Parallel()
	e, snap, sock := haproxySetup(t, "c1")
	req, _ := Parse("oc", []string{"drain", "keystone", "c1"})
	p, err := e.Plan(context.Background(), req, snap)
	if err != nil {
		t.Fatal(err)
	}
	const line = "set server keystone_public/c1 state drain"
	st := p.Steps[0]
	if st.Argv[0] != line || st.Shown != line+"   (on 1 HAProxies)" || st.SetServer == nil {
		t.Fatalf("step %+v", st)
	}
	out, err := e.Execute(context.Background(), p, Confirmation{Confirmed: true, Force: true})
	if err != nil || !out.OK {
		t.Fatalf("%v %s", err, out.Summary())
	}
	if got := sock.got(); len(got) != 1 || got[0] != line {
		t.Errorf("HAProxy was sent %q", got)
	}
}

// A stats page naming a server with a command separator or a line break
// must not get a second command onto the runtime API: the plan refuses,
// and a step whose shown text was tampered with still sends only what the
// typed change says.
func TestHostileServerNameIsRefused(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"c1;shutdown frontend fe", "c1\nshutdown frontend fe", "c1 state maint", "c1/x"} {
		e, snap, sock := haproxySetup(t, name)
		req, _ := Parse("oc", []string{"drain", "keystone", "c1"})
		if p, err := e.Plan(context.Background(), req, snap); err == nil {
			t.Errorf("%q planned: %+v", name, p.Steps)
		}
		if got := sock.got(); len(got) != 0 {
			t.Errorf("%q: HAProxy was sent %q", name, got)
		}
	}

	e, snap, sock := haproxySetup(t, "c1")
	req, _ := Parse("oc", []string{"drain", "keystone", "c1"})
	p, err := e.Plan(context.Background(), req, snap)
	if err != nil {
		t.Fatal(err)
	}
	p.Steps[0].Argv = []string{"set server keystone_public/c1 state drain;shutdown frontend fe"}
	if _, err := e.Execute(context.Background(), p, Confirmation{Confirmed: true, Force: true}); err != nil {
		t.Fatal(err)
	}
	if got := sock.got(); len(got) != 1 || strings.Contains(got[0], "shutdown") {
		t.Errorf("HAProxy was sent %q", got)
	}
}
