package views

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Span is a run of plain text with one semantic class. Views build rows of
// spans first (plain, measurable, testable) and style them last, so width
// arithmetic never has to see escape codes.
type Span struct {
	Text  string
	Class Class
}

// Line is one screen row before styling.
type Line []Span

// S makes a span.
func S(class Class, text string) Span { return Span{Text: text, Class: class} }

// P makes a plain (normal) span.
func P(text string) Span { return Span{Text: text} }

// Width is the display width of the line in terminal cells.
func (l Line) Width() int {
	w := 0
	for _, s := range l {
		w += textWidth(s.Text)
	}
	return w
}

// Plain is the line's text without styling.
func (l Line) Plain() string {
	var b strings.Builder
	for _, s := range l {
		b.WriteString(s.Text)
	}
	return b.String()
}

// Add appends spans and returns the line (for chaining).
func (l Line) Add(spans ...Span) Line { return append(l, spans...) }

// Pad appends spaces until the line is w cells wide.
func (l Line) Pad(w int) Line {
	if d := w - l.Width(); d > 0 {
		l = append(l, P(strings.Repeat(" ", d)))
	}
	return l
}

// Fit cuts the line to w cells. It is the last resort: layouts choose
// abbreviations first, so a cut here is marked with "…" rather than
// silently dropping the tail of a word.
func (l Line) Fit(w int) Line {
	if w <= 0 {
		return nil
	}
	if l.Width() <= w {
		return l
	}
	out := make(Line, 0, len(l))
	left := w - 1
	for _, s := range l {
		sw := textWidth(s.Text)
		if sw <= left {
			out = append(out, s)
			left -= sw
			continue
		}
		if left > 0 {
			out = append(out, Span{Text: ansi.Truncate(s.Text, left, ""), Class: s.Class})
		}
		break
	}
	return append(out, P("…"))
}

// textWidth is the display width of plain text. ASCII and the console's
// own glyphs (all one cell wide) are counted directly: grapheme
// segmentation of every cell would cost most of a 16x100 View().
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r >= 0x20 && r < 0x7f:
			n++
		case narrowGlyphs[r]:
			n++
		default:
			return ansi.StringWidth(s)
		}
	}
	return n
}

// narrowGlyphs are the glyphs views print, each one cell wide (checked by
// TestGlyphWidths against the terminal width tables).
var narrowGlyphs = map[rune]bool{}

// glyphSet lists them; keep it in sync with marks.go and the layouts.
const glyphSet = "●○◐◑■✖✓◆▲★☆…◀▶▸▾·≠↑↓→◔│█▪∅"

func init() {
	for _, r := range glyphSet {
		narrowGlyphs[r] = true
	}
}

// padRight pads text with spaces to w cells (never cuts).
func padRight(s string, w int) string {
	if d := w - textWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// shorten cuts text to w cells with a trailing "…"; used for free text
// (names, errors) where the end matters least.
func shorten(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if textWidth(s) <= w {
		return s
	}
	if w == 1 {
		return "…"
	}
	return ansi.Truncate(s, w-1, "") + "…"
}

// shortenLeft keeps the end of the text ("…controller-2"): for node names
// the distinguishing part is the suffix.
func shortenLeft(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if textWidth(s) <= w {
		return s
	}
	if w == 1 {
		return "…"
	}
	r := []rune(s)
	for i := range r {
		if textWidth(string(r[i:])) <= w-1 {
			return "…" + string(r[i:])
		}
	}
	return "…"
}

// wordCut cuts text at a word boundary to at most w cells, ending in "…"
// when anything was dropped: messages never end in half a word.
func wordCut(s string, w int) string {
	if textWidth(s) <= w {
		return s
	}
	if w <= 1 {
		return shorten(s, w)
	}
	words := strings.Fields(s)
	var b strings.Builder
	used := 0
	for _, word := range words {
		ww := textWidth(word)
		sep := 0
		if used > 0 {
			sep = 1
		}
		if used+sep+ww > w-1 {
			break
		}
		if sep == 1 {
			b.WriteByte(' ')
		}
		b.WriteString(word)
		used += sep + ww
	}
	if used == 0 {
		return shorten(s, w)
	}
	return strings.TrimRight(b.String(), ",;:") + "…"
}

// wrapWords wraps text into lines of at most w cells, breaking at spaces;
// a word longer than w is cut with "…".
func wrapWords(s string, w int) []string {
	var out []string
	cur := ""
	for _, word := range strings.Fields(s) {
		if textWidth(word) > w {
			word = shorten(word, w)
		}
		switch {
		case cur == "":
			cur = word
		case textWidth(cur)+1+textWidth(word) <= w:
			cur += " " + word
		default:
			out = append(out, cur)
			cur = word
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

// WrapLines wraps every line wider than w at spaces, continuing on lines
// indented like the original plus two: the scrolling screens show
// everything and cut nothing.
func WrapLines(lines []Line, w int) []Line {
	out := make([]Line, 0, len(lines))
	for _, l := range lines {
		if l.Width() <= w {
			out = append(out, l)
			continue
		}
		out = append(out, wrapLine(l, w)...)
	}
	return out
}

func wrapLine(l Line, w int) []Line {
	plain := l.Plain()
	indent := min(len(plain)-len(strings.TrimLeft(plain, " "))+2, w/2)
	var out []Line
	cur, curW := Line{}, 0
	flush := func() {
		out = append(out, cur)
		cur, curW = Line{P(spaces(indent))}, indent
	}
	for _, sp := range l {
		for _, word := range splitKeepSpaces(sp.Text) {
			ww := textWidth(word)
			if curW+ww > w && curW > indent {
				if strings.TrimSpace(word) == "" {
					continue // a break swallows the space
				}
				flush()
			}
			if ww > w-indent {
				word, ww = shorten(word, w-curW), min(ww, w-curW)
			}
			cur = append(cur, Span{Text: word, Class: sp.Class})
			curW += ww
		}
	}
	if curW > indent || len(out) == 0 {
		out = append(out, cur)
	}
	return out
}

// splitKeepSpaces splits text into words and the runs of spaces between.
func splitKeepSpaces(s string) []string {
	var out []string
	start := 0
	for i := 1; i <= len(s); i++ {
		if i == len(s) || (s[i] == ' ') != (s[i-1] == ' ') {
			out = append(out, s[start:i])
			start = i
		}
	}
	return out
}
