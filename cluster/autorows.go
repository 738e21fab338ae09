package cluster

import (
	"strings"

	"github.com/hacon/hacon/config"
)

// Auto rows: every top-level Pacemaker resource that no configured service
// maps becomes a matrix row of its own, so a cluster configured with
// nothing but its controllers still shows its placement. Stonith devices
// (their own panel: fencing) and IPaddr2 primitives (the VIP panel) are
// left out, as are resources the config hides.

// rowSpec is one row to build: a configured service or an auto row.
type rowSpec struct {
	config.Service
	auto bool
}

// rowSpecs lists the configured services, then an auto row per unmapped
// resource in crm_mon's order.
func (m *merger) rowSpecs() []rowSpec {
	rows := make([]rowSpec, 0, len(m.cc.Services)+len(m.out.Resources))
	names := map[string]bool{}
	mapped := map[string]bool{}
	for _, s := range m.cc.Services {
		rows = append(rows, rowSpec{Service: s})
		names[s.Name] = true
		if r := m.out.Resource(s.PacemakerResource); r != nil {
			mapped[r.ID] = true
		}
	}
	if !m.cc.Pacemaker.AutoRows() {
		return rows
	}
	for _, v := range m.cc.VIPs {
		if r := m.out.Resource(v.PacemakerResource); r != nil {
			mapped[r.ID] = true
		}
	}
	for _, id := range m.cc.Pacemaker.HideResources {
		mapped[id] = true
	}
	for _, r := range m.out.Resources {
		if mapped[r.ID] || !AutoRowFor(r) {
			continue
		}
		name := AutoName(r.ID)
		if names[name] {
			name = r.ID
		}
		if names[name] {
			continue // a configured service already bears this id as its name
		}
		names[name] = true
		rows = append(rows, rowSpec{Service: config.Service{Name: name, PacemakerResource: r.ID}, auto: true})
	}
	return rows
}

// AutoRowFor reports whether a resource deserves an auto row: anything but
// a stonith device or a VIP.
func AutoRowFor(r Resource) bool {
	return !IsStonith(r) && !IsVIP(r)
}

// IsStonith reports whether a resource is a fencing device.
func IsStonith(r Resource) bool { return strings.HasPrefix(r.Agent, "stonith:") }

// IsVIP reports whether a resource is a virtual IP the VIP panel shows.
func IsVIP(r Resource) bool {
	return r.Kind == KindPrimitive && strings.HasSuffix(r.Agent, ":IPaddr2")
}

// AutoName gives a resource a readable row name: galera for galera-bundle,
// cinder-volume for openstack-cinder-volume, haproxy for haproxy-clone.
func AutoName(id string) string {
	name := strings.TrimPrefix(id, "openstack-")
	for _, suffix := range []string{"-bundle", "-clone", "-master"} {
		name = strings.TrimSuffix(name, suffix)
	}
	if name == "" {
		return id
	}
	return name
}

func (m *merger) controllerSet() map[string]bool {
	set := make(map[string]bool, len(m.cc.Controllers))
	for _, c := range m.cc.Controllers {
		set[c.Name] = true
	}
	return set
}

// ExpectedOn is how many instances of a resource should run on the
// controllers: every bundle replica (one per controller at most); for a
// clone every instance crm_mon lists, unless some run off the controllers
// (a clone for computes too), when only those on controllers count; one
// for a primitive or group; none when the resource is disabled.
func ExpectedOn(r *Resource, controllers map[string]bool) int {
	if r.Disabled || r.TargetRole == RoleStopped {
		return 0
	}
	switch r.Kind {
	case KindBundle:
		return min(max(r.Replicas, len(r.Instances)), len(controllers))
	case KindClone, KindPromotable:
		on, off := 0, 0
		for _, in := range r.Instances {
			switch {
			case in.Node == "":
			case controllers[in.Node]:
				on++
			default:
				off++
			}
		}
		if off > 0 {
			return on
		}
		return min(len(r.Instances), len(controllers))
	}
	return 1
}
