package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cpuguy83/go-md2man/v2/md2man"
	"github.com/prometheus/common/version"
	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// newGenDocsCmd is the build's command (hidden): it writes the man pages
// and shell completions the packages install, from the same command
// definitions as --help, and hacon-config(5) from the README's
// configuration reference.
func newGenDocsCmd() *cobra.Command {
	var readme string
	cmd := &cobra.Command{
		Use:    "gen-docs --readme README.md DIR",
		Short:  "write man pages and shell completions into DIR (for packaging)",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return genDocs(cmd.Root(), readme, args[0])
		},
	}
	cmd.Flags().StringVar(&readme, "readme", "README.md", "the README whose Configuration reference becomes hacon-config(5)")
	return cmd
}

// genDocs writes DIR/man/man1/*.1.gz, DIR/man/man5/hacon-config.5.gz and
// DIR/completions/{hacon.bash,_hacon,hacon.fish}.
func genDocs(root *cobra.Command, readme, dir string) error {
	date := docDate()
	header := &doc.GenManHeader{Title: "HACON", Section: "1", Date: &date, Source: "hacon " + version.Version, Manual: "hacon manual"}
	if err := genManTree(root, header, filepath.Join(dir, "man", "man1")); err != nil {
		return err
	}
	text, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	page, err := configManPage(string(text), date)
	if err != nil {
		return fmt.Errorf("%s: %w", readme, err)
	}
	if err := writeGzip(filepath.Join(dir, "man", "man5", "hacon-config.5.gz"), page); err != nil {
		return err
	}
	return genCompletions(root, filepath.Join(dir, "completions"))
}

// genManTree writes one page per visible command: hacon(1), hacon-status(1), …
func genManTree(cmd *cobra.Command, header *doc.GenManHeader, dir string) error {
	if !cmd.IsAvailableCommand() && cmd.HasParent() || cmd.IsAdditionalHelpTopicCommand() {
		return nil
	}
	for _, c := range cmd.Commands() {
		if err := genManTree(c, header, dir); err != nil {
			return err
		}
	}
	h := *header
	h.Title = strings.ToUpper(strings.ReplaceAll(cmd.CommandPath(), " ", "-"))
	var page bytes.Buffer
	if err := doc.GenMan(cmd, &h, &page); err != nil {
		return err
	}
	return writeGzip(filepath.Join(dir, strings.ReplaceAll(cmd.CommandPath(), " ", "-")+".1.gz"), page.Bytes())
}

func genCompletions(root *cobra.Command, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, gen := range map[string]func(*bytes.Buffer) error{
		"hacon.bash": func(b *bytes.Buffer) error { return root.GenBashCompletionV2(b, true) },
		"_hacon":     func(b *bytes.Buffer) error { return root.GenZshCompletion(b) },
		"hacon.fish": func(b *bytes.Buffer) error { return root.GenFishCompletion(b, true) },
	} {
		var b bytes.Buffer
		if err := gen(&b); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// configManPage renders the README's "## Configuration reference" section
// (up to the next level-2 heading) as hacon-config(5).
func configManPage(readme string, date time.Time) ([]byte, error) {
	const heading = "## Configuration reference\n"
	start := strings.Index(readme, heading)
	if start < 0 {
		return nil, errors.New(`no "## Configuration reference" section`)
	}
	body := readme[start+len(heading):]
	if end := strings.Index(body, "\n## "); end >= 0 {
		body = body[:end+1]
	}
	body = strings.ReplaceAll(body, "\n### ", "\n# ")
	md := fmt.Sprintf(`%% "HACON-CONFIG" "5" "%s" "hacon %s" "hacon manual"
# NAME
hacon-config \- the configuration file of hacon(1)

# SYNOPSIS
**--config FILE**, **$HACON_CONFIG**, **$XDG_CONFIG_HOME/hacon/config.yaml**, **/etc/hacon/config.yaml**

# DESCRIPTION
hacon reads one YAML file, looked up in that order. An example is installed as
/usr/share/doc/hacon/examples/config.yaml; **hacon check-config** prints every problem of a file.
%s
# SEE ALSO
**hacon(1)**, **hacon-check-config(1)**, **hacon-discover(1)**
`, date.Format("Jan 2006"), version.Version, body)
	return md2man.Render([]byte(md)), nil
}

// docDate is the build's date (reproducible pages), else today.
func docDate() time.Time {
	if t, err := time.Parse(time.RFC3339, version.BuildDate); err == nil {
		return t
	}
	return time.Now()
}

// writeGzip writes data gzipped, without a name or time in its header so
// the same input gives the same bytes.
func writeGzip(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
