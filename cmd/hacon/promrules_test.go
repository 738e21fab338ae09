package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const promRulesConfig = `prometheus:
  url: http://127.0.0.1:9090
  recorded: true
  cluster_label: region
clusters:
  - name: oc1
    prometheus: {planes: [haproxy, endpoint]}
    controllers: [{name: controller-0}]
    services: [{name: keystone, haproxy_backend: keystone_public, endpoint: "http://{{.Name}}:5000/v3"}]
  - name: oc2
    prometheus: {%s}
    controllers: [{name: controller-0}]
    services: [{name: keystone, pacemaker_resource: keystone-clone}]
`

func writePromRulesConfig(t *testing.T, extra string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fleet.yaml")
	if err := os.WriteFile(p, []byte(strings.Replace(promRulesConfig, "%s", extra, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// prometheus-rules prints a rule file covering every plane some cluster
// reads, grouped per plane and written with the config's labels.
func TestPrometheusRulesPrintsTheRulesTheConfigNeeds(t *testing.T) {
	code, out, errOut := runCLI(t, "prometheus-rules", "--config", writePromRulesConfig(t, "planes: [pacemaker]"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var file struct {
		Groups []struct {
			Name  string
			Rules []struct{ Record, Expr string }
		}
	}
	if err := yaml.Unmarshal([]byte(out), &file); err != nil {
		t.Fatalf("not YAML: %v\n%s", err, out)
	}
	var names []string
	records := map[string]string{}
	for _, g := range file.Groups {
		names = append(names, g.Name)
		for _, r := range g.Rules {
			records[r.Record] = r.Expr
		}
	}
	if strings.Join(names, ",") != "hacon_pacemaker,hacon_haproxy,hacon_endpoint" {
		t.Errorf("groups %v, want pacemaker, haproxy and endpoint (what some cluster reads)", names)
	}
	if e := records["hacon:haproxy_server_status:scrape_time"]; !strings.Contains(e, "by (region, instance)") {
		t.Errorf("scrape times not per the configured cluster label: %q", e)
	}
	if e := records["hacon:ha_cluster_pacemaker_resources:data"]; !strings.Contains(e, "topk by (region)") {
		t.Errorf("resources not one reporter per cluster: %q", e)
	}
	if _, ok := records["hacon:probe_success:data"]; ok {
		t.Error("probe_success is read as it is: recording a copy doubles the server's work")
	}
	if _, ok := records["hacon:ipmi_up:scrape_time"]; ok {
		t.Error("no cluster reads the bmc plane, yet its rules are written")
	}
}

// Two clusters on one Prometheus that map labels differently would need
// two rules of one name: refused, naming both.
func TestPrometheusRulesRefusesConflictingMappings(t *testing.T) {
	code, _, errOut := runCLI(t, "prometheus-rules", "--config", writePromRulesConfig(t, "planes: [pacemaker, haproxy], cluster_label: job"))
	if code != 1 || !strings.Contains(errOut, "clusters oc1 and oc2 need different rules for hacon:haproxy_server_status:scrape_time") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// Clusters reading two Prometheus servers need a rule file each: --url
// chooses, and each file holds only its clusters' planes.
func TestPrometheusRulesOneFilePerPrometheus(t *testing.T) {
	cfg := writePromRulesConfig(t, "planes: [pacemaker], url: http://127.0.0.2:9090, interval: 1500ms")
	code, _, errOut := runCLI(t, "prometheus-rules", "--config", cfg)
	if code != 1 || !strings.Contains(errOut, "2 Prometheus servers") || !strings.Contains(errOut, "--url") {
		t.Errorf("two servers, no --url: exit %d: %s", code, errOut)
	}
	code, out, errOut := runCLI(t, "prometheus-rules", "--config", cfg, "--url", "http://127.0.0.2:9090")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "hacon_pacemaker") || strings.Contains(out, "hacon_haproxy") {
		t.Errorf("the rules for 127.0.0.2 must hold only oc2's pacemaker plane:\n%s", out)
	}
	if !strings.Contains(out, "interval: 1s500ms") {
		t.Errorf("1500ms must be written in Prometheus' duration syntax (1.5s is refused):\n%s", out)
	}
	code, _, errOut = runCLI(t, "prometheus-rules", "--config", cfg, "--url", "http://127.0.0.3:9090")
	if code != 1 || !strings.Contains(errOut, "no cluster reads from") {
		t.Errorf("an unknown --url: exit %d: %s", code, errOut)
	}
}
