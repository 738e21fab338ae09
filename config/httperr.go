package config

import (
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The http block is decoded by prometheus/common from a re-marshalled copy,
// so the decoder's "line N" counts from the start of the block. These put
// each error back on the line of the file where the offending key or value is.

var (
	yamlErrLineRe  = regexp.MustCompile(`line (\d+): (.*)`)
	unknownFieldRe = regexp.MustCompile(`field (\S+) not found`)
	badValueRe     = regexp.MustCompile("`([^`]*)`")
)

func (d *decoder) addHTTPErrors(n *yaml.Node, path string, err error) {
	added := false
	for _, line := range strings.Split(err.Error(), "\n") {
		m := yamlErrLineRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		rel, _ := strconv.Atoi(m[1])
		d.add(&yaml.Node{Line: httpErrorLine(n, m[2], rel)}, path, "invalid http client settings: %s", m[2])
		added = true
	}
	if !added {
		d.add(n, path, "invalid http client settings: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
}

// httpErrorLine finds the file line of an error inside the block: the key an
// "unknown field" names, or the value a type error quotes; else the block's
// first line plus the relative line, which is right for plain block YAML.
func httpErrorLine(block *yaml.Node, msg string, rel int) int {
	if m := unknownFieldRe.FindStringSubmatch(msg); m != nil {
		if k := findNode(block, m[1], true); k != nil {
			return k.Line
		}
	}
	if m := badValueRe.FindStringSubmatch(msg); m != nil {
		if v := findNode(block, m[1], false); v != nil {
			return v.Line
		}
	}
	if rel > 0 {
		return block.Line + rel - 1
	}
	return block.Line
}

// findNode is the first mapping key (key=true) or scalar value with this
// text in the subtree, in document order.
func findNode(n *yaml.Node, text string, key bool) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if key && n.Content[i].Value == text {
				return n.Content[i]
			}
			if found := findNode(n.Content[i+1], text, key); found != nil {
				return found
			}
		}
		return nil
	}
	if !key && n.Kind == yaml.ScalarNode && n.Value == text {
		return n
	}
	for _, c := range n.Content {
		if found := findNode(c, text, key); found != nil {
			return found
		}
	}
	return nil
}
