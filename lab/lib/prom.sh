# shellcheck shell=bash
# The lab's fleet monitoring, as operators run it (sourced by lab/up and
# lab/down): a real Prometheus on the host side of the bridge scraping
# every 2 s ha_cluster_exporter on each controller (started by node-init,
# so it lives and dies with its node), each HAProxy's built-in /metrics,
# ipmi_exporter against the ipmi_sim BMCs (remote mode, credentials in its
# own 0600 config file) and blackbox_exporter against the API endpoints.
# hacon reads the same cluster from it with STATE/hacon-prom.yaml.

LAB_PROM_INTERVAL=2s
LAB_PROM_PORT=9090
LAB_IPMI_EXPORTER_PORT=9290
LAB_BLACKBOX_PORT=9115

prom_dir() { printf '%s/prometheus' "$LAB_STATE"; }

# prom_daemons: the root-namespace daemons, "name binary" per line.
prom_daemons() {
	printf '%s\n' "ipmi_exporter prometheus-ipmi-exporter" "blackbox prometheus-blackbox-exporter" "prometheus prometheus"
}

ipmi_exporter_yml() {
	# user/pass are ipmi_exporter's own file format; the file is 0600 in
	# the state dir, as the BMC password file is.
	cat <<EOF
modules:
  lab:
    user: "$LAB_BMC_USER"
    pass: "$(cat "$LAB_STATE/bmc-password")"
    driver: LAN_2_0
    privilege: admin
    timeout: 1200
    collectors: [chassis]
    # ipmi_sim grants the session privilege only when asked for it at
    # session open (FreeIPMI's workaround for such BMCs).
    workaround_flags: [opensesspriv]
EOF
}

blackbox_yml() {
	# hacon counts 2xx and 300 (a version document) as up; so does this.
	cat <<EOF
modules:
  http_api:
    prober: http
    timeout: 1s
    http:
      preferred_ip_protocol: ip4
      follow_redirects: false
      valid_status_codes: [200, 201, 202, 203, 204, 300]
EOF
}

# lab_endpoints: every URL the services are probed at, per controller and
# through the VIP (hacon.yaml's endpoint and vip_endpoint, expanded).
lab_endpoints() {
	local svc port path n
	lab_services | while read -r svc port path; do
		for n in $(seq 0 $((LAB_NODES - 1))); do
			printf 'http://%s:%s%s\n' "$(node_addr "$n")" "$port" "$path"
		done
		printf 'http://%s:%s%s\n' "$LAB_VIP" "$port" "$path"
	done
}

# multi_target_relabel ADDR: the exporter at ADDR probes each target,
# which keeps its own instance label.
multi_target_relabel() {
	printf '    relabel_configs:\n'
	printf '      - {source_labels: [__address__], target_label: __param_target}\n'
	printf '      - {source_labels: [__param_target], target_label: instance}\n'
	printf '      - {target_label: __address__, replacement: "%s"}\n' "$1"
}

# scrape_job NAME PATH PORT: a job scraping PATH on every controller.
scrape_job() {
	local n
	printf '  - job_name: %s\n    metrics_path: %s\n    static_configs:\n' "$1" "$2"
	printf '      - labels: {cluster: hacon-lab}\n        targets:\n'
	for n in $(seq 0 $((LAB_NODES - 1))); do printf '          - "%s:%s"\n' "$(node_addr "$n")" "$3"; done
}

prometheus_yml() {
	local n u
	# hacon's recording rules (hacon prometheus-rules, written by lab/up
	# once hacon-prom.yaml exists; a glob, so none is fine until then).
	printf 'global:\n  scrape_interval: %s\n  scrape_timeout: 1500ms\n  evaluation_interval: %s\n' "$LAB_PROM_INTERVAL" "$LAB_PROM_INTERVAL"
	printf 'rule_files: ["%s/hacon-rules*.yml"]\nscrape_configs:\n' "$(prom_dir)"
	scrape_job hacluster /metrics 9664
	scrape_job haproxy /metrics 1993
	printf '  - job_name: ipmi\n    metrics_path: /ipmi\n    params: {module: [lab]}\n    static_configs:\n'
	# Three BMCs share one address: a target label names the controller.
	for n in $(seq 0 $((LAB_NODES - 1))); do
		printf '      - {targets: ["%s:%s"], labels: {cluster: hacon-lab, controller: %s}}\n' "$LAB_HOST_ADDR" "$(bmc_port "$n")" "$(node_name "$n")"
	done
	multi_target_relabel "$LAB_HOST_ADDR:$LAB_IPMI_EXPORTER_PORT"
	printf '  - job_name: blackbox\n    metrics_path: /probe\n    params: {module: [http_api]}\n    static_configs:\n'
	printf '      - labels: {cluster: hacon-lab}\n        targets:\n'
	for u in $(lab_endpoints); do printf '          - "%s"\n' "$u"; done
	multi_target_relabel "$LAB_HOST_ADDR:$LAB_BLACKBOX_PORT"
}

# start_prom_stack: the root-namespace daemons, each in the background
# with its pid in STATE/prometheus (lab/down kills them); a running one is
# left alone. lab/up starts them while the cluster forms.
start_prom_stack() {
	local d name bin
	d=$(prom_dir)
	mkdir -p "$d/data"
	(umask 077 && ipmi_exporter_yml >"$d/ipmi.yml")
	blackbox_yml >"$d/blackbox.yml"
	prometheus_yml >"$d/prometheus.yml"
	while read -r name bin; do
		pid_alive "$(read_pid "$d/$name.pid")" || start_prom_daemon "$d" "$name" "$bin"
	done < <(prom_daemons)
}

start_prom_daemon() {
	local d=$1 name=$2 bin=$3 args=()
	case "$name" in
	ipmi_exporter) args=(--config.file="$d/ipmi.yml" --web.listen-address="$LAB_HOST_ADDR:$LAB_IPMI_EXPORTER_PORT" --log.level=warn) ;;
	blackbox) args=(--config.file="$d/blackbox.yml" --web.listen-address="$LAB_HOST_ADDR:$LAB_BLACKBOX_PORT" --log.level=warn) ;;
	prometheus) args=(--config.file="$d/prometheus.yml" --storage.tsdb.path="$d/data" --storage.tsdb.retention.time=2h
		--web.listen-address="$LAB_HOST_ADDR:$LAB_PROM_PORT" --log.level=warn) ;;
	esac
	# cwd in the state dir: lab/down finds a daemon whose pid file is lost.
	(cd "$d" && exec setsid "$bin" "${args[@]}" </dev/null >>"$d/$name.log" 2>&1) &
	echo $! >"$d/$name.pid"
}

# load_hacon_rules: the rules hacon-prom.yaml needs for recorded mode,
# loaded by a reload (SIGHUP).
load_hacon_rules() {
	local d
	d=$(prom_dir)
	(umask 077 && "$LAB_STATE/hacon" prometheus-rules --config "$LAB_STATE/hacon-prom.yaml" >"$d/hacon-rules.yml.tmp")
	mv "$d/hacon-rules.yml.tmp" "$d/hacon-rules.yml"
	kill -HUP "$(read_pid "$d/prometheus.pid")"
}

# rules_ready: the recording rules have written what hacon reads.
rules_ready() {
	curl -fsS --max-time 2 "http://$LAB_HOST_ADDR:$LAB_PROM_PORT/api/v1/query?query=count(hacon:haproxy_server_status:scrape_time)" |
		grep -q "\"$LAB_NODES\"\]"
}

# prom_ready: Prometheus has scraped every target of every job, all up.
prom_ready() {
	local out want
	want=$(($(lab_endpoints | wc -l) + 3 * LAB_NODES))
	out=$(curl -fsS --max-time 2 "http://$LAB_HOST_ADDR:$LAB_PROM_PORT/api/v1/query?query=count(up%3D%3D1)") || return 1
	grep -q "\"$want\"\]" <<<"$out"
}

# stop_prom_stack: kill the root-namespace daemons by pid file and, when
# a pid file was lost, by their working directory.
stop_prom_stack() {
	local d name bin pid
	d=$(prom_dir)
	while read -r name bin; do
		kill_pidfile "$d/$name.pid" "${bin:0:15}"
	done < <(prom_daemons)
	for pid in $(pgrep -x 'prometheus|prometheus-ipmi|prometheus-blac' || true); do
		[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$d" ] && kill -KILL "$pid" 2>/dev/null || true
	done
}

# hacon_rec_yaml: hacon-prom.yaml reading the series of hacon's recording
# rules (prometheus.recorded) instead of the exporters' own.
hacon_rec_yaml() {
	hacon_prom_yaml | sed -e 's|^  interval: 2s$|  interval: 2s\n  recorded: true|' -e 's|audit-prom|audit-rec|; s|events-prom|events-rec|'
}

# hacon_prom_yaml: hacon reading the same cluster from the lab's
# Prometheus only: no pacemaker, haproxy or bmc section, so every plane
# comes from Prometheus.
hacon_prom_yaml() {
	local n
	cat <<EOF
# generated by hacon lab/up: hacon on the lab's cluster, read from Prometheus
interval: 2s
audit_log: $LAB_STATE/audit-prom.log
events_log: $LAB_STATE/events-prom.log
prometheus:
  url: http://$LAB_HOST_ADDR:$LAB_PROM_PORT
  interval: 2s
  timeout: 1500ms
  # the BMCs share an address: their targets carry a controller label
  bmc_label: controller
  bmc_template: "{{.Value}}"
clusters:
  - name: hacon-lab
    prometheus: {}
    controllers:
EOF
	for n in $(seq 0 $((LAB_NODES - 1))); do
		printf '      - {name: %s, address: %s}\n' "$(node_name "$n")" "$(node_addr "$n")"
	done
	hacon_services
}
