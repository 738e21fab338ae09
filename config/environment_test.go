package config

import (
	"strings"
	"testing"
)

func TestEnvironmentAndColor(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("env.yaml", []byte(`clusters:
  - name: prod
    environment: production
  - name: stage
    environment: staging
    color: magenta
  - name: dev
    environment: sandbox-7
  - name: plain
`))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		color string
		prod  bool
	}{{"red", true}, {"magenta", false}, {"", false}, {"", false}} {
		c := &cfg.Clusters[i]
		if c.EnvironmentColor() != want.color || c.Production() != want.prod {
			t.Errorf("%s: color %q production %t", c.Name, c.EnvironmentColor(), c.Production())
		}
	}
	_, err = Parse("bad.yaml", []byte(`clusters:
  - name: a
    environment: "prod; rm -rf"
  - name: b
    environment: lab
    color: pink
  - name: c
    color: red
`))
	for _, want := range []string{
		`bad.yaml:3: clusters[0].environment: character ';'`,
		`bad.yaml:6: clusters[1].color: expected one of red, yellow, green, blue, magenta, cyan, white, got "pink"`,
		`bad.yaml:8: clusters[2].color: colours the environment: give environment too`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in:\n%v", want, err)
		}
	}
}
