package views

import (
	"image/color"
	"strings"

	"charm.land/lipgloss/v2"
)

// Class is the meaning of a span; a theme maps it to a look. Views never
// pick colours themselves, so every theme (and NO_COLOR) covers every state.
type Class uint8

// Span classes.
const (
	Normal Class = iota
	Dim
	Title      // panel titles
	FocusTitle // the focused panel's title
	Heading    // table column headings
	Badge      // READ-ONLY / WALL
	OK
	Warn
	Crit
	Stale
	Info
	Cursor // the row marker
	Key    // key names in help and the footer
	Toast
	BannerOK
	BannerWarn
	BannerCrit
	// The environment cue (production, staging…) in the colour the
	// config names; mono shows the word alone.
	EnvRed
	EnvYellow
	EnvGreen
	EnvBlue
	EnvMagenta
	EnvCyan
	EnvWhite
	EnvPlain // an environment without a colour
	numClasses

	// Selected is a flag OR-ed onto a class for the cell under the cursor.
	Selected Class = 0x80
)

// Theme names accepted by NewStyles.
const (
	ThemeDark         = "dark"
	ThemeLight        = "light"
	ThemeHighContrast = "high-contrast"
	ThemeMono         = "mono"
)

// Themes lists the theme names, for --theme validation and help.
var Themes = []string{ThemeDark, ThemeLight, ThemeHighContrast, ThemeMono}

// Styles is the one place where classes become terminal styles. The escape
// sequences are computed once so that styling a span is a concatenation,
// which keeps a 16x100 View() well under its 10 ms budget.
type Styles struct {
	Name  string
	open  [2 * numClasses]string
	close [2 * numClasses]string
}

// NewStyles builds a theme. noColor (NO_COLOR set) forces the mono theme,
// which prints no escape codes at all: every state must read from its
// glyph and word alone, and the golden tests prove it does.
func NewStyles(theme string, noColor bool) Styles {
	if noColor {
		theme = ThemeMono
	}
	var p [numClasses]lipgloss.Style
	switch theme {
	case ThemeMono:
		return Styles{Name: ThemeMono}
	case ThemeLight:
		p = palette(lightColors)
	case ThemeHighContrast:
		p = highContrast()
	default:
		theme = ThemeDark
		p = palette(darkColors)
	}
	s := Styles{Name: theme}
	for c := Class(0); c < numClasses; c++ {
		s.open[c], s.close[c] = split(p[c])
		s.open[c+numClasses], s.close[c+numClasses] = split(p[c].Reverse(true))
	}
	return s
}

// split renders a marker and keeps what surrounds it.
func split(st lipgloss.Style) (string, string) {
	r := st.Render("\x01")
	i := strings.IndexByte(r, 1)
	if i < 0 {
		return "", ""
	}
	return r[:i], r[i+1:]
}

type colors struct {
	fg, dim, title, ok, warn, crit, stale, info, key, toastBg color.Color
}

var darkColors = colors{
	fg: lipgloss.Color("#d0d0d0"), dim: lipgloss.Color("#8a8a8a"), title: lipgloss.Color("#5fafff"),
	ok: lipgloss.Color("#5fd75f"), warn: lipgloss.Color("#ffd75f"), crit: lipgloss.Color("#ff5f5f"),
	stale: lipgloss.Color("#d787ff"), info: lipgloss.Color("#87d7ff"), key: lipgloss.Color("#ffaf5f"),
	toastBg: lipgloss.Color("#303a4a"),
}

var lightColors = colors{
	fg: lipgloss.Color("#1c1c1c"), dim: lipgloss.Color("#6c6c6c"), title: lipgloss.Color("#005faf"),
	ok: lipgloss.Color("#007a00"), warn: lipgloss.Color("#9a5a00"), crit: lipgloss.Color("#c00000"),
	stale: lipgloss.Color("#8700af"), info: lipgloss.Color("#005f87"), key: lipgloss.Color("#af5f00"),
	toastBg: lipgloss.Color("#dadada"),
}

func palette(c colors) [numClasses]lipgloss.Style {
	n := lipgloss.NewStyle
	var p [numClasses]lipgloss.Style
	p[Normal] = n()
	p[Dim] = n().Foreground(c.dim)
	p[Title] = n().Foreground(c.title).Bold(true)
	p[FocusTitle] = n().Foreground(c.title).Bold(true).Underline(true)
	p[Heading] = n().Foreground(c.dim).Bold(true)
	p[Badge] = n().Foreground(c.warn).Bold(true).Reverse(true)
	p[OK] = n().Foreground(c.ok)
	p[Warn] = n().Foreground(c.warn)
	p[Crit] = n().Foreground(c.crit).Bold(true)
	p[Stale] = n().Foreground(c.stale).Italic(true)
	p[Info] = n().Foreground(c.info)
	p[Cursor] = n().Foreground(c.title).Bold(true)
	p[Key] = n().Foreground(c.key).Bold(true)
	p[Toast] = n().Foreground(c.fg).Background(c.toastBg)
	p[BannerOK] = n().Foreground(lipgloss.Color("#000000")).Background(c.ok).Bold(true)
	p[BannerWarn] = n().Foreground(lipgloss.Color("#000000")).Background(c.warn).Bold(true)
	p[BannerCrit] = n().Foreground(lipgloss.Color("#ffffff")).Background(c.crit).Bold(true)
	envStyles(&p)
	return p
}

// envStyles are the environment badges: bold on the basic colour, which
// every palette maps to something recognisably red, yellow…
func envStyles(p *[numClasses]lipgloss.Style) {
	n := lipgloss.NewStyle
	p[EnvRed] = n().Foreground(lipgloss.BrightWhite).Background(lipgloss.Red).Bold(true)
	p[EnvYellow] = n().Foreground(lipgloss.Black).Background(lipgloss.Yellow).Bold(true)
	p[EnvGreen] = n().Foreground(lipgloss.Black).Background(lipgloss.Green).Bold(true)
	p[EnvBlue] = n().Foreground(lipgloss.BrightWhite).Background(lipgloss.Blue).Bold(true)
	p[EnvMagenta] = n().Foreground(lipgloss.BrightWhite).Background(lipgloss.Magenta).Bold(true)
	p[EnvCyan] = n().Foreground(lipgloss.Black).Background(lipgloss.Cyan).Bold(true)
	p[EnvWhite] = n().Foreground(lipgloss.Black).Background(lipgloss.White).Bold(true)
	p[EnvPlain] = n().Bold(true).Reverse(true)
}

// highContrast uses the 16 basic colours (which every terminal and its
// user's palette get right) with bold and backgrounds for the bad states.
func highContrast() [numClasses]lipgloss.Style {
	n := lipgloss.NewStyle
	var p [numClasses]lipgloss.Style
	p[Normal] = n()
	p[Dim] = n()
	p[Title] = n().Bold(true).Underline(true)
	p[FocusTitle] = n().Bold(true).Reverse(true)
	p[Heading] = n().Bold(true)
	p[Badge] = n().Bold(true).Reverse(true)
	p[OK] = n().Foreground(lipgloss.BrightGreen).Bold(true)
	p[Warn] = n().Foreground(lipgloss.Black).Background(lipgloss.BrightYellow).Bold(true)
	p[Crit] = n().Foreground(lipgloss.BrightWhite).Background(lipgloss.Red).Bold(true)
	p[Stale] = n().Foreground(lipgloss.BrightMagenta).Bold(true).Underline(true)
	p[Info] = n().Foreground(lipgloss.BrightCyan)
	p[Cursor] = n().Bold(true)
	p[Key] = n().Bold(true).Underline(true)
	p[Toast] = n().Reverse(true)
	p[BannerOK] = n().Foreground(lipgloss.Black).Background(lipgloss.BrightGreen).Bold(true)
	p[BannerWarn] = n().Foreground(lipgloss.Black).Background(lipgloss.BrightYellow).Bold(true)
	p[BannerCrit] = n().Foreground(lipgloss.BrightWhite).Background(lipgloss.Red).Bold(true)
	envStyles(&p)
	return p
}

// Paint styles one text with a class.
func (s Styles) Paint(c Class, text string) string {
	i := int(c &^ Selected)
	if i >= int(numClasses) {
		i = int(Normal)
	}
	if c&Selected != 0 {
		i += int(numClasses)
	}
	if s.open[i] == "" {
		return text
	}
	return s.open[i] + text + s.close[i]
}

// Line renders one line, fitted to width w.
func (s Styles) Line(l Line, w int) string {
	l = l.Fit(w)
	var b strings.Builder
	for _, sp := range l {
		b.WriteString(s.Paint(sp.Class, sp.Text))
	}
	return b.String()
}

// Render renders lines, each fitted to width w, joined by newlines.
func (s Styles) Render(lines []Line, w int) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s.Line(l, w))
	}
	return b.String()
}

// PlainLines renders lines without styling (export, tests).
func PlainLines(lines []Line) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.Plain()
	}
	return out
}
