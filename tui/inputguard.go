package tui

import (
	"os"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
)

// The terminal-input decoder under bubbletea (charmbracelet/x/ansi v0.11.9
// and ultraviolet, the newest served) crashes on input no terminal sends:
// `ESC [ 1;2;…;33 ~` indexes past its 32 parameters, and a bare 8-bit CSI
// (0x9b) X10 mouse report slices past a short buffer. Either panics on
// bubbletea's input goroutine, which no recover covers, and the process dies
// with the terminal raw and an action's audit result unwritten. So the
// console's input passes a filter first: at most maxInputParams parameters
// per CSI/DCS sequence, and no C1 control byte (0x80-0x9f) outside a valid
// UTF-8 character.

// maxInputParams bounds the parameters of one CSI or DCS sequence.
const maxInputParams = 16

// keyInputFilter is a streaming filter: its state carries over between reads,
// so a sequence or a character split across two reads is handled the same.
type keyInputFilter struct {
	state byte // limText, limEsc or limParams
	seps  int
	pend  []byte // an incomplete UTF-8 character, held until it completes
	need  int    // continuation bytes pend still needs
}

const (
	limText = iota
	limEsc
	limParams
)

// filter appends to out what the decoder may safely see of in.
func (f *keyInputFilter) filter(out, in []byte) []byte {
	for _, b := range in {
		out = f.byteIn(out, b)
	}
	return out
}

func (f *keyInputFilter) byteIn(out []byte, b byte) []byte {
	if f.need > 0 {
		if b&0xc0 == 0x80 {
			f.pend = append(f.pend, b)
			if f.need--; f.need == 0 {
				out = f.flushPending(out)
			}
			return out
		}
		out = f.flushPending(out) // broken before its end
	}
	switch {
	case b >= 0xc2 && b <= 0xf4:
		f.pend, f.need = append(f.pend[:0], b), utf8Len(b)-1
		return out
	case b >= 0x80 && b <= 0x9f:
		return out // a bare C1 control: the decoder would read 0x9b as CSI
	}
	if f.keep(b) {
		out = append(out, b)
	}
	return out
}

// flushPending emits a held character if it is valid UTF-8; of a broken
// one, only the bytes the decoder cannot take for C1 controls.
func (f *keyInputFilter) flushPending(out []byte) []byte {
	pend := f.pend
	f.pend, f.need = f.pend[:0], 0
	if utf8.Valid(pend) {
		f.state = limText // a character ends any escape sequence's parameters
		return append(out, pend...)
	}
	for _, b := range pend {
		if b < 0x80 || b > 0x9f {
			out = append(out, b)
		}
	}
	return out
}

func utf8Len(lead byte) int {
	switch {
	case lead >= 0xf0:
		return 4
	case lead >= 0xe0:
		return 3
	}
	return 2
}

// keep runs the escape-sequence state machine over a 7-bit byte and says
// whether it may pass: parameter bytes past the limit may not.
func (f *keyInputFilter) keep(b byte) bool {
	switch f.state {
	case limEsc:
		f.state = limText
		switch b {
		case '[', 'P':
			f.state, f.seps = limParams, 0
		case 0x1b:
			f.state = limEsc
		}
		return true
	case limParams:
		if b >= 0x30 && b <= 0x3f {
			if b == ';' || b == ':' {
				f.seps++
			}
			return f.seps < maxInputParams
		}
		f.state = limText
	}
	if b == 0x1b {
		f.state = limEsc
	}
	return true
}

// guardedInput is the terminal's stdin with the filter in its read path.
// It keeps *os.File's Fd, Name, Write and Close so bubbletea still puts the
// terminal in raw mode and cancels reads through epoll.
type guardedInput struct {
	*os.File
	f     keyInputFilter
	ready []byte // filtered bytes not yet returned
	buf   []byte
}

func newGuardedInput(f *os.File) *guardedInput { return &guardedInput{File: f} }

// Read returns what the terminal sent, filtered. It may return 0 bytes and
// no error when a whole read was held or dropped; reading again here could
// block past a cancellation.
func (g *guardedInput) Read(p []byte) (int, error) {
	if len(g.ready) == 0 {
		if cap(g.buf) < len(p) {
			g.buf = make([]byte, len(p))
		}
		n, err := g.File.Read(g.buf[:len(p)])
		g.ready = g.f.filter(g.ready[:0], g.buf[:n])
		if len(g.ready) == 0 {
			return 0, err
		}
	}
	n := copy(p, g.ready)
	g.ready = g.ready[n:]
	return n, nil
}

// consoleInput is what bubbletea would read by itself (stdin, or the
// controlling terminal when stdin is not one), behind the filter.
func consoleInput() (*guardedInput, func(), error) {
	if term.IsTerminal(os.Stdin.Fd()) {
		return newGuardedInput(os.Stdin), func() {}, nil
	}
	in, out, err := tea.OpenTTY()
	if err != nil {
		return nil, nil, err
	}
	return newGuardedInput(in), func() { in.Close(); out.Close() }, nil
}
