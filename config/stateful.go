package config

import (
	"fmt"
	"path"
	"strings"
	"time"
)

// The stateful plane: Galera and RabbitMQ asked on every controller what
// they think of their own cluster, through a command prefix like Pacemaker.

// Galera says how to ask each controller's MariaDB Galera node for its
// wsrep status: the mysql client through the prefix (the query goes on the
// client's stdin, so no argument ever holds a space or a secret), or, when
// that is all there is, the clustercheck HTTP endpoint.
type Galera struct {
	Service      string        `yaml:"service"`       // the matrix row it shows on; default "galera"
	Prefix       []string      `yaml:"prefix"`        // how to reach a controller; default pacemaker.command, else command
	Command      []string      `yaml:"command"`       // the client after the prefix; default [mysql]; {{.Index}} too
	User         string        `yaml:"user"`          // --user for the client
	DefaultsFile string        `yaml:"defaults_file"` // an option file on the controller (as the client sees it)
	Password     string        `yaml:"password"`      // refused: secrets never live in the file
	PasswordEnv  string        `yaml:"password_env"`  // on hacon's host; sent on the client's stdin
	PasswordFile string        `yaml:"password_file"` // on hacon's host; sent on the client's stdin
	GrastateFile string        `yaml:"grastate_file"` // read with cat when the server is down; default /var/lib/mysql/grastate.dat
	Clustercheck string        `yaml:"clustercheck"`  // http://{{.Address}}:9200/ instead of the client
	Interval     time.Duration `yaml:"interval"`
	Timeout      time.Duration `yaml:"timeout"`
}

// RabbitMQ says how to run rabbitmqctl on each controller.
type RabbitMQ struct {
	Service  string        `yaml:"service"` // the matrix row it shows on; default "rabbitmq"
	Prefix   []string      `yaml:"prefix"`  // how to reach a controller; default pacemaker.command, else command
	Command  []string      `yaml:"command"` // rabbitmqctl after the prefix; default [rabbitmqctl]; {{.Index}} too
	Interval time.Duration `yaml:"interval"`
	Timeout  time.Duration `yaml:"timeout"`
}

// Defaults of the stateful plane.
var (
	DefaultGaleraCommand   = []string{"mysql"}
	DefaultRabbitMQCommand = []string{"rabbitmqctl"}
)

// DefaultRabbitMQInterval is how often rabbitmqctl runs unless the
// rabbitmq block says: each run starts an Erlang VM on the controller
// (measured ~0.7 s of CPU and ~1 s of wall time per poll,
// scripts/measure-stateful-poll), far too dear for the cluster's 2 s pace.
const DefaultRabbitMQInterval = 10 * time.Second

// DefaultGrastateFile is where MariaDB keeps grastate.dat on Debian, RHEL
// and in TripleO's bind mount.
const DefaultGrastateFile = "/var/lib/mysql/grastate.dat"

// ServiceName is the matrix row Galera shows on.
func (g *Galera) ServiceName() string { return firstSet(g.Service, "galera") }

// ServiceName is the matrix row RabbitMQ shows on.
func (r *RabbitMQ) ServiceName() string { return firstSet(r.Service, "rabbitmq") }

// ClientCommand is the configured client or the default.
func (g *Galera) ClientCommand() []string {
	if len(g.Command) == 0 {
		return DefaultGaleraCommand
	}
	return g.Command
}

// Grastate is grastate.dat's path.
func (g *Galera) Grastate() string { return firstSet(g.GrastateFile, DefaultGrastateFile) }

// CtlCommand is the configured rabbitmqctl or the default.
func (r *RabbitMQ) CtlCommand() []string {
	if len(r.Command) == 0 {
		return DefaultRabbitMQCommand
	}
	return r.Command
}

// StatefulPrefix is the prefix a stateful block runs its commands behind:
// its own, else the Pacemaker command's, else the cluster's command (a
// kolla-style cluster without Pacemaker).
func (c *Cluster) StatefulPrefix(own []string) []string {
	if len(own) > 0 {
		return own
	}
	return c.PacemakerCommand()
}

func firstSet(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

func (v *validator) validateStateful(p string, c *Cluster) {
	if g := c.Galera; g != nil {
		gp := p + ".galera"
		v.checkName(gp+".service", g.Service, "a service name")
		v.checkStatefulArgs(gp+".prefix", g.Prefix, c, false)
		v.checkStatefulArgs(gp+".command", g.Command, c, true)
		v.checkName(gp+".user", g.User, "a database user name")
		v.checkRemotePath(gp+".defaults_file", g.DefaultsFile)
		v.checkRemotePath(gp+".grastate_file", g.GrastateFile)
		if g.Password != "" {
			v.bad(gp+".password", "a password may not be given inline; use password_env, password_file or defaults_file")
		}
		if g.PasswordEnv != "" && g.PasswordFile != "" {
			v.bad(gp+".password_file", "give password_env or password_file, not both")
		}
		if (g.PasswordEnv != "" || g.PasswordFile != "") && g.DefaultsFile != "" {
			v.bad(gp+".defaults_file", "give defaults_file or a password (password_env/password_file), not both")
		}
		if g.PasswordFile != "" {
			v.checkSecretFile(gp+".password_file", g.PasswordFile)
		}
		if g.Clustercheck != "" {
			if len(g.Command) > 0 || g.User != "" || g.DefaultsFile != "" || g.PasswordEnv != "" || g.PasswordFile != "" {
				v.bad(gp+".clustercheck", "clustercheck replaces the client: give it alone, without command, user or credentials")
			}
			if strings.Contains(g.Clustercheck, ".Address") {
				v.needAddresses(gp+".clustercheck", c)
			}
			if v.checkTemplate(gp+".clustercheck", g.Clustercheck) {
				v.checkEndpointTemplate(gp+".clustercheck", g.Clustercheck, c)
			}
		}
	}
	if r := c.RabbitMQ; r != nil {
		rp := p + ".rabbitmq"
		v.checkName(rp+".service", r.Service, "a service name")
		v.checkStatefulArgs(rp+".prefix", r.Prefix, c, false)
		v.checkStatefulArgs(rp+".command", r.Command, c, false)
	}
}

// checkStatefulArgs checks a prefix or client command: templates that
// expand ({{.Index}} included), addresses where {{.Address}} is used, and
// for a client fed on stdin, a container exec that passes stdin on.
func (v *validator) checkStatefulArgs(path string, args []string, c *Cluster, stdin bool) {
	if args != nil && len(args) == 0 && v.lines[path] != 0 {
		v.bad(path, "an empty list; omit the key for the default")
	}
	for i, a := range args {
		ap := fmt.Sprintf("%s[%d]", path, i)
		if _, err := expandWith(a, IndexedTemplateData{Name: "n", Address: "a"}); err != nil {
			v.bad(ap, "bad template (only {{.Name}}, {{.Address}} and {{.Index}} exist): %v", err)
			continue
		}
		if strings.Contains(a, ".Address") {
			v.needAddresses(ap, c)
		}
		if msg := shellWordProblem(a); msg != "" {
			v.bad(ap, "%s (an ssh prefix hands the line to a shell), got %q", msg, a)
		}
	}
	if stdin && len(args) >= 2 && containerExec(args) && !execInteractive(args) {
		v.bad(path, "%s exec needs -i: the query reaches the client on its stdin", args[0])
	}
}

func containerExec(args []string) bool {
	tool := path.Base(args[0])
	return (tool == "podman" || tool == "docker" || tool == "nerdctl") && args[1] == "exec"
}

func execInteractive(args []string) bool {
	for _, a := range args[2:] {
		if a == "-i" || a == "--interactive" || a == "--interactive=true" ||
			(strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "i")) {
			return true
		}
		if !strings.HasPrefix(a, "-") {
			break // the container's name: options end here
		}
	}
	return false
}

// shellWordProblem refuses what a remote shell would split or expand: a
// prefix such as ssh joins its arguments into one line for the far side.
// Template markers are allowed; what they expand to is checked as names
// and addresses.
func shellWordProblem(s string) string {
	plain := s
	for {
		i := strings.Index(plain, "{{")
		j := strings.Index(plain, "}}")
		if i < 0 || j < i {
			break
		}
		plain = plain[:i] + plain[j+2:]
	}
	for i, r := range plain {
		if !isShellSafe(r) {
			return fmt.Sprintf("character %q at position %d would be read by a shell", r, i+1)
		}
	}
	if s == "" {
		return "empty"
	}
	return ""
}

func isShellSafe(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("-_./:@%+=,", r)
}

// checkRemotePath checks a path on the controller: absolute, and nothing a
// shell would read.
func (v *validator) checkRemotePath(p, file string) {
	if file == "" {
		return
	}
	if !strings.HasPrefix(file, "/") {
		v.bad(p, "expected an absolute path on the controller, got %q", file)
		return
	}
	if msg := shellWordProblem(file); msg != "" {
		v.bad(p, "%s, got %q", msg, file)
	}
}
