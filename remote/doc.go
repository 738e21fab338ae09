// Package remote runs a tool's argv on a controller through the configured
// command prefix (for example `ssh heat-admin@{{.Name}} sudo`), and owns the
// one policy for going from controller to controller when one does not
// answer. The Pacemaker probe and the actions both use it, so a fenced
// controller is handled the same way whether hacon is reading or changing
// the cluster.
//
// The layers, bottom up:
//
//   - Runner runs a full argv (ExecRunner for real; the demo answers from
//     its simulation).
//   - Transport runs a tool on one named controller. Prefix is the
//     Transport that expands the prefix template and hands the result to a
//     Runner. Transports gives each cluster its Transport: PrefixTransports
//     for the plain prefix, remote/sshmux for one ssh control master per
//     controller (what internal/app wires for every real config).
//   - Failover asks controllers in order under a shared deadline, with Read
//     or Change rules (see Op).
package remote
