package tui

import (
	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/views"
)

// The views package renders its own plain view-models so that it never
// links the executor; these conversions are the one place the console
// translates the executor's types into them.

// planeView maps the executor's planes to how views draws their hosts.
func planeView(p actions.Plane) views.Plane {
	switch p {
	case actions.PlaneHAProxy:
		return views.PlaneHAProxy
	case actions.PlaneBMC:
		return views.PlaneBMC
	case actions.PlanePacemaker:
		return views.PlanePacemaker
	}
	return 0 // unknown: drawn like a plain command, with no transition
}

// previewView is the confirmation dialog's view of a preview.
func previewView(p *actions.Preview) views.ActionPreview {
	v := views.ActionPreview{
		Title: p.Title, Transition: p.Transition, TransitionErr: p.TransitionErr,
		Blast: p.Blast, Warnings: p.Warnings,
		TypeToConfirm: p.TypeToConfirm, Consequence: p.Consequence, Stale: p.Stale,
	}
	for _, s := range p.Steps {
		v.Steps = append(v.Steps, views.PreviewStep{Plane: planeView(s.Plane), Hosts: s.Hosts, Shown: s.Shown})
	}
	return v
}

// outcomeView is the result dialog's view of an executed action.
func outcomeView(o actions.Outcome) views.ActionOutcome {
	v := views.ActionOutcome{
		Title: ":" + o.Request.String(), OK: o.OK, Partial: o.Partial, Error: o.Error,
		Verified: o.Verified, Verify: o.Verify, Duration: o.Duration,
	}
	for _, s := range o.Steps {
		v.Steps = append(v.Steps, views.HostResult{Host: s.Host, Argv: s.Argv, OK: s.OK, Error: s.Error, Output: s.Output})
	}
	return v
}
