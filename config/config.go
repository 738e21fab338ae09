// Package config reads hacon's inventory: which clusters, controllers, BMCs,
// HAProxies, services and VIPs to watch. Decoding is strict and every problem
// names file:line, the key path and what was expected.
package config

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"
	"time"

	promconfig "github.com/prometheus/common/config"
)

// Defaults applied when the file is silent.
const (
	DefaultInterval      = 2 * time.Second
	DefaultConcurrency   = 32
	DefaultVerifyTimeout = 60 * time.Second
	DefaultBMCInterval   = 5 * time.Second // BMCs are polled slower unless bmc.interval says
	DefaultBMCTimeout    = 5 * time.Second
)

// Config is the whole inventory file.
type Config struct {
	File          string        `yaml:"-"`
	Interval      time.Duration `yaml:"interval"`
	Timeout       time.Duration `yaml:"timeout"`
	ReadOnly      bool          `yaml:"read_only"`
	AuditLog      string        `yaml:"audit_log"`
	EventsLog     string        `yaml:"events_log"`
	Concurrency   int           `yaml:"concurrency"`    // probes in flight at once
	VerifyTimeout time.Duration `yaml:"verify_timeout"` // how long an action waits to see its effect
	Clusters      []Cluster     `yaml:"clusters"`
	// Prometheus is the query API clusters may read planes from (see
	// prometheus.go); each cluster opts in with its own prometheus block.
	Prometheus *Prometheus `yaml:"prometheus"`
}

// Cluster is one HA control plane.
type Cluster struct {
	Name        string                       `yaml:"name"`
	Environment string                       `yaml:"environment"` // production, staging, test, lab or another word
	Color       string                       `yaml:"color"`       // the environment's colour (default by environment)
	Interval    time.Duration                `yaml:"interval"`
	Timeout     time.Duration                `yaml:"timeout"`
	HTTP        *promconfig.HTTPClientConfig `yaml:"http"` // TLS/auth/proxy for endpoint probes
	// Command is the argv prefix every plane that runs commands on a
	// controller uses (Pacemaker, keepalived), unless the plane sets its own.
	Command     []string     `yaml:"command"`
	Controllers []Controller `yaml:"controllers"`
	Pacemaker   *Pacemaker   `yaml:"pacemaker"`
	Keepalived  *Keepalived  `yaml:"keepalived"`
	HAProxy     []HAProxy    `yaml:"haproxy"`
	Services    []Service    `yaml:"services"`
	VIPs        []VIP        `yaml:"vips"`
	Galera      *Galera      `yaml:"galera"`     // the database's own view, per controller
	RabbitMQ    *RabbitMQ    `yaml:"rabbitmq"`   // the message queue's own view, per controller
	Prometheus  *Prometheus  `yaml:"prometheus"` // planes read from Prometheus instead of polled
}

// Controller is one controller node; Name must match the Pacemaker node name.
type Controller struct {
	Name    string `yaml:"name"`
	Address string `yaml:"address"`
	BMC     *BMC   `yaml:"bmc"`
}

// BMC is how to reach a controller's baseboard management controller.
type BMC struct {
	Driver       string        `yaml:"driver"` // ipmi | redfish
	Address      string        `yaml:"address"`
	Port         int           `yaml:"port"`
	Username     string        `yaml:"username"`
	Password     string        `yaml:"password"` // refused: secrets never live in the file
	PasswordEnv  string        `yaml:"password_env"`
	PasswordFile string        `yaml:"password_file"`
	CipherSuite  int           `yaml:"cipher_suite"`
	InsecureTLS  bool          `yaml:"insecure_tls"`
	Interval     time.Duration `yaml:"interval"`
	Timeout      time.Duration `yaml:"timeout"`
}

// Pacemaker says how to run Pacemaker's CLI tools.
type Pacemaker struct {
	Command  []string      `yaml:"command"` // argv prefix; {{.Address}} {{.Name}} expand per controller
	Interval time.Duration `yaml:"interval"`
	Timeout  time.Duration `yaml:"timeout"`
	// AutoServices turns off (false) the rows hacon adds for Pacemaker
	// resources no service maps; unset means on.
	AutoServices *bool `yaml:"auto_services"`
	// HideResources are resource ids never shown as auto rows.
	HideResources []string `yaml:"hide_resources"`
}

// AutoRows reports whether unmapped Pacemaker resources get rows of their own.
func (p *Pacemaker) AutoRows() bool {
	return p != nil && (p.AutoServices == nil || *p.AutoServices)
}

// HAProxy is one load balancer (one per controller, typically).
type HAProxy struct {
	Controller  string        `yaml:"controller"`
	StatsURL    string        `yaml:"stats_url"`    // http(s)://…;csv or …/metrics
	StatsSocket string        `yaml:"stats_socket"` // /path, unix:///path or tcp://host:port
	RuntimeAPI  string        `yaml:"runtime_api"`  // unix:///path or tcp://host:port
	Interval    time.Duration `yaml:"interval"`
	Timeout     time.Duration `yaml:"timeout"`
}

// Service is one OpenStack service as hacon shows it.
type Service struct {
	Name              string                       `yaml:"name"`
	Mode              string                       `yaml:"mode"` // active-active | active-passive
	PacemakerResource string                       `yaml:"pacemaker_resource"`
	HAProxyBackend    string                       `yaml:"haproxy_backend"`
	Endpoint          string                       `yaml:"endpoint"`     // template per controller
	VIPEndpoint       string                       `yaml:"vip_endpoint"` // through the VIP
	HTTP              *promconfig.HTTPClientConfig `yaml:"http"`
	SlowThreshold     time.Duration                `yaml:"slow_threshold"` // latency above which "slow"
	Interval          time.Duration                `yaml:"interval"`
	Timeout           time.Duration                `yaml:"timeout"`
}

// VIP is a virtual IP managed by Pacemaker or by keepalived (VRRP).
type VIP struct {
	Name               string `yaml:"name"`
	Address            string `yaml:"address"`
	PacemakerResource  string `yaml:"pacemaker_resource"`
	KeepalivedInstance string `yaml:"keepalived_instance"` // the VRRP instance holding the address
}

// Modes accepted in a service's mode key.
const (
	ModeActiveActive  = "active-active"
	ModeActivePassive = "active-passive"
)

// TemplateData is what {{.Name}} and {{.Address}} expand from.
type TemplateData struct {
	Name    string
	Address string
}

// IndexedTemplateData adds {{.Index}}, the controller's position in the
// inventory from 0, for the stateful commands only (TripleO names its bundle
// replicas galera-bundle-podman-0..2 in controller order).
type IndexedTemplateData struct {
	Name    string
	Address string
	Index   int
}

// Expand fills a {{.Name}}/{{.Address}} template for one controller.
func Expand(tmpl string, c Controller) (string, error) {
	return expandWith(tmpl, TemplateData{Name: c.Name, Address: c.Address})
}

func expandWith(tmpl string, data any) (string, error) {
	t, err := template.New("x").Option("missingkey=error").Parse(tmpl)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("template %q: %w", tmpl, err)
	}
	return b.String(), nil
}

// ExpandURL fills a URL template: an IPv6 address lands in brackets, as a
// URL's host needs it ("http://[::1]:5000/v3", not "http://::1:5000/v3").
func ExpandURL(tmpl string, c Controller) (string, error) {
	c.Address = URLHost(c.Address)
	return Expand(tmpl, c)
}

// ExpandArgs expands every element of an argv prefix for one controller.
// The controller's name and address are checked again here (configs built
// in code skip validation), and an element a template produced may not
// start with '-': ssh and sudo would read it as an option.
func ExpandArgs(args []string, c Controller) ([]string, error) {
	return expandArgsWith(args, c, TemplateData{Name: c.Name, Address: c.Address})
}

// ExpandArgsIndexed is ExpandArgs with {{.Index}} too (see IndexedTemplateData).
func ExpandArgsIndexed(args []string, c Controller, index int) ([]string, error) {
	return expandArgsWith(args, c, IndexedTemplateData{Name: c.Name, Address: c.Address, Index: index})
}

func expandArgsWith(args []string, c Controller, data any) ([]string, error) {
	if msg := nameProblem(c.Name); c.Name != "" && msg != "" {
		return nil, fmt.Errorf("controller name %q: %s", c.Name, msg)
	}
	if c.Address != "" {
		if msg := addressProblem(c.Address); msg != "" {
			return nil, fmt.Errorf("controller %s: address %q: %s", c.Name, c.Address, msg)
		}
	}
	out := make([]string, 0, len(args))
	for _, a := range args {
		s, err := expandWith(a, data)
		if err == nil && s != a && strings.HasPrefix(s, "-") && !strings.HasPrefix(a, "-") {
			err = fmt.Errorf("template %q expands to %q, which a command would read as an option", a, s)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// Controller returns the named controller of a cluster.
func (c *Cluster) Controller(name string) (Controller, bool) {
	for _, ctl := range c.Controllers {
		if ctl.Name == name {
			return ctl, true
		}
	}
	return Controller{}, false
}

// ClusterByName finds a cluster.
func (c *Config) ClusterByName(name string) (*Cluster, bool) {
	for i := range c.Clusters {
		if c.Clusters[i].Name == name {
			return &c.Clusters[i], true
		}
	}
	return nil, false
}

// IntervalFor resolves a per-source interval: the most specific non-zero wins.
func (c *Config) IntervalFor(cl *Cluster, override time.Duration) time.Duration {
	switch {
	case override > 0:
		return override
	case cl != nil && cl.Interval > 0:
		return cl.Interval
	case c.Interval > 0:
		return c.Interval
	}
	return DefaultInterval
}

// TimeoutFor resolves a per-source timeout; the default is 75% of the interval.
func (c *Config) TimeoutFor(cl *Cluster, override, intervalOverride time.Duration) time.Duration {
	switch {
	case override > 0:
		return override
	case cl != nil && cl.Timeout > 0:
		return cl.Timeout
	case c.Timeout > 0:
		return c.Timeout
	}
	return c.IntervalFor(cl, intervalOverride) * 3 / 4
}
