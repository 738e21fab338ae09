// Package lab holds hacon's end-to-end tests on a real HA cluster: three
// controllers in network + mount + UTS namespaces running Corosync and
// Pacemaker, IPMI fencing to ipmi_sim, HAProxy and a VIP, made by lab/up.
// hacon reaches Pacemaker through each controller's own OpenSSH sshd, as
// heat-admin with sudo, the way operators do.
// The tests build only with the "lab" tag (make lab-test, as root).
package lab
