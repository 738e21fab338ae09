package views

import (
	"fmt"
	"time"

	"github.com/hacon/hacon/cluster"
)

// Mark is how one state reads on screen: a glyph and a word that each tell
// the state apart without colour, plus a short word for narrow layouts.
type Mark struct {
	Glyph string
	Word  string
	Abbr  string // at most 5 cells; Word when empty
	Class Class
}

// Full is "glyph word".
func (m Mark) Full() string {
	if m.Word == "" {
		return m.Glyph
	}
	return m.Glyph + " " + m.Word
}

// Short is "glyphabbr", for 80-column cells.
func (m Mark) Short() string { return m.Glyph + m.short() }

func (m Mark) short() string {
	if m.Abbr != "" {
		return m.Abbr
	}
	return m.Word
}

// Span styles the mark in its class, full or short.
func (m Mark) Span(short bool) Span {
	if short {
		return S(m.Class, m.Short())
	}
	return S(m.Class, m.Full())
}

var (
	markStale = Mark{"?", "stale", "stale", Stale}
	markNone  = Mark{"·", "", "", Dim} // this plane says nothing of it (not configured)
)

// NodeMark is the node's Pacemaker state.
func NodeMark(n cluster.Node) Mark {
	if n.Stale {
		return markStale
	}
	if n.Pacemaker == nil && n.Keepalived != nil {
		return vrrpNodeMark(n.Keepalived)
	}
	switch n.PcmkState() {
	case "online":
		return Mark{"●", "online", "", OK}
	case "standby":
		return Mark{"◐", "standby", "stdby", Warn}
	case "maintenance":
		return Mark{"■", "maintenance", "maint", Warn}
	case "offline":
		return Mark{"○", "offline", "", Crit}
	case "UNCLEAN":
		return Mark{"✖", "UNCLEAN", "", Crit}
	case "pending":
		return Mark{"…", "pending", "pend", Warn}
	default:
		return Mark{"?", "unknown", "unkn", Dim}
	}
}

// PowerMark is what the BMC says of the power.
func PowerMark(n cluster.Node) Mark {
	switch n.Power() {
	case cluster.PowerOn:
		return Mark{"↑", "on", "", OK}
	case cluster.PowerOff:
		return Mark{"↓", "off", "", Crit}
	default:
		if n.BMC == nil {
			return Mark{"-", "no BMC", "noBMC", Dim}
		}
		return Mark{"?", "unknown", "unkn", Warn}
	}
}

// FenceMark tells whether fencing this node would work.
func FenceMark(n cluster.Node) Mark {
	switch {
	case n.BMC == nil:
		return Mark{"✖", "no fence", "nofnc", Warn}
	case n.BMC.FenceReady:
		return Mark{"✓", "fenceable", "fence", OK}
	default:
		return Mark{"✖", "no fence", "nofnc", Crit}
	}
}

// StonithMark tells whether Pacemaker's own stonith devices can fence
// the node, apart from hacon's BMC (FenceMark).
func StonithMark(n cluster.Node) Mark {
	switch f := n.Fencing; {
	case f == nil:
		return Mark{"?", "stonith unknown", "stn?", Dim}
	case f.Ready && f.Asked:
		return Mark{"✓", "stonith (asked)", "stn?", OK}
	case f.Ready:
		return Mark{"✓", "stonith", "stnth", OK}
	default:
		return Mark{"✖", "no stonith", "nostn", Crit}
	}
}

// RoleMark is the Pacemaker role of a cell.
func RoleMark(c cluster.Cell) Mark {
	switch {
	case c.Stale:
		return markStale
	case c.Failed:
		return Mark{"✖", "FAILED", "FAIL", Crit}
	}
	switch c.Role {
	case cluster.RoleStarted:
		return Mark{"▲", "Started", "Start", OK}
	case cluster.RolePromoted:
		return Mark{"★", "Promoted", "Prom", OK}
	case cluster.RoleUnpromoted:
		return Mark{"☆", "Unpromoted", "Unpr", OK}
	case cluster.RoleStopped:
		return Mark{"○", "Stopped", "Stop", Dim}
	case "":
		return markNone
	default:
		return Mark{"?", c.Role, shorten(c.Role, 5), Warn}
	}
}

// LBMark is what the HAProxies say of a server. stale is true when the
// service has a backend but the HAProxy data is too old to show.
func LBMark(status string, stale bool) Mark {
	switch status {
	case "":
		if stale {
			return markStale
		}
		return markNone
	case "UP":
		return Mark{"●", "UP", "", OK}
	case "no check":
		return Mark{"○", "no check", "nochk", OK}
	case "DOWN":
		return Mark{"✖", "DOWN", "", Crit}
	case "MAINT":
		return Mark{"■", "MAINT", "", Warn}
	case "DRAIN":
		return Mark{"◐", "DRAIN", "", Warn}
	case "NOLB":
		return Mark{"◑", "NOLB", "", Warn}
	case "MIXED":
		return Mark{"≠", "MIXED", "", Warn}
	default:
		return Mark{"?", status, shorten(status, 5), Warn}
	}
}

// BackupGlyph marks a server the LBs list as backup.
const BackupGlyph = "◆"

// EndpointMark is the endpoint probe's verdict. failing carries the error of
// a source whose newest poll failed: its last good answer must not be shown
// as current.
func EndpointMark(e *cluster.EndpointResult, failing string, stale bool) Mark {
	switch {
	case failing != "":
		return Mark{"✖", "fail", "", Crit}
	case e == nil && stale:
		return markStale
	case e == nil:
		return markNone
	case !e.OK:
		return Mark{"✖", "fail", "", Crit}
	case e.Slow:
		return Mark{"◔", "slow", "", Warn}
	default:
		return Mark{"✓", "ok", "", OK}
	}
}

// SevMark is an alert severity.
func SevMark(s cluster.Severity) Mark {
	switch s {
	case cluster.SevCritical:
		return Mark{"✖", "CRIT", "", Crit}
	case cluster.SevWarning:
		return Mark{"▲", "WARN", "", Warn}
	default:
		return Mark{"·", "info", "", Info}
	}
}

// SourceMark is a polled source's health.
func SourceMark(s cluster.Source) Mark {
	switch {
	case s.Stale:
		return markStale
	case s.OK:
		return Mark{"✓", "ok", "", OK}
	case s.Error == "not polled yet":
		return Mark{"…", "waiting", "wait", Dim}
	default:
		return Mark{"✖", "failing", "fail", Crit}
	}
}

// Overall is the one-word verdict of a cluster (wall mode, export).
func Overall(c *cluster.Cluster) (Mark, string) {
	n := c.Counts()
	counts := fmt.Sprintf("%d critical, %d warning", n.Critical, n.Warning)
	switch {
	case n.Critical > 0:
		return Mark{"✖", "CRITICAL", "CRIT", BannerCrit}, counts
	case n.Warning > 0:
		return Mark{"▲", "DEGRADED", "DEGR", BannerWarn}, counts
	default:
		return Mark{"✓", "OK", "", BannerOK}, counts
	}
}

// Age formats a data age compactly: 0s, 42s, 3m, 2h, 5d.
func Age(d time.Duration) string {
	switch {
	case d < time.Second:
		return "0s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	default:
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	}
}

// Latency formats a probe or check duration: 850µs → <1ms, 12ms, 1.2s.
func Latency(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < time.Millisecond:
		return "<1ms"
	case d < time.Second:
		return fmt.Sprintf("%dms", int(d/time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	default:
		return fmt.Sprintf("%ds", int(d/time.Second))
	}
}
