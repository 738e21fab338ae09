package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// canonicalArgs keeps the command lines of hacon's first flag parser (Go's
// flag package) working: it took -config as well as --config, and --o as
// well as -o. pflag takes only --long and -s, so each flag of the command
// found is rewritten to that form, up to the first argument that is not a
// flag (the old parser stopped there; discover's prefix follows it).
func canonicalArgs(root *cobra.Command, args []string) []string {
	cmd, _, err := root.Find(args)
	if err != nil {
		return args
	}
	depth := 0
	for c := cmd; c.HasParent(); c = c.Parent() {
		depth++
	}
	if depth > len(args) {
		return args
	}
	out := append([]string(nil), args[:depth]...)
	rest := args[depth:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			return append(out, rest[i:]...)
		}
		canon, f := canonicalFlag(cmd.Flags(), a)
		out = append(out, canon)
		if f != nil && f.NoOptDefVal == "" && !strings.Contains(a, "=") && i+1 < len(rest) {
			i++ // the flag's value, whatever it looks like
			out = append(out, rest[i])
		}
	}
	return out
}

// canonicalFlag rewrites one flag argument and returns the flag it names
// (nil when it names none: pflag then reports it).
func canonicalFlag(fs *pflag.FlagSet, arg string) (string, *pflag.Flag) {
	body := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	name, _, _ := strings.Cut(body, "=")
	if name == "h" || name == "help" {
		return "--help", nil
	}
	if len(name) == 1 {
		if f := fs.ShorthandLookup(name); f != nil {
			return "-" + body, f
		}
	}
	if f := fs.Lookup(name); f != nil && len(name) > 1 {
		return "--" + body, f
	}
	if len(name) > 1 && !strings.HasPrefix(arg, "--") {
		// Not a flag of this command: as --name, pflag's error names it
		// whole (-wal is "unknown flag: --wal", not "unknown shorthand 'w'").
		return "--" + body, nil
	}
	return arg, nil
}

// unknownCommand is the root's argument check: the console takes none, so
// a word is a mistyped command, named with the closest one.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	hint := "see hacon --help"
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		hint = fmt.Sprintf("did you mean %q?", s[0])
	}
	return fmt.Errorf("hacon: unknown command %q (%s)", args[0], hint)
}

// noArgs refuses arguments the way the old parser did.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("%s: unexpected argument %q", cmd.CommandPath(), args[0])
	}
	return nil
}

// flagError names the command, the bad flag and the closest flag it has.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	var bad string
	switch {
	case strings.HasPrefix(msg, "unknown flag: --"):
		bad = strings.TrimPrefix(msg, "unknown flag: --")
	case strings.HasPrefix(msg, "unknown shorthand flag: '"):
		bad, _, _ = strings.Cut(strings.TrimPrefix(msg, "unknown shorthand flag: '"), "'")
	default:
		return fmt.Errorf("%s: %w", cmd.CommandPath(), err)
	}
	if best := closestFlag(cmd.Flags(), bad); best != "" {
		return fmt.Errorf("%s: %w (did you mean %s?)", cmd.CommandPath(), err, best)
	}
	return fmt.Errorf("%s: %w (see %s --help)", cmd.CommandPath(), err, cmd.CommandPath())
}

// closestFlag is the flag whose name is nearest to name (a prefix, or at
// most two edits away), spelt as it is typed; "" when none is near.
func closestFlag(fs *pflag.FlagSet, name string) string {
	best, bestDist := "", 3
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		d := editDistance(name, f.Name)
		if len(name) > 1 && strings.HasPrefix(f.Name, name) {
			d = 1
		}
		if d < bestDist {
			best, bestDist = "--"+f.Name, d
		}
		if f.Shorthand != "" && f.Shorthand == strings.ToLower(name) && bestDist > 1 {
			best, bestDist = "-"+f.Shorthand, 1
		}
	})
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// newHelpCmd is `hacon help [COMMAND]`: cobra's, but a mistyped command is
// the same one-line error, with the closest command, as everywhere else.
func newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "help [command]",
		Short:   "help about any command",
		Example: "  hacon help\n  hacon help status\n  hacon help audit verify",
		ValidArgsFunction: func(c *cobra.Command, args []string, typed string) ([]cobra.Completion, cobra.ShellCompDirective) {
			cmd, _, err := c.Root().Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []cobra.Completion
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), typed) {
					names = append(names, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := c.Root().Find(args)
			if err == nil && len(rest) > 0 {
				err = unknownCommand(cmd, rest)
				if cmd.HasParent() {
					err = fmt.Errorf("%s: no command %q", cmd.CommandPath(), rest[0])
				}
			}
			if err != nil {
				return err
			}
			cmd.InitDefaultHelpFlag() // listed as --help lists it
			return cmd.Help()
		},
	}
}
