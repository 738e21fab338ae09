package actions

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/hacon/hacon/config"
)

// The audit log's path comes from the config, and hacon often runs as root:
// it must never open a FIFO (blocks), write into a device, or change the mode
// of a file it did not create (audit_log: /dev/null would make /dev/null
// 0600 for every user).

// CheckAuditPath says, before any action, whether the audit log can be
// written: it must be a regular file, or absent in a directory hacon can
// create and write. Nothing is created or changed.
func CheckAuditPath(path string) error {
	if path == "" {
		return errors.New("audit log: no path configured")
	}
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return checkAuditDir(path)
	case errors.Is(err, syscall.ENOTDIR):
		return fmt.Errorf("audit log %s: a parent of it is a file, not a directory", path)
	case err != nil:
		return fmt.Errorf("audit log %s: %w", path, err)
	case !st.Mode().IsRegular():
		return fmt.Errorf("audit log %s: not a regular file (%s); point audit_log at a file", path, config.FileKind(st.Mode()))
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return fmt.Errorf("audit log %s: not writable: %w", path, errors.Unwrap(err))
	}
	return f.Close()
}

// checkAuditDir walks up to the nearest existing directory of an absent log
// and checks it is a directory this process may write into.
func checkAuditDir(path string) error {
	dir := filepath.Dir(path)
	for {
		st, err := os.Stat(dir)
		if err == nil {
			if !st.IsDir() {
				return fmt.Errorf("audit log %s: %s is not a directory", path, dir)
			}
			if err := syscall.Access(dir, 2 /* W_OK */); err != nil {
				return fmt.Errorf("audit log %s: cannot create it: directory %s is not writable", path, dir)
			}
			return nil
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(dir) == dir {
			return fmt.Errorf("audit log %s: %w", path, err)
		}
		dir = filepath.Dir(dir)
	}
}

// openAuditFile opens the log for appending: created 0600 when absent (the
// directory 0700); an existing file is used only if it is a regular file, and
// its mode is left as its owner set it.
func openAuditFile(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	const flags = os.O_RDWR | os.O_APPEND | syscall.O_NONBLOCK | syscall.O_NOCTTY
	f, err := os.OpenFile(path, flags|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		if st, serr := os.Stat(path); serr == nil && !st.Mode().IsRegular() {
			return nil, fmt.Errorf("audit log %s: not a regular file (%s)", path, config.FileKind(st.Mode()))
		}
		f, err = os.OpenFile(path, flags, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("audit log %s: %w", path, err)
	}
	// The file could have been swapped between the check and the open.
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("audit log %s: not a regular file", path)
	}
	return f, nil
}
