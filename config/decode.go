package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	promconfig "github.com/prometheus/common/config"
	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong with a config file.
type Problem struct {
	File string
	Line int
	Path string // key path, e.g. clusters[0].controllers[1].bmc.port
	Msg  string
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	if p.Path == "" {
		return loc + ": " + p.Msg
	}
	return loc + ": " + p.Path + ": " + p.Msg
}

// Problems is every problem found; it is the error Load returns.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// decoder walks a yaml.Node tree into Go values by reflection, so that every
// problem carries its line and key path and none stops the others.
type decoder struct {
	file     string
	problems Problems
	dropped  int            // problems past maxProblems, counted not kept
	lines    map[string]int // key path → line, for checks made after decoding

	aliasDepth   int // > 0 while decoding a subtree reached through an alias
	aliasVisits  int // nodes decoded through aliases, bounded by maxAliasVisits
	aliasRefused bool
}

// maxProblems is how many problems are listed; a file that is wrong
// everywhere (or multiplied by aliases) says how many more there were.
const maxProblems = 100

// maxAliasVisits bounds the nodes decoded through YAML aliases: a few KB of
// nested aliases would otherwise expand to millions of values.
const maxAliasVisits = 100_000

func (d *decoder) add(n *yaml.Node, path, format string, args ...any) {
	if len(d.problems) >= maxProblems {
		d.dropped++
		return
	}
	line := 0
	if n != nil {
		line = n.Line
	}
	d.problems = append(d.problems, Problem{File: d.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// result is every problem kept, plus one line counting those left out.
func (d *decoder) result() Problems {
	if d.dropped == 0 {
		return d.problems
	}
	return append(d.problems, Problem{File: d.file,
		Msg: fmt.Sprintf("… and %d more problem(s) not listed (only the first %d are)", d.dropped, maxProblems)})
}

// followAlias reports whether decoding may go on into an alias's target.
func (d *decoder) followAlias(n *yaml.Node, path string) bool {
	if d.aliasVisits >= maxAliasVisits {
		if !d.aliasRefused {
			d.aliasRefused = true
			d.add(n, path, "YAML aliases expand to more than %d values; refusing to expand them further", maxAliasVisits)
		}
		return false
	}
	return true
}

var (
	durationType = reflect.TypeOf(time.Duration(0))
	httpCfgType  = reflect.TypeOf(promconfig.HTTPClientConfig{})
)

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode {
		if !d.followAlias(n, path) {
			return
		}
		d.aliasDepth++
		defer func() { d.aliasDepth-- }()
		n = n.Alias
	}
	if d.aliasDepth > 0 {
		d.aliasVisits++
		if !d.followAlias(n, path) {
			return
		}
	}
	if d.lines != nil {
		d.lines[path] = n.Line
	}
	if n.Tag == "!!null" {
		return // an explicit null leaves the default
	}
	switch {
	case v.Type() == durationType:
		d.decodeDuration(n, v, path)
		return
	case v.Type() == httpCfgType:
		d.decodeHTTP(n, v, path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.add(n, path, "expected a string, got %s", kindWord(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Int:
		i, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || err != nil {
			d.add(n, path, "expected an integer, got %s", describe(n))
			return
		}
		v.SetInt(int64(i))
	case reflect.Bool:
		b, ok := parseBool(n)
		if !ok {
			d.add(n, path, "expected true or false, got %s", describe(n))
			return
		}
		v.SetBool(b)
	default:
		d.add(n, path, "unsupported field type %s", v.Type())
	}
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.add(n, path, "expected a mapping, got %s", kindWord(n))
		return
	}
	fields := map[string]int{}
	var names []string
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		fields[tag] = i
		names = append(names, tag)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		sub := join(path, k.Value)
		idx, ok := fields[k.Value]
		if !ok {
			d.add(k, sub, "unknown key (expected one of: %s)", strings.Join(names, ", "))
			continue
		}
		if seen[k.Value] {
			d.add(k, sub, "key given twice")
			continue
		}
		seen[k.Value] = true
		d.decode(val, v.Field(idx), sub)
	}
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.add(n, path, "expected a list, got %s", kindWord(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

func (d *decoder) decodeDuration(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.ScalarNode {
		d.add(n, path, "expected a duration like 2s or 1500ms, got %s", kindWord(n))
		return
	}
	dur, err := time.ParseDuration(n.Value)
	if err != nil || dur <= 0 {
		d.add(n, path, "expected a positive duration like 2s or 1500ms, got %q", n.Value)
		return
	}
	v.SetInt(int64(dur))
}

// decodeHTTP hands the subtree to prometheus/common's own YAML decoding, so
// its TLS, auth and proxy keys keep their documented names.
func (d *decoder) decodeHTTP(n *yaml.Node, v reflect.Value, path string) {
	raw, err := yaml.Marshal(n)
	if err != nil {
		d.add(n, path, "cannot re-read: %v", err)
		return
	}
	var cfg promconfig.HTTPClientConfig
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		d.addHTTPErrors(n, path, err)
		return
	}
	if cfg.BasicAuth != nil && cfg.BasicAuth.Password != "" {
		d.add(n, path+".basic_auth.password", "a password may not be given inline; use password_file")
	}
	if cfg.Authorization != nil && cfg.Authorization.Credentials != "" {
		d.add(n, path+".authorization.credentials", "credentials may not be given inline; use credentials_file")
	}
	if cfg.BearerToken != "" {
		d.add(n, path+".bearer_token", "a token may not be given inline; use bearer_token_file")
	}
	if cfg.OAuth2 != nil && cfg.OAuth2.ClientSecret != "" {
		d.add(n, path+".oauth2.client_secret", "a secret may not be given inline; use client_secret_file")
	}
	for name, h := range headersOf(cfg) {
		if len(h.Secrets) > 0 {
			d.add(n, path+".http_headers."+name+".secrets", "secrets may not be given inline; use files")
		}
	}
	files := map[string]string{}
	if cfg.BasicAuth != nil {
		files["basic_auth.password_file"] = cfg.BasicAuth.PasswordFile
	}
	if cfg.Authorization != nil {
		files["authorization.credentials_file"] = cfg.Authorization.CredentialsFile
	}
	files["bearer_token_file"] = cfg.BearerTokenFile
	if cfg.OAuth2 != nil {
		files["oauth2.client_secret_file"] = cfg.OAuth2.ClientSecretFile
	}
	for key, f := range files {
		if f != "" {
			if msg := secretFileProblem(f); msg != "" {
				d.add(n, path+"."+key, "%s", msg)
			}
		}
	}
	if err := cfg.Validate(); err != nil {
		d.add(n, path, "%v", err)
	}
	v.Set(reflect.ValueOf(cfg))
}

func parseBool(n *yaml.Node) (bool, bool) {
	if n.Kind != yaml.ScalarNode {
		return false, false
	}
	switch strings.ToLower(n.Value) {
	case "true", "yes", "on":
		return true, true
	case "false", "no", "off":
		return false, true
	}
	return false, false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindWord(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	default:
		return describe(n)
	}
}

func describe(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return strconv.Quote(n.Value)
	}
	return kindWord(n)
}

func headersOf(cfg promconfig.HTTPClientConfig) map[string]promconfig.Header {
	if cfg.HTTPHeaders == nil {
		return nil
	}
	return cfg.HTTPHeaders.Headers
}
