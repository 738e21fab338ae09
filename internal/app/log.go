package app

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// LogEnv names the debug log file when --log is not given.
const LogEnv = "HACON_LOG"

// OpenLog opens the debug log: path, or $HACON_LOG when path is empty.
// With neither it returns a nil logger (nothing is logged) and a no-op
// closer. The file is appended to and private (0600): it names hosts and
// commands, though never a secret.
func OpenLog(path string) (*slog.Logger, io.Closer, error) {
	if path == "" {
		path = os.Getenv(LogEnv)
	}
	if path == "" {
		return nil, nopCloser{}, nil
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, nil, err
		}
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, nil, err
	}
	return NewLogger(f), f, nil
}

// NewLogger is hacon's debug logger on w: slog's text format, one line per
// record, every level down to Debug.
func NewLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }
