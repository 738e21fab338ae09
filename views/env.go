package views

import "strings"

// Env is a cluster's environment cue: its word (production, staging…)
// and the colour to show it in ("" for none). The zero Env shows nothing.
type Env struct {
	Word  string
	Color string // red, yellow, green, blue, magenta, cyan, white
}

// Badge is the environment as a badge: the word in capitals, in its
// colour; with NO_COLOR the word alone still says it.
func (e Env) Badge() Line {
	if e.Word == "" {
		return nil
	}
	return Line{S(envClass(e.Color), " "+strings.ToUpper(e.Word)+" ")}
}

func envClass(color string) Class {
	switch color {
	case "red":
		return EnvRed
	case "yellow":
		return EnvYellow
	case "green":
		return EnvGreen
	case "blue":
		return EnvBlue
	case "magenta":
		return EnvMagenta
	case "cyan":
		return EnvCyan
	case "white":
		return EnvWhite
	}
	return EnvPlain
}
