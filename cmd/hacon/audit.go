package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/hacon/hacon/actions"
	"github.com/hacon/hacon/internal/app"
)

func newAuditCmd(inv *invocation) *cobra.Command {
	audit := &cobra.Command{
		Use:   "audit verify [--file F | --config F]",
		Short: "check the audit log's hash chain and print where it breaks (exit 0 intact, 1 broken)",
		Args:  noArgs,
		Run: inv.do(func([]string) int {
			fmt.Fprintln(inv.stderr, "usage: hacon audit verify [--file F | --config F]")
			return exitUsage
		}),
	}
	var file, path string
	verify := &cobra.Command{
		Use:   "verify [--file F | --config F]",
		Short: "check the audit log's hash chain and print where it breaks (exit 0 intact, 1 broken)",
		Example: `  hacon audit verify
  hacon audit verify --file /var/log/hacon/audit.log`,
		Args: noArgs,
		Run:  inv.do(func([]string) int { return cmdAuditVerify(file, path, inv.stdout, inv.stderr) }),
	}
	verify.Flags().SetInterspersed(false)
	verify.Flags().StringVar(&file, "file", "", "audit log (default: the config's audit_log)")
	_ = verify.MarkFlagFilename("file")
	verify.Flags().StringVar(&path, "config", "", "config file, for its audit_log")
	markConfigFlag(verify)
	audit.AddCommand(verify)
	return audit
}

// cmdAuditVerify runs `hacon audit verify`: it checks the audit log's hash
// chain and prints where it breaks. Exit 0 intact, 1 broken, 2 usage or an
// unreadable file.
func cmdAuditVerify(file, path string, stdout, stderr io.Writer) int {
	if file == "" {
		cfg, err := app.LoadConfig(path)
		if err != nil {
			fmt.Fprintln(stderr, "hacon audit verify:", err, "(or give --file)")
			return 2
		}
		file = cfg.AuditLog
	}
	rep, err := actions.VerifyAuditChain(file)
	if err != nil {
		fmt.Fprintln(stderr, "hacon audit verify:", err)
		return 2
	}
	for _, b := range rep.Breaks {
		fmt.Fprintf(stdout, "%s:%d: chain broken: %s\n", file, b.Line, b.Why)
	}
	switch {
	case !rep.OK():
		fmt.Fprintf(stdout, "%s: %d lines, chain BROKEN at %d place(s); compare with the system log (journalctl -t hacon, or /var/log/auth.log)\n", file, rep.Lines, len(rep.Breaks))
		return 1
	case rep.Unhashed > 0:
		fmt.Fprintf(stdout, "%s: %d lines, chain intact (the first %d written before the chain existed)\n", file, rep.Lines, rep.Unhashed)
	default:
		fmt.Fprintf(stdout, "%s: %d lines, chain intact\n", file, rep.Lines)
	}
	return 0
}
