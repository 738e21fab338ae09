package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrNoConfig is returned by Locate when no config file exists anywhere.
var ErrNoConfig = errors.New("no config file: pass --config, set HACON_CONFIG, or create $XDG_CONFIG_HOME/hacon/config.yaml (or try `hacon demo`)")

// Locate finds the config file: --config, then $HACON_CONFIG, then
// $XDG_CONFIG_HOME/hacon/config.yaml, then /etc/hacon/config.yaml.
func Locate(flagPath string) (string, error) {
	if flagPath != "" {
		return flagPath, nil
	}
	if p := os.Getenv("HACON_CONFIG"); p != "" {
		return p, nil
	}
	xdg := os.Getenv("XDG_CONFIG_HOME")
	if xdg == "" {
		if home, err := os.UserHomeDir(); err == nil {
			xdg = filepath.Join(home, ".config")
		}
	}
	candidates := []string{}
	if xdg != "" {
		candidates = append(candidates, filepath.Join(xdg, "hacon", "config.yaml"))
	}
	candidates = append(candidates, "/etc/hacon/config.yaml")
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c, nil
		}
	}
	return "", ErrNoConfig
}

// Load reads and validates a config file. On failure the error is Problems
// listing everything wrong at once.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, Problems{{File: path, Msg: fmt.Sprintf("cannot read config: %v", err)}}
	}
	return Parse(path, data)
}

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse decodes and validates config text; file names it in problems.
func Parse(file string, data []byte) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		p := Problem{File: file, Msg: "YAML syntax: " + err.Error()}
		if m := yamlLineRe.FindStringSubmatch(err.Error()); m != nil {
			fmt.Sscanf(m[1], "%d", &p.Line)
			p.Msg = "YAML syntax: " + m[2]
		}
		return nil, Problems{p}
	}
	cfg := &Config{File: file}
	d := &decoder{file: file, lines: map[string]int{}}
	if len(root.Content) > 0 {
		d.decode(&root, reflect.ValueOf(cfg).Elem(), "")
	}
	v := validator{decoder: d, cfg: cfg}
	v.validate()
	if len(d.problems) > 0 {
		return nil, d.problems
	}
	cfg.applyDefaults()
	return cfg, nil
}

func (c *Config) applyDefaults() {
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.VerifyTimeout == 0 {
		c.VerifyTimeout = DefaultVerifyTimeout
	}
	for ci := range c.Clusters {
		for i := range c.Clusters[ci].Controllers {
			if b := c.Clusters[ci].Controllers[i].BMC; b != nil {
				b.PasswordFile = expandHome(b.PasswordFile)
			}
		}
	}
	c.AuditLog = expandHome(c.AuditLog)
	c.EventsLog = expandHome(c.EventsLog)
	if c.AuditLog == "" {
		c.AuditLog = filepath.Join(StateDir(), "audit.log")
	}
	if c.EventsLog == "" {
		c.EventsLog = filepath.Join(StateDir(), "events.log")
	}
}

// StateDir is $XDG_STATE_HOME/hacon (default ~/.local/state/hacon).
func StateDir() string {
	if x := os.Getenv("XDG_STATE_HOME"); x != "" {
		return filepath.Join(x, "hacon")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "hacon-state")
	}
	return filepath.Join(home, ".local", "state", "hacon")
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	return p
}
