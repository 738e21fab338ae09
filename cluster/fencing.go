package cluster

import (
	"regexp"
	"sort"
	"strings"
)

// Pacemaker fences nodes with its own stonith devices. hacon reads which
// device can fence which node from the CIB (never a device's password: only
// the target parameters are kept) and whether each runs from crm_mon, so a
// node is fence-ready when the cluster can fence it, whatever hacon's own
// BMC access says.

// Host check words (pcmk_host_check).
const (
	HostCheckStatic  = "static-list"
	HostCheckDynamic = "dynamic-list"
	HostCheckStatus  = "status"
	HostCheckNone    = "none"
)

// FencingConfig is the CIB's fencing configuration.
type FencingConfig struct {
	Devices []FenceDevice
	Levels  []FenceLevel
	// LevelsUnknown is set when the fencing topology could not be read.
	LevelsUnknown bool
}

// FenceDevice is one stonith device.
type FenceDevice struct {
	ID    string
	Agent string // e.g. stonith:fence_ipmilan
	// Targets are the nodes the device names (pcmk_host_list, the keys
	// of pcmk_host_map, or the device's own port/plug when neither is set).
	Targets []string
	// HostCheck is pcmk_host_check as configured, or the value Pacemaker
	// implies: static-list with a list or map; otherwise the device is
	// asked at fencing time (dynamic-list or status).
	HostCheck string
	Started   bool   // crm_mon: running on Node
	Node      string // where it runs
	Failed    bool
	Disabled  bool
	Known     bool // crm_mon lists it (a device only in the CIB is not)
}

// AsksDevice reports whether the device decides at fencing time whom it
// can fence (no static target list).
func (d FenceDevice) AsksDevice() bool {
	return d.HostCheck == HostCheckDynamic || d.HostCheck == HostCheckStatus
}

// CanTarget reports whether the device may fence node: it names it, it
// checks nothing, or it is asked at fencing time.
func (d FenceDevice) CanTarget(node string) bool {
	if d.HostCheck == HostCheckNone || d.AsksDevice() {
		return true
	}
	for _, t := range d.Targets {
		if t == node {
			return true
		}
	}
	return false
}

// Usable reports whether the device can be used now: it runs, it has not
// failed.
func (d FenceDevice) Usable() bool { return d.Started && !d.Failed }

// FenceLevel is one fencing-topology level.
type FenceLevel struct {
	Index   int
	Target  string // a node name; empty when by pattern or attribute
	Pattern string // target-pattern (a regular expression)
	Attr    string // target-attribute=target-value
	Devices []string
}

// Fencing is what Pacemaker's fencing can do for one node.
type Fencing struct {
	Ready   bool
	Devices []string // usable devices that can fence it
	Level   int      // the first fencing level for the node; 0 without topology
	Why     string   // why not ready
	Asked   bool     // only devices that are asked at fencing time can fence it
	Last    *FenceEvent
	Failed  *FenceEvent // the newest failed fencing of the node
}

// Device finds a device by id.
func (f *FencingConfig) Device(id string) *FenceDevice {
	for i := range f.Devices {
		if f.Devices[i].ID == id {
			return &f.Devices[i]
		}
	}
	return nil
}

// fencingFor works out whether Pacemaker can fence node.
func fencingFor(node string, stonith bool, f *FencingConfig, history []FenceEvent) *Fencing {
	out := &Fencing{}
	out.Last, out.Failed = lastFencing(node, history)
	var levelDevs []string
	for _, l := range f.Levels {
		if levelFor(l, node) && (out.Level == 0 || l.Index < out.Level) {
			out.Level, levelDevs = l.Index, l.Devices
		}
	}
	var named, asked []string
	var idle []string
	for _, d := range f.Devices {
		if d.Disabled || !d.CanTarget(node) || (out.Level > 0 && !contains(levelDevs, d.ID)) {
			continue
		}
		switch {
		case !d.Usable():
			idle = append(idle, d.ID+" ("+deviceState(d)+")")
		case d.AsksDevice() || d.HostCheck == HostCheckNone:
			asked = append(asked, d.ID)
		default:
			named = append(named, d.ID)
		}
	}
	out.Devices = append(named, asked...)
	out.Asked = len(named) == 0 && len(asked) > 0
	switch {
	case !stonith:
		out.Why = "stonith-enabled is off"
	case len(out.Devices) > 0:
		out.Ready = true
	case len(idle) > 0:
		out.Why = "its stonith device " + strings.Join(idle, ", ") + " is not running"
	default:
		out.Why = "no stonith device targets it"
	}
	out.Ready = out.Ready && stonith
	return out
}

func deviceState(d FenceDevice) string {
	switch {
	case d.Failed:
		return "FAILED"
	case d.Disabled:
		return "disabled"
	case !d.Known:
		return "unknown to crm_mon"
	}
	return "stopped"
}

// lastFencing finds the newest fencing action against node, and the newest
// failed one. crm_mon lists the history newest first.
func lastFencing(node string, history []FenceEvent) (last, failed *FenceEvent) {
	evs := make([]FenceEvent, 0, 4)
	for _, e := range history {
		if e.Target == node {
			evs = append(evs, e)
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Completed > evs[j].Completed })
	for i := range evs {
		e := evs[i]
		if last == nil {
			last = &e
		}
		if failed == nil && e.Status == "failed" {
			failed = &e
		}
	}
	return last, failed
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// FenceReady reports whether the node can be fenced at all: by Pacemaker's
// own devices or through hacon's BMC access.
func (n Node) FenceReady() bool {
	return n.PacemakerFenceReady() || (n.BMC != nil && n.BMC.FenceReady)
}

// PacemakerFenceReady reports whether Pacemaker can fence the node.
func (n Node) PacemakerFenceReady() bool { return n.Fencing != nil && n.Fencing.Ready }

// nodeFencing is Pacemaker's fencing for one node, or nil when the CIB's
// fencing configuration is unknown or the node is a bundle's guest (its
// container is recovered on its host, not fenced).
func nodeFencing(pm *PacemakerStatus, pn *PcmkNode, name string) *Fencing {
	if pm.Fencing == nil || (pn != nil && pn.Type == "remote" && isGuestOf(pm, name)) {
		return nil
	}
	return fencingFor(name, pm.StonithEnabled, pm.Fencing, pm.FenceHistory)
}

// isGuestOf reports whether a remote node is a bundle replica's guest.
func isGuestOf(pm *PacemakerStatus, name string) bool {
	for _, r := range pm.Resources {
		if r.Kind != KindBundle || !strings.HasPrefix(name, r.ID+"-") {
			continue
		}
		for _, in := range r.Instances {
			if in.ID == name {
				return true
			}
		}
	}
	return false
}

// levelFor reports whether a fencing level applies to node: by name or by
// target-pattern (Go's regexp runs in linear time, so a peer's pattern
// cannot hang hacon). Levels by node attribute are not matched.
func levelFor(l FenceLevel, node string) bool {
	if l.Target != "" {
		return l.Target == node
	}
	if l.Pattern != "" {
		ok, err := regexp.MatchString(l.Pattern, node)
		return err == nil && ok
	}
	return false
}
