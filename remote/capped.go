package remote

import (
	"fmt"
	"io"
	"sync"
)

// Caps on what one command may print. crm_mon of a large cluster is a few
// MiB (its parser refuses more than 64 MiB); stderr is only ever words.
const (
	MaxStdout = 64 << 20
	MaxStderr = 1 << 20
)

// cappedBuffer keeps at most max bytes; the first write past it calls
// onOverflow (which stops the command) and later bytes are dropped.
type cappedBuffer struct {
	mu         sync.Mutex
	buf        []byte
	max        int
	over       bool
	onOverflow func()
}

func newCappedBuffer(max int, onOverflow func()) *cappedBuffer {
	return &cappedBuffer{max: max, onOverflow: onOverflow}
}

// Write never fails: the command is stopped by onOverflow, not by an error
// that would leave it blocked on a full pipe until the kill.
func (c *cappedBuffer) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := c.max - len(c.buf); len(p) > room {
		c.buf = append(c.buf, p[:max(room, 0)]...)
		if !c.over {
			c.over = true
			c.onOverflow()
		}
		return len(p), nil
	}
	c.buf = append(c.buf, p...)
	return len(p), nil
}

// ReadFrom reads r to its end through Write. os/exec copies a command's
// output with io.Copy, which otherwise allocates 32 KiB per stream per run:
// a fifth of hacon's allocations at 200 clusters (issue 18).
func (c *cappedBuffer) ReadFrom(r io.Reader) (int64, error) {
	chunk := make([]byte, 4<<10)
	var n int64
	for {
		k, err := r.Read(chunk)
		if k > 0 {
			_, _ = c.Write(chunk[:k])
			n += int64(k)
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// Bytes is what was kept.
func (c *cappedBuffer) Bytes() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf
}

func (c *cappedBuffer) overflowed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.over
}

// overflowed names the stream that went past its cap, or "".
func overflowed(stdout, stderr *cappedBuffer) string {
	switch {
	case stdout.overflowed():
		return fmt.Sprintf("output larger than %d MiB", stdout.max>>20)
	case stderr.overflowed():
		return fmt.Sprintf("error output larger than %d MiB", stderr.max>>20)
	}
	return ""
}
