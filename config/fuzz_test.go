package config

import (
	"errors"
	"os"
	"testing"
)

// FuzzParse: any bytes give a config or Problems (never a panic), and a
// bounded amount of error text.
func FuzzParse(f *testing.F) {
	if full, err := os.ReadFile("testdata/full.yaml"); err == nil {
		f.Add(full)
	}
	for _, s := range []string{
		"clusters: [{name: a}]\n",
		"a: &a [*a]\n",
		"x: &x {k: v}\nclusters: [*x, *x]\n",
		"clusters:\n  - name: a\n    controllers: [{name: c0, address: \"::1\"}]\n    services: [{name: s, endpoint: \"http://{{.Address}}/\"}]\n",
		"clusters:\n  - name: a\n    services: [{name: s, http: {tls_config: {insecure_skip_verify: x}}}]\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.yaml", data)
		if err == nil {
			if cfg == nil {
				t.Fatal("nil config without an error")
			}
			return
		}
		var ps Problems
		if !errors.As(err, &ps) || len(ps) == 0 {
			t.Fatalf("error is not Problems: %v", err)
		}
		if len(ps) > maxProblems+1 {
			t.Fatalf("%d problems listed", len(ps))
		}
	})
}
