package config

import (
	"strings"
	"testing"
)

func TestAutoServicesOption(t *testing.T) {
	base := "clusters:\n  - name: oc\n    controllers: [{name: controller-0}]\n    pacemaker:\n      command: [env, CIB_file=x.xml]\n"
	cfg, err := Parse("on.yaml", []byte(base))
	if err != nil || !cfg.Clusters[0].Pacemaker.AutoRows() {
		t.Fatalf("auto rows are on by default: %v", err)
	}
	cfg, err = Parse("off.yaml", []byte(base+"      auto_services: false\n      hide_resources: [galera-bundle]\n"))
	if err != nil || cfg.Clusters[0].Pacemaker.AutoRows() || cfg.Clusters[0].Pacemaker.HideResources[0] != "galera-bundle" {
		t.Fatalf("auto_services false: %v %+v", err, cfg)
	}
	var none *Pacemaker
	if none.AutoRows() {
		t.Error("no pacemaker section, yet auto rows")
	}
	_, err = Parse("bad.yaml", []byte(base+"      hide_resources: [\"bad id\"]\n"))
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:6: clusters[0].pacemaker.hide_resources[0]") {
		t.Errorf("a bad hidden id: %v", err)
	}
}
