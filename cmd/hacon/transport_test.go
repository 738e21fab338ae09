package main

import (
	"encoding/json"
	"testing"
	"time"

	fixture "github.com/hacon/hacon/cluster/clustertest"
	"github.com/hacon/hacon/remote"
)

type fakeLinks map[string]remote.LinkState

func (f fakeLinks) Link(c, n string) (remote.LinkState, bool) {
	l, ok := f[c+"/"+n]
	return l, ok
}

// nodes[].transport is added to the status JSON; every key of the report
// stays where it was.
func TestStatusJSONAddsTransportKeys(t *testing.T) {
	snap := fixture.Healthy()
	c := &snap.Clusters[0]
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	links := fakeLinks{c.Name + "/" + c.Nodes[0].Name: {Via: "ssh", Reuse: "hacon", Up: false, Since: at, Reconnects: 3, Commands: 9,
		LastError: "connection refused by 192.0.2.10 port 22: is sshd running there?", LastErrorAt: at}}
	plain, err := json.Marshal(snap.Report())
	if err != nil {
		t.Fatal(err)
	}
	withLinks, err := json.Marshal(statusReport(&snap, links))
	if err != nil {
		t.Fatal(err)
	}
	var a, b map[string]any
	if err := json.Unmarshal(plain, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(withLinks, &b); err != nil {
		t.Fatal(err)
	}
	n0 := b["clusters"].([]any)[0].(map[string]any)["nodes"].([]any)[0].(map[string]any)
	tr, ok := n0["transport"].(map[string]any)
	if !ok || tr["via"] != "ssh" || tr["reuse"] != "hacon" || tr["up"] != false || tr["reconnects"] != 3.0 ||
		tr["since"] != "2026-01-02T03:04:05.000Z" || tr["last_error"] != links[c.Name+"/"+c.Nodes[0].Name].LastError {
		t.Errorf("nodes[0].transport = %v", n0["transport"])
	}
	delete(n0, "transport")
	if _, ok := b["clusters"].([]any)[0].(map[string]any)["nodes"].([]any)[1].(map[string]any)["transport"]; ok {
		t.Error("a node hacon never reached over ssh has a transport")
	}
	again, _ := json.Marshal(b)
	want, _ := json.Marshal(a)
	if string(again) != string(want) {
		t.Errorf("the report changed beyond nodes[].transport:\n%s\n%s", again, want)
	}
}
