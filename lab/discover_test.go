//go:build lab

package lab

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/discover"
	"github.com/hacon/hacon/lab/labreport"
)

// 9. `hacon discover` against controller-0, through the lab's own prefix,
// writes a config that — used as is, plus the BMC password variable — gives
// the same nodes, services, VIPs and BMCs as lab/state/hacon.yaml: the two
// `status -o json` reports are compared.
func TestLab9Discover(t *testing.T) {
	h := lab
	h.requireHealthy(t)
	c0, _ := h.cc.Controller("controller-0")
	via, err := config.ExpandArgs(h.cc.Pacemaker.Command, c0)
	if err != nil {
		t.Fatal(err)
	}
	res, took := labreport.Discover(t, via, clusterName)
	record(t, "discover: controller-0 → config", took)
	file := filepath.Join(t.TempDir(), "new.yaml")
	if err := os.WriteFile(file, discover.Render(res), 0o600); err != nil {
		t.Fatal(err)
	}
	pass, err := os.ReadFile(filepath.Join(h.state, "bmc-password"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.PasswordEnv {
		t.Setenv(v, strings.TrimSpace(string(pass)))
	}
	if b, _ := os.ReadFile(file); strings.Contains(string(b), strings.TrimSpace(string(pass))) {
		t.Fatal("the BMC password is in the discovered config")
	}
	labreport.Compare(t, labreport.Of(t, h.cfg.File), labreport.Of(t, file), labreport.Options{})
}
