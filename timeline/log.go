package timeline

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Log appends events to the events log, one Event.String line each.
// Appends come from commands running on their own goroutines, hence the
// mutex.
type Log struct {
	path string
	mu   sync.Mutex
}

// NewLog returns the events log at path; "-" disables it (nil).
func NewLog(path string) *Log {
	if path == "-" {
		return nil
	}
	return &Log{path: path}
}

// Append writes one line per event, creating the file 0600 in a 0700
// directory.
func (l *Log) Append(evs []Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(l.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, e := range evs {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	_, err = f.WriteString(b.String())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
