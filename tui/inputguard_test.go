package tui

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	uv "github.com/charmbracelet/ultraviolet"
)

// readThroughConsoleInput feeds data to the console's input path as a
// terminal would (a file, the limiter, ultraviolet's terminal reader that
// bubbletea runs) and returns the events decoded. A panic fails the caller.
func readThroughConsoleInput(t testing.TB, data []byte) []uv.Event {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() { w.Write(data); w.Close() }()
	reader := uv.NewTerminalReader(newGuardedInput(r), "xterm-256color")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	eventc := make(chan uv.Event, 64)
	var events []uv.Event
	done := make(chan struct{})
	go func() {
		for ev := range eventc {
			events = append(events, ev)
		}
		close(done)
	}()
	err = reader.StreamEvents(ctx, eventc)
	close(eventc)
	<-done
	if err != nil {
		t.Fatalf("StreamEvents: %v", err)
	}
	return events
}

func manyParams(n int) string {
	ps := make([]string, n)
	for i := range ps {
		ps[i] = fmt.Sprint(i + 1)
	}
	return strings.Join(ps, ";")
}

// Issue 11 #2: `ESC [ 1;2;…;33 ~` crashed the console inside the input
// decoder; through the console's input it is harmless and the keys after it
// still arrive.
func TestGarbageKeySequenceDoesNotCrashTheConsole(t *testing.T) {
	t.Parallel()
	for _, seq := range []string{
		"\x1b[" + manyParams(33) + "~",
		"\x1b[" + manyParams(200) + "~",
		"\x1bP" + manyParams(40) + "q\x1b\\",
		"\x1b[<" + manyParams(64) + "M",
		"\x9b" + manyParams(50) + "~",
		"\x9bM000",     // a bare 8-bit CSI X10 mouse report, short
		"\xed\x9bM000", // the same behind a broken UTF-8 lead byte
	} {
		events := readThroughConsoleInput(t, []byte(seq+"q"))
		last := fmt.Sprint(events[len(events)-1])
		if len(events) == 0 || last != "q" {
			t.Errorf("%q: events %v, want the q typed after the garbage last", seq[:12], events)
		}
	}
}

func TestLimiterKeepsShortSequencesAndBoundsLongOnes(t *testing.T) {
	t.Parallel()
	var l keyInputFilter
	keep := []byte("\x1b[1;5A\x1b[<0;10;20M\x1bP1$r0m\x1b\\héllo ě 日本 🙂")
	want := string(keep)
	if got := string(l.filter(nil, keep)); got != want {
		t.Errorf("ordinary input changed: %q", got)
	}
	long := []byte("\x1b[" + manyParams(33) + "~")
	got := string(l.filter(nil, long))
	if n := strings.Count(got, ";") + 1; n != maxInputParams || !strings.HasSuffix(got, "~") {
		t.Errorf("limited sequence %q has %d parameters, want %d and its final byte", got, n, maxInputParams)
	}
	// Split across reads, the limit holds all the same.
	var s keyInputFilter
	a, b := []byte("\x1b["+manyParams(10)+";"), []byte(manyParams(30)+"~")
	joined := string(s.filter(nil, a)) + string(s.filter(nil, b))
	if n := strings.Count(joined, ";") + 1; n != maxInputParams {
		t.Errorf("split sequence kept %d parameters, want %d", n, maxInputParams)
	}
}

// FuzzConsoleInput feeds random byte streams to the console's input path.
func FuzzConsoleInput(f *testing.F) {
	for _, s := range []string{"q", "\x1b[A", "\x1b[" + manyParams(33) + "~", "\x1bP" + manyParams(33), "\x1b]0;x\x07", "\x9b1;2;3~", "\x1b[200~paste\x1b[201~"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		readThroughConsoleInput(t, data)
	})
}

// A character split across reads is held, not cut: the decoder sees it whole.
func TestFilterHoldsASplitCharacter(t *testing.T) {
	t.Parallel()
	var f keyInputFilter
	first := f.filter(nil, []byte("a\xe6\x97"))
	second := f.filter(nil, []byte("\xa5b"))
	if string(first) != "a" || string(second) != "日b" {
		t.Errorf("split 日 came out as %q then %q", first, second)
	}
	if got := string(f.filter(nil, []byte("\xe6\x97z\x9b~"))); got != "\xe6z~" {
		t.Errorf("a broken character and a bare C1 byte came out as %q", got)
	}
}
