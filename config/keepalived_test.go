package config

import (
	"strings"
	"testing"
)

const kollaYAML = `clusters:
  - name: kolla
    command: [ssh, -o, BatchMode=yes, "kolla@{{.Address}}", sudo]
    keepalived:
      command: [podman, exec, keepalived]
      stop_command: [docker, stop, keepalived]
      start_command: [docker, start, keepalived]
    controllers:
      - {name: ctl-0, address: 192.0.2.10}
      - {name: ctl-1, address: 192.0.2.11}
    vips:
      - {name: internal, address: 192.0.2.5, keepalived_instance: kolla_internal_vip_51}
`

func TestKeepalivedClusterDecodes(t *testing.T) {
	cfg, err := Parse("kolla.yaml", []byte(kollaYAML))
	if err != nil {
		t.Fatal(err)
	}
	c := &cfg.Clusters[0]
	if got := strings.Join(c.Command, " "); got != "ssh -o BatchMode=yes kolla@{{.Address}} sudo" {
		t.Errorf("command = %q", got)
	}
	if got := strings.Join(c.KeepalivedExec(), " "); got != "podman exec keepalived" {
		t.Errorf("keepalived exec = %q", got)
	}
	if got := strings.Join(c.KeepalivedStop(), " "); got != "docker stop keepalived" {
		t.Errorf("stop = %q", got)
	}
	if c.VIPs[0].KeepalivedInstance != "kolla_internal_vip_51" || !c.UsesKeepalived() {
		t.Errorf("vip = %+v", c.VIPs[0])
	}
	// Pacemaker's prefix falls back to the cluster's command...
	if got := strings.Join(c.PacemakerCommand(), " "); got != strings.Join(c.Command, " ") {
		t.Errorf("pacemaker command without a pacemaker section = %q", got)
	}
	// ...and pacemaker.command still wins when given.
	c.Pacemaker = &Pacemaker{Command: []string{"env", "CIB_file=/x"}}
	if got := strings.Join(c.PacemakerCommand(), " "); got != "env CIB_file=/x" {
		t.Errorf("pacemaker.command not preferred: %q", got)
	}
	if got := strings.Join((&Cluster{}).KeepalivedStart(), " "); got != "systemctl start keepalived" {
		t.Errorf("default start = %q", got)
	}
}

func TestKeepalivedProblemsNameLineAndKey(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{strings.Replace(kollaYAML, "keepalived_instance: kolla_internal_vip_51", "keepalived_instance: \"x; reboot\"", 1),
			"kolla.yaml:12: clusters[0].vips[0].keepalived_instance: not a keepalived VRRP instance name"},
		{strings.Replace(kollaYAML, "keepalived_instance: kolla", "pacemaker_resource: ip-x, keepalived_instance: kolla", 1),
			"kolla.yaml:12: clusters[0].vips[0].keepalived_instance: a VIP has either pacemaker_resource or keepalived_instance, not both"},
		{strings.Replace(kollaYAML, "address: 192.0.2.5, ", "", 1),
			"clusters[0].vips[0].address: required with keepalived_instance"},
		{strings.Replace(kollaYAML, "command: [podman, exec, keepalived]", "command: [\"{{.Bogus}}\"]", 1),
			"kolla.yaml:5: clusters[0].keepalived.command[0]: bad template"},
		{strings.Replace(kollaYAML, "stop_command: [docker, stop, keepalived]", "stop_command: []", 1),
			"kolla.yaml:6: clusters[0].keepalived.stop_command: an empty command"},
		{strings.Replace(kollaYAML, "    keepalived:\n", "    keepalived:\n      bogus: 1\n", 1),
			"clusters[0].keepalived.bogus: unknown key (expected one of: command, stop_command, start_command, interval, timeout)"},
	} {
		_, err := Parse("kolla.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("want a problem containing %q, got:\n%v", tc.want, err)
		}
	}
}
