package main

import (
	"fmt"
	"io"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/internal/app"
)

// cmdAudit runs `hacon audit verify`: it checks the audit log's hash chain
// and prints where it breaks. Exit 0 intact, 1 broken, 2 usage or an
// unreadable file.
func cmdAudit(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, "usage: hacon audit verify [--file F | --config F]")
		return 2
	}
	fs := newFlagSet("audit verify", stderr)
	file := fs.String("file", "", "audit log (default: the config's audit_log)")
	path := fs.String("config", "", "config file, for its audit_log")
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	if *file == "" {
		cfg, err := app.LoadConfig(*path)
		if err != nil {
			fmt.Fprintln(stderr, "hacon audit verify:", err, "(or give --file)")
			return 2
		}
		*file = cfg.AuditLog
	}
	rep, err := actions.VerifyAuditChain(*file)
	if err != nil {
		fmt.Fprintln(stderr, "hacon audit verify:", err)
		return 2
	}
	for _, b := range rep.Breaks {
		fmt.Fprintf(stdout, "%s:%d: chain broken: %s\n", *file, b.Line, b.Why)
	}
	switch {
	case !rep.OK():
		fmt.Fprintf(stdout, "%s: %d lines, chain BROKEN at %d place(s); compare with the system log (journalctl -t hacon, or /var/log/auth.log)\n", *file, rep.Lines, len(rep.Breaks))
		return 1
	case rep.Unhashed > 0:
		fmt.Fprintf(stdout, "%s: %d lines, chain intact (the first %d written before the chain existed)\n", *file, rep.Lines, rep.Unhashed)
	default:
		fmt.Fprintf(stdout, "%s: %d lines, chain intact\n", *file, rep.Lines)
	}
	return 0
}
