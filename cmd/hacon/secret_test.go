package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/demo"
	"github.com/hacon/hacon/internal/app"
	"github.com/hacon/hacon/views"
)

// The demo's fence devices carry a password parameter in their CIB, as
// real ones do; hacon reads the devices' targets (the nodes must come out
// fence-ready from them) but the password reaches no output: neither
// status text nor JSON nor the node screens.
func TestFenceDevicePasswordReachesNoOutput(t *testing.T) {
	var outputs []string
	for _, form := range []string{"text", "json"} {
		var out, errb bytes.Buffer
		run([]string{"status", "--demo", "-o", form}, &out, &errb)
		outputs = append(outputs, out.String(), errb.String())
	}
	if !strings.Contains(outputs[2], `"pacemaker_fencing"`) || !strings.Contains(outputs[2], "stonith-fence_redfish-") {
		t.Fatalf("the demo's JSON shows no Pacemaker fencing: %.2000s", outputs[2])
	}
	a, err := app.New(app.Options{Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	snap := a.Sched.PollOnce(ctx)
	for _, c := range snap.Clusters {
		for _, n := range c.Nodes {
			if c.HasPacemaker && n.Controller && !n.PacemakerFenceReady() {
				t.Errorf("%s not fence-ready by Pacemaker: %+v", n.Name, n.Fencing)
			}
			var b strings.Builder
			for _, l := range views.NodeDetail(&c, n.Name, 200) {
				b.WriteString(l.Plain() + "\n")
			}
			outputs = append(outputs, b.String())
		}
		outputs = append(outputs, views.Markdown(views.Report{Cluster: &c, Taken: snap.Taken, Version: "test"}))
	}
	for i, o := range outputs {
		if strings.Contains(o, demo.DemoFencePassword) {
			t.Errorf("output %d shows the fence device's password:\n%s", i, o)
		}
	}
}
