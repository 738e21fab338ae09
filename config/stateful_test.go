package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const statefulBase = "clusters:\n  - name: a\n    controllers: [{name: c0, address: 10.0.0.1}, {name: c1, address: 10.0.0.2}]\n"

func TestStatefulProblems(t *testing.T) {
	t.Parallel()
	loose := filepath.Join(t.TempDir(), "loose.pw")
	if err := os.WriteFile(loose, []byte("s3cret"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, yaml, want string }{
		{"inline password", "    galera:\n      password: hunter2\n", "x.yaml:5: clusters[0].galera.password: a password may not be given inline"},
		{"both secrets", "    galera:\n      password_env: X\n      password_file: /x\n", "x.yaml:6: clusters[0].galera.password_file: give password_env or password_file, not both"},
		{"loose secret", "    galera:\n      password_file: " + loose + "\n", "x.yaml:5: clusters[0].galera.password_file: secret file " + loose + " is readable by group or others"},
		{"secret and defaults file", "    galera:\n      password_env: X\n      defaults_file: /root/.my.cnf\n", "x.yaml:6: clusters[0].galera.defaults_file: give defaults_file or a password"},
		{"relative defaults file", "    galera:\n      defaults_file: my.cnf\n", "x.yaml:5: clusters[0].galera.defaults_file: expected an absolute path on the controller"},
		{"shell in grastate path", "    galera:\n      grastate_file: /var/lib/mysql/$(reboot)\n", "x.yaml:5: clusters[0].galera.grastate_file: character '$' at position 16 would be read by a shell"},
		{"space in command", "    galera:\n      command: [podman, exec, -i, \"galera bundle\", mysql]\n", "x.yaml:5: clusters[0].galera.command[3]: character ' ' at position 7 would be read by a shell"},
		{"exec without -i", "    galera:\n      command: [podman, exec, \"galera-bundle-podman-{{.Index}}\", mysql]\n", "x.yaml:5: clusters[0].galera.command: podman exec needs -i"},
		{"unknown template field", "    rabbitmq:\n      command: [docker, exec, \"rabbit-{{.Host}}\", rabbitmqctl]\n", "x.yaml:5: clusters[0].rabbitmq.command[2]: bad template (only {{.Name}}, {{.Address}} and {{.Index}} exist)"},
		{"empty prefix", "    rabbitmq:\n      prefix: []\n", "x.yaml:5: clusters[0].rabbitmq.prefix: an empty list"},
		{"clustercheck with credentials", "    galera:\n      clustercheck: \"http://{{.Address}}:9200/\"\n      user: root\n", "x.yaml:5: clusters[0].galera.clustercheck: clustercheck replaces the client"},
		{"clustercheck not a URL", "    galera:\n      clustercheck: \"ftp://{{.Address}}/\"\n", "clusters[0].galera.clustercheck: expected scheme http or https"},
		{"user with a quote", "    galera:\n      user: \"o'brien\"\n", "x.yaml:5: clusters[0].galera.user: not a database user name"},
		{"unknown key", "    rabbitmq:\n      management: http://x/\n", "x.yaml:5: clusters[0].rabbitmq.management: unknown key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(statefulBase+tc.yaml))
			var ps Problems
			if !errors.As(err, &ps) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant a problem containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "s3cret") {
				t.Errorf("a secret leaked into the error: %s", err)
			}
		})
	}
}

func TestStatefulTripleOAndKollaExamples(t *testing.T) {
	t.Parallel()
	tripleo := statefulBase + `    pacemaker:
      command: [ssh, -o, BatchMode=yes, "heat-admin@{{.Address}}", sudo]
    galera:
      command: [podman, exec, -i, "galera-bundle-podman-{{.Index}}", mysql]
      defaults_file: /root/.my.cnf
    rabbitmq:
      command: [podman, exec, "rabbitmq-bundle-podman-{{.Index}}", rabbitmqctl]
`
	cfg, err := Parse("x.yaml", []byte(tripleo))
	if err != nil {
		t.Fatal(err)
	}
	cl := &cfg.Clusters[0]
	if got := cl.StatefulPrefix(cl.Galera.Prefix); !reflect.DeepEqual(got, cl.Pacemaker.Command) {
		t.Errorf("galera prefix %q, want Pacemaker's", got)
	}
	argv, err := ExpandArgsIndexed(cl.RabbitMQ.CtlCommand(), cl.Controllers[1], 1)
	if err != nil || strings.Join(argv, " ") != "podman exec rabbitmq-bundle-podman-1 rabbitmqctl" {
		t.Errorf("expanded %q, %v", argv, err)
	}
	if cl.Galera.ServiceName() != "galera" || cl.RabbitMQ.ServiceName() != "rabbitmq" || cl.Galera.Grastate() != DefaultGrastateFile {
		t.Errorf("defaults: %q %q %q", cl.Galera.ServiceName(), cl.RabbitMQ.ServiceName(), cl.Galera.Grastate())
	}
	kolla := statefulBase + `    galera:
      prefix: [ssh, "kolla@{{.Address}}", sudo]
      command: [docker, exec, --interactive, mariadb, mysql]
      user: monitor
      password_env: HACON_DB_PASSWORD
      grastate_file: /var/lib/docker/volumes/mariadb/_data/grastate.dat
    rabbitmq:
      prefix: [ssh, "kolla@{{.Address}}", sudo]
      command: [docker, exec, rabbitmq, rabbitmqctl]
`
	if _, err := Parse("x.yaml", []byte(kolla)); err != nil {
		t.Fatal(err)
	}
	// Without Pacemaker and without a prefix of its own, a block runs
	// behind the cluster's command, as keepalived's state does.
	kollaShort := statefulBase + "    command: [ssh, \"kolla@{{.Address}}\", sudo]\n    galera: {}\n    rabbitmq: {}\n"
	cfg, err = Parse("x.yaml", []byte(kollaShort))
	if err != nil {
		t.Fatal(err)
	}
	cl = &cfg.Clusters[0]
	if g, r := cl.StatefulPrefix(cl.Galera.Prefix), cl.StatefulPrefix(cl.RabbitMQ.Prefix); !reflect.DeepEqual(g, cl.Command) || !reflect.DeepEqual(r, cl.Command) {
		t.Errorf("prefixes %q %q, want the cluster's command %q", g, r, cl.Command)
	}
	// {{.Index}} exists only in the stateful commands.
	if _, err := Parse("x.yaml", []byte(statefulBase+"    pacemaker: {command: [ssh, \"c{{.Index}}\"]}\n")); err == nil {
		t.Error("{{.Index}} accepted in the Pacemaker prefix")
	}
}
