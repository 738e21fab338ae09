package views

import (
	"fmt"
	"strings"
)

// DialogStage is what the confirmation dialog asks for now. The stages
// come in this order and each is skipped when the preview does not need
// it, so nothing runs before every question the preview raises is answered.
type DialogStage int

// Dialog stages.
const (
	StageConfirm     DialogStage = iota // y, or the typed node name for fence and power off
	StageConsequence                    // type "yes" to accept a named consequence
	StageForce                          // f to run on stale data
)

// DialogState is the program's side of the confirmation dialog.
type DialogState struct {
	Stage DialogStage
	Input string // what the operator typed (node name or "yes")
	Error string // why the last answer was not accepted
}

// Dialog is a scrolling body with a prompt pinned under it: however long
// the preview, the question and its keys stay on screen.
type Dialog struct {
	Body   []Line
	Prompt []Line
	Width  int
}

// Render shows the dialog in at most h lines: the body (a window scrolled
// by off when it does not fit), a rule, then the prompt right under it.
func (d Dialog) Render(off, h int) []Line {
	if h <= len(d.Prompt) {
		return d.Prompt[len(d.Prompt)-max(0, h):]
	}
	out := d.Body
	if bh := d.bodyHeight(h); len(out) > bh {
		// Window's marker names j, which the name prompt takes as text.
		off = ClampScroll(off, len(out), bh)
		out = append([]Line(nil), out[off:off+bh]...)
		if rest := len(d.Body) - off - bh; rest > 0 && bh > 0 {
			out[bh-1] = Line{S(Dim, fmt.Sprintf("  ↓ %d more lines (↓, pgdn)", rest+1))}
		}
	}
	out = append(append([]Line(nil), out...), Line{S(Dim, strings.Repeat("─", min(max(d.Width, 2), 40)))})
	return append(out, d.Prompt...)
}

// MaxScroll is the largest useful scroll offset at height h.
func (d Dialog) MaxScroll(h int) int { return ClampScroll(1<<30, len(d.Body), d.bodyHeight(h)) }

func (d Dialog) bodyHeight(h int) int { return max(0, h-len(d.Prompt)-1) }

// PreviewDialog is the preview of an action and the question of the stage
// it is at: the exact commands and where they run, crm_simulate's
// predicted transition, the blast radius, warnings, stale data and the
// consequence that needs its own confirmation.
func PreviewDialog(p ActionPreview, st DialogState, w int) Dialog {
	body := []Line{
		{S(Warn, "▲ CONFIRM ACTION "), S(Title, p.Title)},
		{S(Dim, "  nothing runs until you confirm; esc cancels")},
	}
	section := func(title string, class Class, lines ...Line) {
		if len(lines) == 0 {
			return
		}
		body = append(body, nil, Line{S(class, title)})
		body = append(body, lines...)
	}
	section("COMMANDS", Heading, stepLines(p.Steps)...)
	section("PREDICTED TRANSITION (crm_simulate)", Heading, transitionLines(p)...)
	section("BLAST RADIUS", Heading, bullets(Normal, "·", p.Blast)...)
	section("WARNINGS", Warn, bullets(Warn, "▲", p.Warnings)...)
	if p.Stale != "" {
		section("STALE DATA", Stale, Line{P("  "), S(Stale, "? "+p.Stale)})
	}
	if p.Consequence != "" {
		section("CONSEQUENCE", Crit, Line{P("  "), S(Crit, "✖ "+p.Consequence)})
	}
	return Dialog{Body: WrapLines(body, w), Prompt: WrapLines(promptLines(p, st), w), Width: w}
}

func stepLines(steps []PreviewStep) []Line {
	var out []Line
	for _, s := range steps {
		out = append(out, Line{P("  "), S(Dim, "$ "), S(Key, s.Shown)})
		switch {
		case len(s.Hosts) == 0:
		case s.Plane == PlaneHAProxy:
			out = append(out, Line{S(Dim, "    on every HAProxy, each reported:")})
			for _, h := range s.Hosts {
				out = append(out, Line{S(Dim, "      → "), P(h)})
			}
		case s.Plane == PlaneBMC:
			out = append(out, Line{S(Dim, "    through the BMC of "), P(strings.Join(s.Hosts, ", "))})
		case len(s.Hosts) == 1:
			out = append(out, Line{S(Dim, "    on "), P(s.Hosts[0])})
		default: // tried in order until one answers
			out = append(out, Line{S(Dim, "    on "), P(s.Hosts[0]), S(Dim, " (else "+strings.Join(s.Hosts[1:], ", ")+")")})
		}
	}
	return out
}

func transitionLines(p ActionPreview) []Line {
	switch {
	case len(p.Transition) > 0:
		out := make([]Line, len(p.Transition))
		for i, t := range p.Transition {
			out[i] = Line{P("  " + strings.TrimSpace(t))}
		}
		return out
	case p.TransitionErr != "":
		return []Line{{P("  "), S(Warn, "? no prediction: "+p.TransitionErr)}}
	}
	for _, s := range p.Steps {
		if s.Plane == PlanePacemaker {
			return []Line{{S(Dim, "  crm_simulate predicts no resource change")}}
		}
	}
	return nil // HAProxy and BMC actions have no Pacemaker transition
}

func bullets(class Class, glyph string, items []string) []Line {
	out := make([]Line, len(items))
	for i, s := range items {
		out[i] = Line{P("  "), S(class, glyph+" "+s)}
	}
	return out
}

// promptLines ask the current stage's question, saying how many more
// follow so a second question never comes as a surprise.
func promptLines(p ActionPreview, st DialogState) []Line {
	total, at := 1, 1
	if p.Consequence != "" {
		total++
	}
	if p.Stale != "" {
		total++
	}
	switch st.Stage {
	case StageConsequence:
		at = 2
	case StageForce:
		at = total
	}
	step := S(Dim, "")
	if total > 1 {
		step = S(Dim, fmt.Sprintf("  step %d/%d", at, total))
	}
	var out []Line
	switch {
	case st.Stage == StageConfirm && p.TypeToConfirm != "":
		out = []Line{{S(Crit, "✖ "), P("type "), S(Key, p.TypeToConfirm), P(" and enter to confirm (y is not enough)"), step},
			inputLine(st.Input)}
	case st.Stage == StageConfirm:
		out = []Line{{S(Key, "y"), P(" run it   "), S(Key, "esc"), P(" cancel"), step}}
	case st.Stage == StageConsequence:
		out = []Line{{S(Crit, "✖ "+p.Consequence)}, {P("type "), S(Key, "yes"), P(" and enter to accept this, "), S(Key, "esc"), P(" cancels"), step},
			inputLine(st.Input)}
	case st.Stage == StageForce:
		out = []Line{{S(Stale, "? "+p.Stale)}, {S(Key, "f"), P(" run it on stale data anyway   "), S(Key, "esc"), P(" cancel"), step}}
	}
	if st.Error != "" {
		out = append(out, Line{S(Crit, "✖ "+st.Error)})
	}
	return out
}

func inputLine(text string) Line { return Line{S(Key, "> "), P(text), S(Cursor, "█")} }

// OutcomeMark is how an action's result reads: verified, not verified,
// partial (some hosts failed) or failed.
func OutcomeMark(o ActionOutcome) Mark {
	switch {
	case !o.OK && o.Partial:
		return Mark{"◐", "PARTIAL", "", Warn}
	case !o.OK:
		return Mark{"✖", "FAILED", "", Crit}
	case o.Verified:
		return Mark{"✓", "verified", "", OK}
	default:
		return Mark{"▲", "NOT verified", "", Warn}
	}
}

// ResultDialog shows what an executed action did, host by host, with the
// errors and output an operator needs for the incident ticket.
func ResultDialog(o ActionOutcome, w int) Dialog {
	m := OutcomeMark(o)
	body := []Line{
		{S(m.Class, m.Glyph+" RESULT "), S(Title, o.Title), P("  "), S(m.Class, m.Word), S(Dim, " in "+o.Duration.Round(1e8).String())},
	}
	if o.Error != "" {
		body = append(body, Line{P("  "), S(Crit, "✖ "+o.Error)})
	}
	if o.Verify != "" {
		body = append(body, Line{S(Dim, "  seen: "), P(o.Verify)})
	}
	body = append(body, nil, Line{S(Heading, "STEPS (per host)")})
	if len(o.Steps) == 0 {
		body = append(body, Line{S(Dim, "  no command ran")})
	}
	for _, s := range o.Steps {
		mk := Mark{"✓", "ok", "", OK}
		if !s.OK {
			mk = Mark{"✖", "failed", "", Crit}
		}
		body = append(body, Line{P("  "), S(mk.Class, mk.Full()), P("  "), S(Title, s.Host), P("  "), S(Dim, strings.Join(s.Argv, " "))})
		if s.Error != "" {
			body = append(body, Line{P("      "), S(Crit, s.Error)})
		}
		for _, l := range firstLines(s.Output, 5) {
			body = append(body, Line{S(Dim, "      │ "+l)})
		}
	}
	prompt := []Line{{S(Key, "esc"), P(" close   "), S(Key, "↑↓"), P(" scroll")}}
	return Dialog{Body: WrapLines(body, w), Prompt: prompt, Width: w}
}

func firstLines(s string, n int) []string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if s == "" {
		return nil
	}
	if len(lines) > n {
		lines = append(lines[:n], fmt.Sprintf("… %d more lines", len(lines)-n))
	}
	return lines
}
