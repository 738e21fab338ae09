package actions

import (
	"strings"
	"testing"
)

// sampleWord is a valid word for an argument kind.
func sampleWord(k ArgKind) string {
	return map[ArgKind]string{
		ArgResource: "cinder-volume", ArgVIP: "public", ArgService: "keystone", ArgNode: "controller-1",
		ArgLifetime: "PT10M", ArgPower: "cycle", ArgOff: "off",
	}[k]
}

// What String prints, Parse reads back to the same request, for every
// verb with and without its optional arguments: the audit log's target
// and the palette's pre-fill are both String, so neither may lose a word
// (a move's lifetime once did).
func TestStringParsesBackForEveryVerb(t *testing.T) {
	for _, v := range Verbs() {
		for _, withOptional := range []bool{false, true} {
			words := []string{string(v.Kind)}
			for _, a := range v.Args {
				if !a.Optional || withOptional {
					words = append(words, sampleWord(a.Kind))
				}
			}
			r, err := Parse("oc", words)
			if err != nil {
				t.Fatalf("%q: %v", words, err)
			}
			if got := r.String(); got != strings.Join(words, " ") {
				t.Errorf("String of %q is %q", words, got)
			}
			back, err := Parse("oc", strings.Fields(r.String()))
			if err != nil || back != r {
				t.Errorf("Parse(String(%+v)) = %+v, %v", r, back, err)
			}
		}
	}
}

// The usage lines are a contract (external checks drive the palette).
func TestUsageContract(t *testing.T) {
	want := map[Kind]string{
		Move: "move RESOURCE NODE [LIFETIME]", MoveVIP: "vip VIPNAME NODE", Ban: "ban RESOURCE NODE",
		Clear: "clear RESOURCE", Cleanup: "cleanup RESOURCE", Standby: "standby NODE", Unstandby: "unstandby NODE",
		Drain: "drain SERVICE NODE", Maint: "maint SERVICE NODE", Ready: "ready SERVICE NODE",
		Fence: "fence NODE [off]", Power: "power NODE on|off|cycle",
	}
	vs := Verbs()
	if len(vs) != len(want) {
		t.Errorf("%d verbs, want %d", len(vs), len(want))
	}
	for _, v := range vs {
		if got := v.Usage(); got != want[v.Kind] {
			t.Errorf("%s usage %q, want %q", v.Kind, got, want[v.Kind])
		}
	}
}

// The table's rows must be complete and coherent: a row missing its plane
// or sources would plan nothing or verify against nothing.
func TestVerbTableRows(t *testing.T) {
	keys := map[string]Kind{}
	for _, v := range Verbs() {
		if v.Help == "" || v.Plane == "" || v.Target == "" || v.Reads == "" || len(v.Watches) == 0 {
			t.Errorf("%s: incomplete row %+v", v.Kind, v)
		}
		optional := false
		for _, a := range v.Args {
			if optional && !a.Optional {
				t.Errorf("%s: a required argument follows an optional one", v.Kind)
			}
			optional = optional || a.Optional
		}
		if v.KeyFills > v.required() {
			t.Errorf("%s: its key fills %d arguments of %d", v.Kind, v.KeyFills, v.required())
		}
		if v.Key != "" {
			if other, dup := keys[v.Key]; dup {
				t.Errorf("key %s is both %s and %s", v.Key, other, v.Kind)
			}
			keys[v.Key] = v.Kind
		}
	}
}

// Targets, dangerous requests and the sources read and watched, per verb.
func TestVerbTableDrivesRequests(t *testing.T) {
	cases := []struct {
		line, target string
		dangerous    bool
		reads        string
		watches      string
	}{
		{"move r n PT5M", "oc/resource/r", false, "pacemaker", "pacemaker"},
		{"vip public n", "oc/vip/public", false, "pacemaker", "pacemaker keepalived"},
		{"drain keystone n", "oc/server/keystone@n", false, "haproxy", "haproxy"},
		{"standby n", "oc/node/n", false, "pacemaker", "pacemaker"},
		{"fence n", "oc/node/n", true, "pacemaker", "pacemaker bmc keepalived"},
		{"power n on", "oc/node/n", false, "bmc", "pacemaker bmc keepalived"},
		{"power n off", "oc/node/n", true, "bmc", "pacemaker bmc keepalived"},
	}
	for _, c := range cases {
		r, err := Parse("oc", strings.Fields(c.line))
		if err != nil {
			t.Fatal(err)
		}
		var watches []string
		for _, k := range verifyKinds(r) {
			watches = append(watches, string(k))
		}
		v, _ := LookupVerb(string(r.Kind))
		if r.Target() != c.target || r.Dangerous() != c.dangerous || string(v.Reads) != c.reads || strings.Join(watches, " ") != c.watches {
			t.Errorf("%s: target %s dangerous %v reads %s watches %v", c.line, r.Target(), r.Dangerous(), v.Reads, watches)
		}
	}
}
