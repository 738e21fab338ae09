package discover

import (
	"strings"
)

// knownService is an OpenStack (or HA infrastructure) service as operators
// name it, with the names its HAProxy backends and Pacemaker resources
// carry in TripleO, kolla-ansible and openstack-ansible, and the path that
// answers without a token (see formats.md §6).
type knownService struct {
	Name    string
	Aliases []string // normalized names (see normalizeName)
	Path    string   // usual health path; "" when it is not an HTTP API
}

// knownServices is in the order the config lists them.
var knownServices = []knownService{
	{"keystone", []string{"keystone", "keystone-service", "keystone-api"}, "/v3"},
	{"glance-api", []string{"glance-api", "glance"}, "/healthcheck"},
	{"nova-api", []string{"nova-api", "nova-osapi", "nova-api-os-compute", "nova-compute-api"}, "/"},
	{"nova-metadata", []string{"nova-metadata", "nova-api-metadata", "nova-metadata-api"}, "/"},
	{"nova-novncproxy", []string{"nova-novncproxy", "nova-console", "nova-novnc", "novncproxy", "nova-vncproxy"}, ""},
	{"neutron-server", []string{"neutron-server", "neutron", "neutron-api"}, "/"},
	{"cinder-api", []string{"cinder-api", "cinder"}, "/"},
	{"placement", []string{"placement", "placement-api", "nova-placement", "nova-placement-api"}, "/"},
	{"heat-api", []string{"heat-api", "heat"}, "/"},
	{"heat-cfn", []string{"heat-cfn", "heat-api-cfn"}, "/"},
	{"horizon", []string{"horizon", "dashboard"}, "/"},
	{"swift-proxy", []string{"swift-proxy", "swift-proxy-server", "swift", "swift-api"}, "/healthcheck"},
	{"octavia", []string{"octavia", "octavia-api"}, "/"},
	{"manila", []string{"manila", "manila-api"}, "/"},
	{"barbican", []string{"barbican", "barbican-api"}, "/"},
	{"designate", []string{"designate", "designate-api"}, "/"},
	{"ironic", []string{"ironic", "ironic-api"}, "/"},
	{"aodh", []string{"aodh", "aodh-api"}, "/"},
	{"gnocchi", []string{"gnocchi", "gnocchi-api"}, "/"},
	{"panko", []string{"panko", "panko-api"}, "/"},
	{"cinder-volume", []string{"cinder-volume"}, ""},
	{"cinder-backup", []string{"cinder-backup"}, ""},
	{"manila-share", []string{"manila-share"}, ""},
	{"galera", []string{"galera", "mysql", "mariadb", "galera-cluster"}, ""},
	{"rabbitmq", []string{"rabbitmq", "rabbitmq-management", "rabbitmq-mgmt"}, ""},
	{"redis", []string{"redis"}, ""},
	{"ovn-dbs", []string{"ovn-dbs", "ovndb-servers", "ovn-northd"}, ""},
	{"haproxy", []string{"haproxy"}, ""},
	{"memcached", []string{"memcached"}, ""},
}

// nameSuffixes are decorations the deployment tools add to a service's
// name: bundle/clone wrappers, frontend/backend halves, network sides.
var nameSuffixes = []string{"-bundle", "-clone", "-master", "-back", "-front", "-backend", "-frontend",
	"-internal", "-external", "-public", "-admin", "-container"}

// normalizeName lowercases a backend or resource name and strips the
// decorations around the service's own name: keystone_internal_back,
// keystone_service-back, openstack-cinder-volume and galera-bundle all
// come down to the name the table knows.
func normalizeName(s string) string {
	s = strings.ToLower(strings.NewReplacer("_", "-", ".", "-").Replace(s))
	s = strings.TrimPrefix(s, "openstack-")
	for changed := true; changed; {
		changed = false
		if i := strings.LastIndex(s, "-"); i > 0 && allDigits(s[i+1:]) {
			s, changed = s[:i], true // openstack-ansible's frontend-1
		}
		for _, suf := range nameSuffixes {
			if strings.HasSuffix(s, suf) && len(s) > len(suf) {
				s, changed = strings.TrimSuffix(s, suf), true
			}
		}
	}
	return s
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// lookupService finds the known service a backend or resource name is, or
// nil.
func lookupService(name string) *knownService {
	n := normalizeName(name)
	for i := range knownServices {
		for _, a := range knownServices[i].Aliases {
			if n == a {
				return &knownServices[i]
			}
		}
	}
	return nil
}

// serviceRank orders services: known ones in the table's order, then the
// others in the order they were found.
func serviceRank(name string) int {
	for i := range knownServices {
		if knownServices[i].Name == name {
			return i
		}
	}
	return len(knownServices)
}
