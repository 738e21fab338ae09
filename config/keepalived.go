package config

import (
	"fmt"
	"strings"
	"time"
)

// Keepalived says how to reach keepalived (VRRP) on the controllers: the
// kolla-ansible and openstack-ansible control planes, which have no
// Pacemaker.
type Keepalived struct {
	// Command is put after the cluster's command prefix for the commands
	// that must run where keepalived runs (its JSON dump lands in that
	// mount namespace's /tmp): e.g. [podman, exec, keepalived] for kolla.
	// Addresses (ip -j addr) are read with the cluster prefix alone: the
	// container shares the host's network.
	Command []string `yaml:"command"`
	// StopCommand and StartCommand release and restart keepalived on the
	// holder when a VIP is moved (after the cluster prefix, not inside the
	// container): default systemctl stop|start keepalived; kolla:
	// [docker, stop, keepalived] / [docker, start, keepalived].
	StopCommand  []string      `yaml:"stop_command"`
	StartCommand []string      `yaml:"start_command"`
	Interval     time.Duration `yaml:"interval"`
	Timeout      time.Duration `yaml:"timeout"`
}

// Default keepalived service commands (a systemd host).
var (
	defaultKeepalivedStop  = []string{"systemctl", "stop", "keepalived"}
	defaultKeepalivedStart = []string{"systemctl", "start", "keepalived"}
)

// PacemakerCommand is the prefix Pacemaker's CLI runs behind:
// pacemaker.command when given, else the cluster's command.
func (c *Cluster) PacemakerCommand() []string {
	if c.Pacemaker != nil && c.Pacemaker.Command != nil {
		return c.Pacemaker.Command
	}
	return c.Command
}

// UsesKeepalived reports whether the cluster has keepalived VIPs or a
// keepalived section: then every controller's VRRP state is polled.
func (c *Cluster) UsesKeepalived() bool {
	if c.Keepalived != nil {
		return true
	}
	for _, v := range c.VIPs {
		if v.KeepalivedInstance != "" {
			return true
		}
	}
	return false
}

// KeepalivedExec is the argv put between the cluster prefix and a command
// that must run where keepalived runs (empty: on the host itself).
func (c *Cluster) KeepalivedExec() []string {
	if c.Keepalived == nil {
		return nil
	}
	return c.Keepalived.Command
}

// KeepalivedStop is the command that stops keepalived on a controller.
func (c *Cluster) KeepalivedStop() []string {
	if c.Keepalived != nil && len(c.Keepalived.StopCommand) > 0 {
		return c.Keepalived.StopCommand
	}
	return defaultKeepalivedStop
}

// KeepalivedStart is the command that starts keepalived on a controller.
func (c *Cluster) KeepalivedStart() []string {
	if c.Keepalived != nil && len(c.Keepalived.StartCommand) > 0 {
		return c.Keepalived.StartCommand
	}
	return defaultKeepalivedStart
}

// validateKeepalived checks the cluster command, the keepalived section
// and the VIPs' instance names.
func (v *validator) validateKeepalived(p string, c *Cluster) {
	v.checkPrefix(p+".command", c.Command, c)
	if k := c.Keepalived; k != nil {
		v.checkPrefix(p+".keepalived.command", k.Command, c)
		v.checkPrefix(p+".keepalived.stop_command", k.StopCommand, c)
		v.checkPrefix(p+".keepalived.start_command", k.StartCommand, c)
	}
	for i, vip := range c.VIPs {
		vp := fmt.Sprintf("%s.vips[%d]", p, i)
		if vip.KeepalivedInstance == "" {
			continue
		}
		v.checkName(vp+".keepalived_instance", vip.KeepalivedInstance, "a keepalived VRRP instance name")
		if vip.PacemakerResource != "" {
			v.bad(vp+".keepalived_instance", "a VIP has either pacemaker_resource or keepalived_instance, not both")
		}
		if vip.Address == "" {
			v.bad(vp+".address", "required with keepalived_instance: where the VIP is is read from each controller's addresses")
		}
	}
}

// checkPrefix checks an argv prefix: present-but-empty is a mistake, and
// every element must be a valid {{.Name}}/{{.Address}} template.
func (v *validator) checkPrefix(path string, argv []string, c *Cluster) {
	if argv == nil {
		return
	}
	if len(argv) == 0 && v.lines[path] != 0 {
		v.bad(path, "an empty command; omit the key instead")
	}
	for i, a := range argv {
		ap := fmt.Sprintf("%s[%d]", path, i)
		v.checkTemplate(ap, a)
		if strings.Contains(a, ".Address") {
			v.needAddresses(ap, c)
		}
	}
}
