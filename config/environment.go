package config

import (
	"slices"
	"strings"
)

// Environments hacon knows the colour of; any other word is allowed and
// shown as it is, uncoloured unless color says.
const (
	EnvProduction = "production"
	EnvStaging    = "staging"
	EnvTest       = "test"
	EnvLab        = "lab"
)

// EnvColors are the colours color may name: the terminal's basic ones,
// which every theme and palette gets right.
var EnvColors = []string{"red", "yellow", "green", "blue", "magenta", "cyan", "white"}

// maxEnvLen bounds the environment word: it sits in the header.
const maxEnvLen = 20

// EnvironmentColor is the colour the cluster's environment is shown in:
// color when given, else production red, staging yellow, test blue, lab
// cyan, and none for another word.
func (c *Cluster) EnvironmentColor() string {
	if c.Color != "" {
		return c.Color
	}
	switch strings.ToLower(c.Environment) {
	case EnvProduction:
		return "red"
	case EnvStaging:
		return "yellow"
	case EnvTest:
		return "blue"
	case EnvLab:
		return "cyan"
	}
	return ""
}

// Production reports a cluster whose environment is production: a fence
// or power-off there asks for the cluster's name too.
func (c *Cluster) Production() bool { return strings.EqualFold(c.Environment, EnvProduction) }

// validateEnvironment checks clusters[].environment and color.
func (v *validator) validateEnvironment(p string, c *Cluster) {
	if e := c.Environment; e != "" {
		if len(e) > maxEnvLen {
			v.bad(p+".environment", "longer than %d characters (got %q)", maxEnvLen, e)
		}
		for i, r := range e {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				v.bad(p+".environment", "character %q at position %d is not allowed (one word: letters, digits, '-', '_'; e.g. production, staging, test, lab), got %q", r, i+1, e)
				break
			}
		}
	}
	if c.Color != "" && !slices.Contains(EnvColors, c.Color) {
		v.bad(p+".color", "expected one of %s, got %q", strings.Join(EnvColors, ", "), c.Color)
	}
	if c.Color != "" && c.Environment == "" {
		v.bad(p+".color", "colours the environment: give environment too")
	}
}
