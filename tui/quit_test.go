package tui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/hacon/hacon/actions"
	fixture "github.com/hacon/hacon/cluster/clustertest"
)

// slowRunner runs its commands until release is closed, then writes the
// result and verifies until ctx ends (as a verification that never sees
// its effect does).
type slowRunner struct {
	*recorder
	release chan struct{}
}

func (s slowRunner) ExecuteNotify(ctx context.Context, p *actions.Preview, c actions.Confirmation, written func(actions.Outcome)) (actions.Outcome, error) {
	<-s.release
	out := actions.Outcome{Request: p.Request, OK: true, VerifyState: actions.VerifyPending}
	written(out)
	<-ctx.Done()
	out.VerifyState = actions.VerifyAbandoned
	return out, nil
}

// startBatch runs every command of a batch on its own goroutine, sending
// their messages to the returned channel.
func startBatch(cmd tea.Cmd) <-chan tea.Msg {
	ch := make(chan tea.Msg, 8)
	msg := cmd()
	batch, ok := msg.(tea.BatchMsg)
	if !ok {
		ch <- msg
		return ch
	}
	for _, c := range batch {
		if c != nil {
			go func() { ch <- c() }()
		}
	}
	return ch
}

func quitsIn(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			if quitsIn(c) {
				return true
			}
		}
		return false
	}
	_, ok := msg.(tea.QuitMsg)
	return ok
}

// q while an action runs its commands: the console says so and stays, then
// leaves by itself once the result is in the audit log. q while it
// verifies: the first says what leaving means, the second leaves.
func TestQuitWaitsOnlyForTheResult(t *testing.T) {
	slow := slowRunner{recorder: &recorder{preview: movePreview()}, release: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := newModel(t, fixture.Healthy(), Options{Actions: slow}, 120, 24)
	m.ctx = ctx
	m = palette(m, "move openstack-cinder-volume controller-2")
	m, cmd := sendCmd(m, keyMsg("y"))
	msgs := startBatch(cmd)
	m, q := sendCmd(m, keyMsg("q"))
	if quitsIn(q) || !strings.Contains(plain(t, m), "leaving once the result is logged") {
		t.Fatalf("q during the commands quit or said nothing:\n%s", plain(t, m))
	}
	close(slow.release)
	var got tea.Cmd
	for got == nil {
		msg := <-msgs
		if _, ok := msg.(resultWrittenMsg); ok {
			m, got = sendCmd(m, msg)
			break
		}
	}
	if !quitsIn(got) {
		t.Fatal("the console did not leave once the result was written")
	}

	// Again, without a pending q: verifying, q twice.
	slow.release = make(chan struct{})
	close(slow.release)
	m = newModel(t, fixture.Healthy(), Options{Actions: slow}, 120, 24)
	m.ctx = ctx
	m = palette(m, "move openstack-cinder-volume controller-2")
	m, cmd = sendCmd(m, keyMsg("y"))
	msgs = startBatch(cmd)
	for msg := range msgs {
		if _, ok := msg.(resultWrittenMsg); ok {
			m = send(m, msg)
			break
		}
	}
	if s := plain(t, m); !strings.Contains(s, "⟳ verifying :move openstack-cinder-volume controller-2 (result logged)") {
		t.Errorf("footer while verifying:\n%s", s)
	}
	m, q = sendCmd(m, keyMsg("q"))
	if quitsIn(q) || !strings.Contains(plain(t, m), "q again leaves: result logged, verification abandoned") {
		t.Fatalf("first q while verifying:\n%s", plain(t, m))
	}
	if _, q = sendCmd(m, keyMsg("q")); !quitsIn(q) {
		t.Fatal("second q did not leave")
	}
}
