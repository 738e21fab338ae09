# shellcheck shell=bash
# The lab's SSH: hacon reaches every controller as operators do, with
# `ssh heat-admin@<address> sudo -n <tool>` (sourced by lab/up, lab/down
# and node-init; needs common.sh).
#
# - one lab client key (STATE/ssh/id_ed25519) and a known_hosts trusting
#   every node's own host key, in a lab ssh_config (STATE/ssh/ssh_config);
# - per node, a real OpenSSH sshd on the node's address inside its
#   namespaces (node-init starts it at every boot), logging to
#   STATE/controller-N/sshd.log (one "Accepted publickey" line per login);
# - a non-root heat-admin user (made on this host, marked in its GECOS
#   field, the lab key in ~/.ssh/authorized_keys.hacon-lab) allowed sudo without a password for the Pacemaker tools
#   only, as TripleO sets it up (/etc/sudoers.d/hacon-lab).

LAB_SSH_USER=heat-admin
LAB_SSH_GECOS="hacon lab"
LAB_SUDOERS=/etc/sudoers.d/hacon-lab
# The Pacemaker tools, and the read-only ones `hacon discover` uses to read
# HAProxy's configuration (TripleO's heat-admin may run anything as root).
LAB_PCMK_TOOLS="crm_mon cibadmin crm_resource crm_attribute crm_node stonith_admin crm_simulate crm_verify cat ls ps"

ssh_dir() { printf '%s/ssh' "$LAB_STATE"; }

# make_ssh: keys, known_hosts, ssh_config, per-node sshd_config, the user
# and its sudo rule.
make_ssh() {
	local d n nd addr tools t p home
	d=$(ssh_dir)
	mkdir -p "$d"
	chmod 0700 "$d"
	ssh-keygen -q -t ed25519 -N '' -C "hacon-lab" -f "$d/id_ed25519"
	: >"$d/known_hosts"
	for n in $(seq 0 $((LAB_NODES - 1))); do
		nd=$(node_dir "$n")
		addr=$(node_addr "$n")
		mkdir -p "$nd/ssh"
		ssh-keygen -q -t ed25519 -N '' -C "$(node_name "$n")" -f "$nd/ssh/host_ed25519"
		printf '%s %s\n' "$addr" "$(cut -d' ' -f1,2 "$nd/ssh/host_ed25519.pub")" >>"$d/known_hosts"
		sshd_conf "$n" >"$nd/ssh/sshd_config"
	done
	cat >"$d/ssh_config" <<CFG
# hacon lab: the controllers, reached as heat-admin with the lab key only
Host $LAB_NET.*
  User $LAB_SSH_USER
  IdentityFile $d/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $d/known_hosts
  StrictHostKeyChecking yes
  GlobalKnownHostsFile /dev/null
CFG
	if ! id "$LAB_SSH_USER" >/dev/null 2>&1; then
		useradd --system --create-home --shell /bin/bash --comment "$LAB_SSH_GECOS" "$LAB_SSH_USER"
		# "*": no password, not a locked account (sshd refuses those).
		usermod -p '*' "$LAB_SSH_USER"
	fi
	home=$(getent passwd "$LAB_SSH_USER" | cut -d: -f6)
	install -d -m 0700 -o "$LAB_SSH_USER" "$home/.ssh"
	install -m 0600 -o "$LAB_SSH_USER" "$d/id_ed25519.pub" "$home/.ssh/authorized_keys.hacon-lab"
	tools=""
	for t in $LAB_PCMK_TOOLS; do
		p=$(command -v "$t" 2>/dev/null) || continue
		tools="$tools${tools:+, }$p"
	done
	printf '# hacon lab (lab/up): heat-admin runs the Pacemaker tools as root, as on TripleO controllers\n%s ALL=(root) NOPASSWD: %s\n' \
		"$LAB_SSH_USER" "$tools" >"$LAB_SUDOERS.tmp"
	chmod 0440 "$LAB_SUDOERS.tmp"
	visudo -cq -f "$LAB_SUDOERS.tmp" || die "generated sudoers rule is invalid"
	mv "$LAB_SUDOERS.tmp" "$LAB_SUDOERS"
}

# sshd_conf N: controller-N's sshd, on its own address only.
sshd_conf() {
	local n=$1 nd
	nd=$(node_dir "$n")
	cat <<CFG
ListenAddress $(node_addr "$n")
Port 22
HostKey $nd/ssh/host_ed25519
PidFile $nd/sshd.pid
# The lab key only, in heat-admin's home (lab/down removes it).
AuthorizedKeysFile .ssh/authorized_keys.hacon-lab
# No PAM: pam_loginuid cannot write /proc/self/loginuid in a container.
# Logins are counted from sshd's own "Accepted publickey" lines.
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $LAB_SSH_USER
LogLevel INFO
CFG
}

# remove_ssh: the sudo rule and the heat-admin user lab/up made.
remove_ssh() {
	local home
	rm -f "$LAB_SUDOERS" "$LAB_SUDOERS.tmp"
	home=$(getent passwd "$LAB_SSH_USER" | cut -d: -f6)
	[ -z "$home" ] || rm -f "$home/.ssh/authorized_keys.hacon-lab"
	if [ "$(getent passwd "$LAB_SSH_USER" | cut -d: -f5)" = "$LAB_SSH_GECOS" ]; then
		userdel --remove "$LAB_SSH_USER" 2>/dev/null || true
	fi
}
