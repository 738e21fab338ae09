package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"syscall"

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

// MaxConfigSize bounds a config file: a real inventory is kilobytes, and
// /dev/zero or a runaway generator must not grow hacon without limit.
const MaxConfigSize = 16 << 20

// Load reads and validates a config file. On failure the error is Problems
// listing everything wrong at once.
func Load(path string) (*Config, error) {
	data, err := readConfigFile(path)
	if err != nil {
		return nil, Problems{{File: path, Msg: err.Error()}}
	}
	return Parse(path, data)
}

// readConfigFile refuses anything but a regular file before opening it (a
// FIFO would block the open, a device never ends) and reads at most
// MaxConfigSize bytes.
func readConfigFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read config: %v", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("cannot read config: not a regular file (%s)", FileKind(st.Mode()))
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("cannot read config: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read config: %v", err)
	}
	if len(data) > MaxConfigSize {
		return nil, fmt.Errorf("cannot read config: larger than %d MiB", MaxConfigSize>>20)
	}
	return data, nil
}

// FileKind names what a path is when it is not a regular file, for errors
// such as "not a regular file (a named pipe)".
func FileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
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
	if !d.aliasRefused {
		v.validate()
	}
	if len(d.problems) > 0 {
		return nil, d.result()
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
