package sshmux

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// maxSocketPath keeps a control socket path under every Unix's sun_path
// limit (104 bytes on the BSDs, 108 on Linux), with room for the
// temporary name ssh binds before renaming it into place (path + ".XXXXXXXXXXXXXXXX").
const maxSocketPath = 104 - 17

// SocketDir is where hacon keeps its control sockets:
// $XDG_RUNTIME_DIR/hacon when XDG_RUNTIME_DIR is set, else
// $TMPDIR/hacon-<uid>. It is created 0700 and must be a directory owned
// by this user that nobody else can enter; anything else is refused, so
// another user can never plant a socket hacon would talk through.
func SocketDir() (string, error) {
	base := os.Getenv("XDG_RUNTIME_DIR")
	var dir string
	if base != "" && filepath.IsAbs(base) {
		dir = filepath.Join(base, "hacon")
	} else {
		dir = filepath.Join(os.TempDir(), "hacon-"+strconv.Itoa(os.Getuid()))
	}
	return dir, privateDir(dir)
}

// privateDir makes dir (0700) when missing and checks it is a real
// directory, owned by us, closed to group and others.
func privateDir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("control socket directory %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("control socket directory %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("control socket directory %s is not a directory (a symlink or file is there): remove it", dir)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || int(st.Uid) != os.Getuid() {
		return fmt.Errorf("control socket directory %s is owned by another user: remove it", dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("control socket directory %s is open to others (mode %04o): chmod 700 it or remove it", dir, fi.Mode().Perm())
	}
	return nil
}

// socketPath is the control socket of one ssh line: the pid keeps two
// hacon processes (a console and a `hacon status`) from closing each
// other's masters, and a hash of the line (everything that makes one
// connection differ from another: user, host, port, options) keeps the
// name short whatever the line, as %C does.
func socketPath(dir string, l sshLine) (string, error) {
	h := sha256.Sum256([]byte(strings.Join(append(append([]string{l.prog}, l.opts...), l.dest), "\x00")))
	p := filepath.Join(dir, strconv.Itoa(os.Getpid())+"-"+hex.EncodeToString(h[:8]))
	if len(p) > maxSocketPath {
		return "", fmt.Errorf("control socket path %s is longer than %d bytes (set XDG_RUNTIME_DIR to a short directory)", p, maxSocketPath)
	}
	return p, nil
}
