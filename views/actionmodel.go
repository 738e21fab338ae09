package views

import "time"

// The action dialogs render these plain view-models rather than the
// actions package's types, so that views stays a pure render package that
// links neither the executor nor the probes and BMC clients behind it. The
// console converts an actions.Preview or actions.Outcome into them.

// Plane is where a previewed command runs; it decides how its hosts read.
type Plane int

// Planes of a previewed command.
const (
	PlanePacemaker Plane = iota + 1 // tried controller by controller until one answers
	PlaneHAProxy                    // run on every HAProxy, each reported
	PlaneBMC                        // run through a node's BMC
)

// PreviewStep is one exact command the action will run and where.
type PreviewStep struct {
	Plane Plane
	Hosts []string // in the order tried (Pacemaker) or each one (HAProxy)
	Shown string   // the command as the operator will see it, prefix included
}

// ActionPreview is what the confirmation dialog shows before anything runs.
type ActionPreview struct {
	Title         string // the palette form, ":move res node"
	Steps         []PreviewStep
	Transition    []string // crm_simulate's Transition Summary lines
	TransitionErr string   // why there is no transition preview, if none
	Blast         []string // blast radius in words
	Warnings      []string
	TypeToConfirm string // non-empty: the operator must type this (the node name)
	Consequence   string // non-empty: a named consequence needing its own "yes"
	Stale         string // non-empty: the data is stale and running needs force
}

// HostResult is one command's outcome on one host.
type HostResult struct {
	Host   string
	Argv   []string
	OK     bool
	Error  string
	Output string
}

// ActionOutcome is what an executed action did, for the result dialog.
type ActionOutcome struct {
	Title    string // the palette form, ":move res node"
	OK       bool   // every command succeeded
	Partial  bool   // some hosts succeeded, some failed
	Error    string
	Verified bool
	Verify   string // what was (or was not) seen
	Duration time.Duration
	Steps    []HostResult
}
