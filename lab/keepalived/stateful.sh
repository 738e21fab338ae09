# shellcheck shell=bash
# stateful.sh — the lab's stateful plane (sourced): a three-node MariaDB
# Galera cluster and a three-node RabbitMQ cluster, one node per
# controller, configured where kolla-ansible keeps them (/etc/kolla/mariadb,
# /etc/kolla/rabbitmq) and with their data in the node's own
# /var/lib/mysql and /var/lib/rabbitmq (bind mounts of STATE/kctl-N/).

# stateful_template: MariaDB's system tables, made once (up) and copied to
# every node: mariadb-install-db run three times in parallel collides on
# its temporary tables, and the joiners' data is replaced by SST anyway.
stateful_template() {
	local t=$KLAB_STATE/mysql-template
	rm -rf "$t"
	mkdir -p "$t"
	chown mysql:mysql "$t"
	mariadb-install-db --no-defaults --datadir="$t" --user=mysql \
		--auth-root-authentication-method=socket --skip-test-db >"$KLAB_STATE/mariadb-install.log" 2>&1 ||
		die "mariadb-install-db failed (see $KLAB_STATE/mariadb-install.log)"
}

# stateful_init N — fresh data directories for node N (run by up, after
# stateful_template, before the node boots): MariaDB's system tables,
# RabbitMQ's home and cookie.
stateful_init() {
	local n=$1 nd
	nd=$(node_dir "$n")
	rm -rf "$nd/mysql" "$nd/rabbit"
	mkdir -p "$nd/rabbit/log"
	cp -a "$KLAB_STATE/mysql-template" "$nd/mysql"
	printf '%s' "$(cat "$KLAB_STATE/erlang-cookie")" >"$nd/rabbit/.erlang.cookie"
	echo '[].' >"$nd/rabbit/enabled_plugins"
	chmod 400 "$nd/rabbit/.erlang.cookie"
	chown -R rabbitmq:rabbitmq "$nd/rabbit"
}

# galera_cnf N: kolla's galera.cnf, cut to what a lab needs: wsrep on
# between the three controllers' addresses, rsync SST, and a member that
# stops answering suspected within seconds.
galera_cnf() {
	local n=$1 p peers=""
	for p in $(seq 0 $((KLAB_NODES - 1))); do peers="$peers${peers:+,}$(node_addr "$p")"; done
	cat <<EOF
[mysqld]
user = mysql
datadir = /var/lib/mysql
socket = /run/mysqld/mysqld.sock
pid-file = /run/mysqld/mysqld.pid
log-error = /var/lib/mysql/mariadb.log
bind-address = $(node_addr "$n")
port = 3306
skip-name-resolve
innodb_buffer_pool_size = 16M
innodb_log_file_size = 8M
performance_schema = OFF
binlog_format = ROW
default_storage_engine = InnoDB
innodb_autoinc_lock_mode = 2
wsrep_on = ON
wsrep_provider = /usr/lib/galera/libgalera_smm.so
wsrep_cluster_name = klab
wsrep_cluster_address = gcomm://$peers
wsrep_node_address = $(node_addr "$n")
wsrep_node_name = $(node_name "$n")
wsrep_sst_method = rsync
wsrep_provider_options = "evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S"
EOF
}

# rabbitmq_conf: every node lists the others (classic peer discovery), a
# cut is noticed within seconds (net_ticktime), and autoheal restarts the
# minority when the sides meet again.
rabbitmq_conf() {
	local p
	cat <<EOF
listeners.tcp.default = 5672
loopback_users = none
net_ticktime = 8
cluster_partition_handling = autoheal
cluster_formation.peer_discovery_backend = classic_config
EOF
	for p in $(seq 0 $((KLAB_NODES - 1))); do
		echo "cluster_formation.classic_config.nodes.$((p + 1)) = rabbit@$(node_name "$p")"
	done
}

# stateful_start N — inside kctl-N's namespaces (node-init): mount the
# data, write the configuration and start both servers in the background.
# Galera's first boot forms the cluster on kctl-0; any other boot joins
# whichever peer is up, so it waits for one to listen.
stateful_start() {
	local n=$1 nd new=""
	nd=$(node_dir "$n")
	mount --bind "$nd/mysql" /var/lib/mysql
	mount --bind "$nd/rabbit" /var/lib/rabbitmq
	mkdir -p /run/mysqld /etc/kolla/mariadb /etc/kolla/rabbitmq
	chown mysql:mysql /run/mysqld
	galera_cnf "$n" >/etc/kolla/mariadb/galera.cnf
	rabbitmq_conf >/etc/kolla/rabbitmq/rabbitmq.conf
	if [ "$n" = 0 ] && [ ! -f "$KLAB_STATE/galera.formed" ]; then
		touch "$KLAB_STATE/galera.formed"
		new=--wsrep-new-cluster
	fi
	(
		[ -n "$new" ] || wait_for_galera_peer "$n"
		# shellcheck disable=SC2086 # $new is one flag or none
		exec mariadbd --defaults-file=/etc/kolla/mariadb/galera.cnf $new
	) </dev/null >>"$nd/mariadb.out" 2>&1 &
	(
		cd /var/lib/rabbitmq || exit 1
		exec setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups env HOME=/var/lib/rabbitmq \
			RABBITMQ_NODENAME="rabbit@$(node_name "$n")" RABBITMQ_CONFIG_FILE=/etc/kolla/rabbitmq/rabbitmq \
			RABBITMQ_LOG_BASE=/var/lib/rabbitmq/log RABBITMQ_MNESIA_BASE=/var/lib/rabbitmq/mnesia \
			RABBITMQ_ENABLED_PLUGINS_FILE=/var/lib/rabbitmq/enabled_plugins RABBITMQ_PID_FILE=/var/lib/rabbitmq/rabbit.pid \
			/usr/lib/rabbitmq/bin/rabbitmq-server
	) </dev/null >>"$nd/rabbit/log/console.log" 2>&1 &
}

# wait_for_galera_peer N: until another node's group port answers (60 s).
wait_for_galera_peer() {
	local n=$1 p
	for _ in $(seq 120); do
		for p in $(seq 0 $((KLAB_NODES - 1))); do
			[ "$p" = "$n" ] && continue
			timeout 1 bash -c "</dev/tcp/$(node_addr "$p")/4567" 2>/dev/null && return 0
		done
		sleep 0.5
	done
}
