package probes

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/remote"
)

// statefulTargets adds one Galera and one RabbitMQ target per controller.
func statefulTargets(cfg *config.Config, cc *config.Cluster, deps *Deps) []*Target {
	var ts []*Target
	add := func(kind cluster.SourceKind, i int, addr string, timeout, interval time.Duration) {
		c := &cc.Controllers[i]
		ts = append(ts, &Target{
			ID:       cluster.SourceID{Cluster: cc.Name, Kind: kind, Name: c.Name},
			Address:  addr,
			Interval: cfg.IntervalFor(cc, interval),
			Timeout:  cfg.TimeoutFor(cc, timeout, interval),
			Cluster:  cc, Controller: c, Index: i, Deps: deps,
		})
	}
	for i, c := range cc.Controllers {
		if g := cc.Galera; g != nil {
			addr := strings.Join(g.ClientCommand(), " ") + " on " + c.Name
			if g.Clustercheck != "" {
				u, _ := config.ExpandURL(g.Clustercheck, c)
				addr = cluster.RedactURL(u)
			}
			add(cluster.KindGalera, i, addr, g.Timeout, g.Interval)
		}
		if r := cc.RabbitMQ; r != nil {
			iv := r.Interval
			if iv == 0 {
				iv = max(cfg.IntervalFor(cc, 0), config.DefaultRabbitMQInterval)
			}
			add(cluster.KindRabbitMQ, i, strings.Join(r.CtlCommand(), " ")+" on "+c.Name, r.Timeout, iv)
		}
	}
	return ts
}

// probeGalera asks one controller's Galera node for its wsrep status and,
// when the server does not answer, reads grastate.dat for the bootstrap
// advice.
func probeGalera(ctx context.Context, t *Target) cluster.Result {
	if t.Cluster == nil || t.Cluster.Galera == nil || t.Controller == nil || t.Deps == nil {
		return cluster.Result{Err: "galera probe: no galera block or controller configured"}
	}
	g, c := t.Cluster.Galera, *t.Controller
	if g.Clustercheck != "" {
		return probeClustercheck(ctx, t)
	}
	client, err := config.ExpandArgsIndexed(g.ClientCommand(), c, t.Index)
	if err != nil {
		return cluster.Result{Err: "galera command: " + err.Error()}
	}
	argv, stdin, err := galeraInvocation(g, client)
	if err != nil {
		return cluster.Result{Err: err.Error()}
	}
	tr := remote.Prefix{Command: t.Cluster.StatefulPrefix(g.Prefix), Runner: t.Deps.Runner}
	out, err := tr.RunInput(ctx, c, argv, stdin)
	st := &cluster.GaleraStatus{Node: c.Name, Via: "mysql", LastCommitted: -1}
	if err != nil {
		if why := sourceFailure(ctx, err, out.Stderr); why != "" {
			return cluster.Result{Err: "galera on " + c.Name + ": " + why}
		}
		st.Error = stderrLine(out.Stderr, err)
		st.Grastate = readGrastate(ctx, tr, c, g.Grastate())
		return cluster.Result{Galera: st}
	}
	if err := ParseWsrepStatus(bytes.NewReader(out.Stdout), st); err != nil {
		return cluster.Result{Err: "galera on " + c.Name + ": " + err.Error()}
	}
	st.Answered = true
	return cluster.Result{Galera: st}
}

// galeraInvocation is the client's argv and stdin. Options go right after
// the client word (mysql insists that --defaults-extra-file comes first);
// a password from hacon's host travels inside an option file on stdin,
// with the query, so it is on no command line.
func galeraInvocation(g *config.Galera, client []string) ([]string, []byte, error) {
	var opts []string
	var stdin []byte
	password, err := galeraPassword(g)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case password != "":
		opts = append(opts, "--defaults-extra-file=/dev/stdin")
		stdin = []byte("[client]\npassword=" + optionQuote(password) + "\n[mysql]\nbatch\nskip-column-names\nexecute=" + galeraQuery + "\n")
	case g.DefaultsFile != "":
		opts = append(opts, "--defaults-extra-file="+g.DefaultsFile)
	}
	if g.User != "" {
		opts = append(opts, "--user="+g.User)
	}
	if stdin == nil {
		opts = append(opts, "--batch", "--skip-column-names")
		stdin = []byte(galeraQuery + ";\n")
	}
	at := len(client)
	for i, a := range client {
		if b := path.Base(a); b == "mysql" || b == "mariadb" {
			at = i + 1
		}
	}
	argv := append(append(append([]string{}, client[:at]...), opts...), client[at:]...)
	return argv, stdin, nil
}

// galeraPassword reads the password from password_env or password_file
// (at most 4 KiB, one trailing newline dropped).
func galeraPassword(g *config.Galera) (string, error) {
	var pw string
	switch {
	case g.PasswordEnv != "":
		pw = os.Getenv(g.PasswordEnv)
		if pw == "" {
			return "", fmt.Errorf("galera: environment variable %s (password_env) is empty", g.PasswordEnv)
		}
	case g.PasswordFile != "":
		f, err := os.Open(g.PasswordFile)
		if err != nil {
			return "", fmt.Errorf("galera: password_file: %v", err)
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, 4097))
		if err != nil || len(data) > 4096 {
			return "", fmt.Errorf("galera: password_file %s: unreadable or larger than 4 KiB", g.PasswordFile)
		}
		pw = strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	default:
		return "", nil
	}
	if strings.ContainsAny(pw, "\n\r\x00") {
		return "", errors.New("galera: the password holds a line break or NUL, which an option file cannot carry")
	}
	return pw, nil
}

// optionQuote quotes a value for a MySQL option file.
func optionQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// sourceFailure says why a failed client run tells nothing about the
// server — the controller was not reached, the tool is missing, hacon's
// credentials were refused, the poll timed out — or "" when the client
// ran and found the server not answering.
func sourceFailure(ctx context.Context, err error, stderr []byte) string {
	var ee *remote.ExitError
	switch {
	case remote.IsUnreachable(err), ctx.Err() != nil, errors.Is(err, context.DeadlineExceeded):
		return err.Error()
	case !errors.As(err, &ee):
		return err.Error()
	case ee.Code == 126 || ee.Code == 127:
		return err.Error()
	case bytes.Contains(stderr, []byte("ERROR 1045")), bytes.Contains(stderr, []byte("ERROR 1044")),
		bytes.Contains(stderr, []byte("ERROR 1698")):
		return "the server refused hacon's credentials: " + stderrLine(stderr, err)
	}
	return ""
}

// stderrLine is the first non-empty line a failing command printed, bounded.
func stderrLine(stderr []byte, err error) string {
	for _, l := range strings.Split(string(bytes.TrimSpace(stderr)), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			if len(l) > 200 {
				l = l[:200] + "…"
			}
			return l
		}
	}
	return err.Error()
}

func readGrastate(ctx context.Context, tr remote.Prefix, c config.Controller, file string) *cluster.Grastate {
	out, err := tr.Run(ctx, c, []string{"cat", file})
	if err != nil {
		return &cluster.Grastate{Seqno: -1, Error: stderrLine(out.Stderr, err)}
	}
	gs, err := ParseGrastate(bytes.NewReader(out.Stdout))
	if err != nil {
		return &cluster.Grastate{Seqno: -1, Error: err.Error()}
	}
	return gs
}

// probeClustercheck reads the clustercheck endpoint: 200 means Synced,
// 503 not; it knows nothing else.
func probeClustercheck(ctx context.Context, t *Target) cluster.Result {
	c := *t.Controller
	u, err := config.ExpandURL(t.Cluster.Galera.Clustercheck, c)
	if err != nil {
		return cluster.Result{Err: "clustercheck: " + err.Error()}
	}
	client := http.DefaultClient
	if t.Deps.HTTP != nil {
		if client, err = t.Deps.HTTP.For(t.Cluster, nil); err != nil {
			return cluster.Result{Err: "clustercheck: " + err.Error()}
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return cluster.Result{Err: "clustercheck: " + err.Error()}
	}
	st := &cluster.GaleraStatus{Node: c.Name, Via: "clustercheck", LastCommitted: -1}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return cluster.Result{Err: "clustercheck on " + c.Name + ": timed out"}
		}
		st.Error = err.Error()
		return cluster.Result{Galera: st}
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		st.Answered, st.LocalState = true, cluster.PlaneSynced
	case http.StatusServiceUnavailable:
		st.Answered, st.LocalState = true, strings.TrimSpace(string(body))
	default:
		return cluster.Result{Err: fmt.Sprintf("clustercheck on %s answered HTTP %d", c.Name, resp.StatusCode)}
	}
	return cluster.Result{Galera: st}
}

// probeRabbitMQ runs rabbitmqctl cluster_status on one controller.
// rabbitmqctl exits 69 when its node is not running; a stopped container
// fails podman/docker exec: both mean the node does not answer.
func probeRabbitMQ(ctx context.Context, t *Target) cluster.Result {
	if t.Cluster == nil || t.Cluster.RabbitMQ == nil || t.Controller == nil || t.Deps == nil {
		return cluster.Result{Err: "rabbitmq probe: no rabbitmq block or controller configured"}
	}
	r, c := t.Cluster.RabbitMQ, *t.Controller
	ctl, err := config.ExpandArgsIndexed(r.CtlCommand(), c, t.Index)
	if err != nil {
		return cluster.Result{Err: "rabbitmq command: " + err.Error()}
	}
	tr := remote.Prefix{Command: t.Cluster.StatefulPrefix(r.Prefix), Runner: t.Deps.Runner}
	argv := append(ctl, "cluster_status", "--formatter", "json")
	if secs := rabbitOpTimeout(ctx); secs > 0 {
		argv = append(argv, "--timeout", strconv.Itoa(secs))
	}
	out, err := tr.Run(ctx, c, argv)
	st := &cluster.RabbitStatus{Node: c.Name}
	if err != nil {
		if why := sourceFailure(ctx, err, nil); why != "" {
			return cluster.Result{Err: "rabbitmq on " + c.Name + ": " + why}
		}
		if ee := (*remote.ExitError)(nil); errors.As(err, &ee) && ee.Code == rabbitTempFail {
			return cluster.Result{Err: "rabbitmq on " + c.Name + ": rabbitmqctl cluster_status timed out on the controller (its node waits on a peer it cannot reach)"}
		}
		st.Error = rabbitError(out.Stderr, err)
		return cluster.Result{RabbitMQ: st}
	}
	if err := ParseRabbitClusterStatus(bytes.NewReader(out.Stdout), st); err != nil {
		return cluster.Result{Err: "rabbitmq on " + c.Name + ": " + err.Error()}
	}
	st.Answered = true
	return cluster.Result{RabbitMQ: st}
}

// rabbitTempFail is rabbitmqctl's exit code when --timeout ran out: the
// node answered but did not finish, which is not "down".
const rabbitTempFail = 75

// rabbitOpTimeout is the --timeout (seconds) rabbitmqctl gets: what is left
// of the probe's deadline less the Erlang VM's start. Without it, a node cut
// off from its peers keeps rabbitmqctl waiting ~60 s on the controller
// after hacon gave up, one more VM every interval.
func rabbitOpTimeout(ctx context.Context) int {
	dl, ok := ctx.Deadline()
	if !ok {
		return 0
	}
	return max(int(time.Until(dl).Seconds()-1.5), 1)
}

// rabbitError picks the telling line of rabbitmqctl's long diagnostics:
// epmd's word on the node, else its "Error:" line.
func rabbitError(stderr []byte, err error) string {
	lines := strings.Split(string(stderr), "\n")
	for _, prefix := range []string{"* epmd reports:", "Error:"} {
		for _, l := range lines {
			if l = strings.TrimSpace(l); strings.HasPrefix(l, prefix) && len(l) > len(prefix) {
				return strings.TrimPrefix(strings.TrimPrefix(l, "* "), "Error: ")
			}
		}
	}
	return stderrLine(stderr, err)
}
