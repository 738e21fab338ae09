package tui

import (
	"os"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/term"
)

// The terminal-input decoder under bubbletea (charmbracelet/x/ansi v0.11.9,
// the newest served) keeps 32 parameters per escape sequence and indexes
// past them on a 33rd: `ESC [ 1;2;…;33 ~` panics on bubbletea's input
// goroutine, which no recover covers, and the process dies with the
// terminal raw and an action's audit result unwritten. No real key or
// terminal reply has more than a handful of parameters, so the console's
// input drops every parameter byte past maxInputParams-1 separators before
// the decoder sees it.

// maxInputParams bounds the parameters of one CSI or DCS sequence.
const maxInputParams = 16

// paramLimiter is a streaming filter: its state carries over between reads,
// so a sequence split across two reads is limited all the same.
type paramLimiter struct {
	state byte // 0 text, 1 after ESC, 2 in CSI/DCS parameters
	seps  int
	cont  int // UTF-8 continuation bytes still expected
}

const (
	limText = iota
	limEsc
	limParams
)

// filter removes excess parameter bytes from p in place and returns the
// length kept.
func (l *paramLimiter) filter(p []byte) int {
	out := 0
	for _, b := range p {
		if l.keep(b) {
			p[out] = b
			out++
		}
	}
	return out
}

func (l *paramLimiter) keep(b byte) bool {
	if !l.utf8(b) {
		return false
	}
	switch l.state {
	case limEsc:
		l.state = limText
		switch b {
		case '[', 'P':
			l.state, l.seps = limParams, 0
		case 0x1b:
			l.state = limEsc
		}
		return true
	case limParams:
		if b >= 0x30 && b <= 0x3f {
			if b == ';' || b == ':' {
				l.seps++
			}
			return l.seps < maxInputParams
		}
		l.state = limText
	}
	if b == 0x1b {
		l.state = limEsc
	}
	return true
}

// utf8 drops a C1 control byte (0x80-0x9f) that is not inside a UTF-8
// sequence. A terminal in UTF-8 mode never sends one bare; the decoder
// would read 0x9b as an 8-bit CSI, and "\x9bM000" makes it slice past
// its input (found by FuzzConsoleInput). Inside a multibyte character the
// same bytes are ordinary continuation bytes and are kept.
func (l *paramLimiter) utf8(b byte) bool {
	switch {
	case l.cont > 0 && b&0xc0 == 0x80:
		l.cont--
		return true
	case b >= 0xc2 && b <= 0xdf:
		l.cont = 1
	case b >= 0xe0 && b <= 0xef:
		l.cont = 2
	case b >= 0xf0 && b <= 0xf4:
		l.cont = 3
	default:
		l.cont = 0
		return b < 0x80 || b > 0x9f
	}
	return true
}

// guardedInput is the terminal's stdin with the limiter in its read path.
// It keeps *os.File's Fd, Name, Write and Close so bubbletea still puts the
// terminal in raw mode and cancels reads through epoll.
type guardedInput struct {
	*os.File
	lim paramLimiter
}

func newGuardedInput(f *os.File) *guardedInput { return &guardedInput{File: f} }

// Read returns what the terminal sent, without excess parameters. It may
// return 0 bytes and no error when a whole read was dropped; reading again
// here could block past a cancellation.
func (g *guardedInput) Read(p []byte) (int, error) {
	n, err := g.File.Read(p)
	return g.lim.filter(p[:n]), err
}

// consoleInput is what bubbletea would read by itself (stdin, or the
// controlling terminal when stdin is not one), behind the limiter.
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
