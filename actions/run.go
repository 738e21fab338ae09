package actions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/haproxyapi"
	"github.com/hacon/hacon/remote"
)

// run carries out a preview's steps with the action timeout.
func (e *Executor) run(ctx context.Context, p *Preview) Outcome {
	out := Outcome{Request: p.Request, OK: true}
	cc, ok := e.cfg.ClusterByName(p.Request.Cluster)
	if !ok {
		out.OK, out.Error = false, "unknown cluster "+p.Request.Cluster
		return out
	}
	if len(p.Steps) > 0 && p.Steps[0].Plane == PlaneKeepalived {
		return e.runKeepalived(ctx, cc, p, out)
	}
	for _, st := range p.Steps {
		var results []StepResult
		switch st.Plane {
		case PlanePacemaker:
			results = e.runPacemakerStep(ctx, cc, p.Request, st)
		case PlaneHAProxy:
			results = e.runHAProxyStep(ctx, cc, st)
		case PlaneBMC:
			results = e.runBMCStep(ctx, cc, p.Request)
		}
		failed := 0
		var errs []string
		for i := range results {
			// What a controller or HAProxy printed is peer text: it reaches
			// the result dialog, the audit log and the events log.
			results[i].Output = cluster.CleanText(results[i].Output)
			results[i].Error = cluster.CleanText(results[i].Error)
		}
		for _, r := range results {
			e.logStep(p.Request, st.Plane, r)
			if !r.OK {
				failed++
				errs = append(errs, r.Host+": "+r.Error)
			}
		}
		out.Steps = append(out.Steps, results...)
		if failed > 0 {
			out.OK = false
			out.Partial = failed < len(results)
			out.Error = strings.Join(errs, "; ")
			if out.Partial {
				out.Error = fmt.Sprintf("%d of %d succeeded; %s", len(results)-failed, len(results), out.Error)
			}
			return out
		}
	}
	return out
}

// logStep writes one debug line per command run. The argv is what the
// audit log records too: commands and names, never a password (the BMC
// plane's argv is "power on|off|cycle").
func (e *Executor) logStep(req Request, plane Plane, r StepResult) {
	if e.Log == nil {
		return
	}
	e.Log.Debug("action step", "cluster", req.Cluster, "action", req.String(), "plane", string(plane),
		"host", r.Host, "argv", strings.Join(r.Argv, " "), "ok", r.OK, "error", r.Error)
}

func (e *Executor) runPacemakerStep(ctx context.Context, cc *config.Cluster, req Request, st Step) []StepResult {
	ctx, cancel := context.WithTimeout(ctx, e.ActionTimeout)
	defer cancel()
	ran, err := e.runPacemaker(ctx, cc, pacemakerHosts(cc, req), st.Argv, true)
	r := StepResult{Host: ran.host, Argv: ran.argv, OK: err == nil, Output: strings.TrimSpace(string(ran.stdout))}
	if r.Host == "" {
		r.Host = "pacemaker" // no controller could be asked at all
	}
	if err != nil {
		r.Error = err.Error()
		if r.Argv == nil {
			r.Argv = st.Argv
		}
	}
	r.Exit = exitStatus(ran, err)
	return []StepResult{r}
}

// exitStatus is the exit status of a command that ran: 0 on success, its
// code when it exited non-zero, nil when no process answered.
func exitStatus(ran ranResult, err error) *int {
	var ee *remote.ExitError
	switch {
	case errors.As(err, &ee):
		return &ee.Code
	case err == nil && ran.host != "":
		zero := 0
		return &zero
	}
	return nil
}

// runHAProxyStep sends the runtime API line to every HAProxy at once, each
// with its own timeout, reporting each: one hung HAProxy must not keep the
// others from being changed, and a partial success is shown as such.
func (e *Executor) runHAProxyStep(ctx context.Context, cc *config.Cluster, st Step) []StepResult {
	var lbs []config.HAProxy
	for _, h := range cc.HAProxy {
		if h.RuntimeAPI != "" {
			lbs = append(lbs, h)
		}
	}
	out := make([]StepResult, len(lbs))
	var wg sync.WaitGroup
	for i, h := range lbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(ctx, e.ActionTimeout)
			defer cancel()
			out[i] = setServer(ctx, h, st)
		}()
	}
	wg.Wait()
	return out
}

// setServer sends a step's typed change to one HAProxy.
func setServer(ctx context.Context, h config.HAProxy, st Step) StepResult {
	r := StepResult{Host: h.Controller, Argv: st.Argv}
	if st.SetServer == nil {
		r.Error = "no runtime API change in this step"
		return r
	}
	err := haproxyapi.RuntimeAPI{Address: h.RuntimeAPI}.Set(ctx, *st.SetServer)
	var refused *haproxyapi.ReplyError
	switch {
	case errors.As(err, &refused):
		r.Error = "HAProxy said: " + refused.Reply
	case err != nil:
		r.Error = err.Error()
	default:
		r.OK = true
	}
	return r
}

func (e *Executor) runBMCStep(ctx context.Context, cc *config.Cluster, req Request) []StepResult {
	c, _ := cc.Controller(req.Node)
	r := StepResult{Host: c.Name, Argv: []string{"power", req.Power}}
	if e.BMC == nil {
		r.Error = "no BMC access configured"
		return []StepResult{r}
	}
	ctx, cancel := context.WithTimeout(ctx, e.VerifyTimeout)
	defer cancel()
	res, err := e.BMC.SetPower(ctx, cc.Name, c, req.Power)
	r.OK = err == nil && res.Confirmed
	r.Output = fmt.Sprintf("power %s after %s (%s)", res.Final, res.Elapsed.Round(1e6), res.Provider)
	if err != nil {
		r.Error = err.Error()
	} else if !res.Confirmed {
		r.Error = "BMC did not confirm power " + res.Expected + ": reads " + res.Final
	}
	return []StepResult{r}
}
