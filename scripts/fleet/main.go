// Command fleet writes what scripts/measure-fleet.sh runs hacon against: a
// fleet of N clusters × 3 controllers × the demo's services, polled on
// loopback. It writes, into -dir:
//
//   - haproxy.cfg: one real HAProxy for the whole fleet. Every controller
//     has its own loopback address (127.0.C.N); the HAProxy listens on each
//     for the stats page (:1993), the API version documents (:5000, one
//     http-request return per request) and hung APIs (:5001, tarpit: the
//     request is held and never answered within hacon's timeout).
//
//   - pcmk/: the demo cluster's crm_mon and cibadmin answers, saved once,
//     and pcmk-answer, the Pacemaker prefix that cats them (the answers are
//     the same bytes every poll, as a quiet real cluster's are).
//
//   - hacon.yaml: the config, interval -interval, -hung clusters' endpoints
//     pointing at the tarpit.
//
//     go run ./scripts/fleet -dir /tmp/fleet -clusters 50
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/demo"
)

func main() {
	dir := flag.String("dir", "", "output directory (created)")
	n := flag.Int("clusters", 10, "clusters (1..250)")
	interval := flag.Duration("interval", 5*time.Second, "poll interval")
	hung := flag.Int("hung", 0, "clusters whose endpoints hang (the first ones)")
	flag.Parse()
	if *dir == "" || *n < 1 || *n > 250 {
		fmt.Fprintln(os.Stderr, "usage: fleet -dir DIR -clusters N (1..250) [-interval 5s] [-hung H]")
		os.Exit(2)
	}
	if err := run(*dir, *n, *interval, *hung); err != nil {
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
}

func run(dir string, n int, interval time.Duration, hung int) error {
	if err := os.MkdirAll(filepath.Join(dir, "pcmk"), 0o755); err != nil {
		return err
	}
	d, err := demo.Start()
	if err != nil {
		return err
	}
	defer d.Close()
	tmpl := d.Config().Clusters[0]
	if err := savePacemaker(dir, d); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "haproxy.cfg"), []byte(haproxyConfig(dir, n, tmpl)), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "hacon.yaml"), []byte(haconConfig(dir, n, interval, hung, tmpl)), 0o644)
}

// answers are the Pacemaker CLI calls hacon's probe makes, by file.
var answers = map[string][]string{
	"crm_mon.xml":     {"crm_mon", "--one-shot", "--inactive", "--fence-history=2", "--output-as=xml"},
	"constraints.xml": {"cibadmin", "--query", "--scope", "constraints"},
	"resources.xml":   {"cibadmin", "--query", "--scope", "resources"},
	"fencing.xml":     {"cibadmin", "--query", "--scope", "fencing-topology"},
}

func savePacemaker(dir string, d *demo.Cluster) error {
	for file, argv := range answers {
		out, _, err := d.Runner().Run(context.Background(), append([]string{demo.PrefixCommand, demo.NodeNames[0]}, argv...))
		if err != nil && len(out) == 0 {
			// fencing-topology may be empty: cibadmin exits 105 (no such object)
			out = nil
		}
		if err := os.WriteFile(filepath.Join(dir, "pcmk", file), out, 0o644); err != nil {
			return err
		}
	}
	script := `#!/bin/sh
# pcmk-answer DIR NODE argv…: Pacemaker's saved answers, whatever the node.
d=$1; shift 2
case "$1" in
crm_mon) exec cat "$d/crm_mon.xml" ;;
cibadmin)
  case "$4" in
  constraints|resources) exec cat "$d/$4.xml" ;;
  fencing-topology) [ -s "$d/fencing.xml" ] && exec cat "$d/fencing.xml"; exit 105 ;;
  esac ;;
esac
echo "pcmk-answer: $1 not saved" >&2
exit 1
`
	return os.WriteFile(filepath.Join(dir, "pcmk-answer"), []byte(script), 0o755)
}

// addr is controller c of cluster i's loopback address.
func addr(i, c int) string { return fmt.Sprintf("127.0.%d.%d", i+1, c+1) }

func haproxyConfig(dir string, n int, tmpl config.Cluster) string {
	var b strings.Builder
	fmt.Fprintf(&b, "global\n  maxconn 8000\n  stats socket %s/admin.sock mode 600 level admin\n\n", dir)
	b.WriteString("defaults\n  mode http\n  timeout connect 1s\n  timeout client 60s\n  timeout server 5s\n  timeout tarpit 120s\n  timeout http-keep-alive 60s\n\n")
	binds := func(port int) {
		for i := 0; i < n; i++ {
			for c := range tmpl.Controllers {
				fmt.Fprintf(&b, "  bind %s:%d\n", addr(i, c), port)
			}
		}
	}
	b.WriteString("listen stats\n")
	binds(1993)
	b.WriteString("  stats enable\n  stats uri /\n\n")
	b.WriteString("listen api\n")
	binds(5000)
	b.WriteString("  http-request return status 200 content-type application/json string \"{\\\"versions\\\":[{\\\"id\\\":\\\"v2.1\\\",\\\"status\\\":\\\"CURRENT\\\"}]}\"\n\n")
	b.WriteString("listen hung\n")
	binds(5001)
	b.WriteString("  http-request tarpit\n\n")
	// One set of backends: every cluster's HAProxy reports the same
	// servers (controller-0..2), as identical control planes do.
	for _, s := range tmpl.Services {
		if s.HAProxyBackend == "" {
			continue
		}
		fmt.Fprintf(&b, "backend %s\n", s.HAProxyBackend)
		for c, ctl := range tmpl.Controllers {
			fmt.Fprintf(&b, "  server %s %s:5000 check inter 5s\n", ctl.Name, addr(0, c))
		}
	}
	return b.String()
}

func haconConfig(dir string, n int, interval time.Duration, hung int, tmpl config.Cluster) string {
	var b strings.Builder
	fmt.Fprintf(&b, "interval: %s\ntimeout: 2s\nread_only: true\nevents_log: %s/events.log\naudit_log: %s/audit.log\nclusters:\n", interval, dir, dir)
	envs := []string{"production", "staging", "test"}
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "  - name: region-%03d\n    environment: %s\n    controllers:\n", i+1, envs[i%len(envs)])
		for c, ctl := range tmpl.Controllers {
			fmt.Fprintf(&b, "      - {name: %s, address: %s}\n", ctl.Name, addr(i, c))
		}
		fmt.Fprintf(&b, "    pacemaker:\n      command: [%s/pcmk-answer, %s/pcmk, \"{{.Name}}\"]\n    haproxy:\n", dir, dir)
		for c, ctl := range tmpl.Controllers {
			fmt.Fprintf(&b, "      - {controller: %s, stats_url: \"http://%s:1993/;csv\"}\n", ctl.Name, addr(i, c))
		}
		port := 5000
		if i < hung {
			port = 5001
		}
		b.WriteString("    services:\n")
		for _, s := range tmpl.Services {
			fmt.Fprintf(&b, "      - name: %s\n", s.Name)
			if s.PacemakerResource != "" {
				fmt.Fprintf(&b, "        pacemaker_resource: %s\n", s.PacemakerResource)
			}
			if s.HAProxyBackend != "" {
				fmt.Fprintf(&b, "        haproxy_backend: %s\n", s.HAProxyBackend)
			}
			if s.Endpoint != "" {
				path := s.Endpoint[strings.Index(s.Endpoint, "}}")+2:]
				fmt.Fprintf(&b, "        endpoint: \"http://{{.Address}}:%d%s\"\n", port, path)
			}
		}
		b.WriteString("    vips:\n")
		for _, v := range tmpl.VIPs {
			fmt.Fprintf(&b, "      - {name: %s, address: %s, pacemaker_resource: %s}\n", v.Name, v.Address, v.PacemakerResource)
		}
	}
	return b.String()
}
