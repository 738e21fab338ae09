package probes

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/remote"
)

func TestPcmkParseCIBResources(t *testing.T) {
	t.Parallel()
	cases := map[string]map[string]CIBResource{
		"cib-3node.xml": {
			"haproxy-clone":   {ID: "haproxy-clone", Kind: cluster.KindClone},
			"galera-clone":    {ID: "galera-clone", Kind: cluster.KindPromotable, PromotedMax: 1},
			"rabbitmq-bundle": {ID: "rabbitmq-bundle", Kind: cluster.KindBundle, Replicas: 3},
			"redis-bundle":    {ID: "redis-bundle", Kind: cluster.KindBundle, PromotedMax: 1, Replicas: 3},
		},
		// 1.1 spellings: <master>, master-max, docker masters=; meta of the
		// wrapped primitive must not leak into its bundle.
		"cib-resources-1.1.xml": {
			"galera-bundle":  {ID: "galera-bundle", Kind: cluster.KindBundle, PromotedMax: 3, Replicas: 3},
			"haproxy-bundle": {ID: "haproxy-bundle", Kind: cluster.KindBundle, Replicas: 3},
			"solo-bundle":    {ID: "solo-bundle", Kind: cluster.KindBundle, Replicas: 1},
			"redis-master":   {ID: "redis-master", Kind: cluster.KindPromotable, PromotedMax: 1},
			"defaults-ms":    {ID: "defaults-ms", Kind: cluster.KindPromotable, PromotedMax: 1},
			"galera-clone":   {ID: "galera-clone", Kind: cluster.KindPromotable, PromotedMax: 3},
		},
	}
	for file, want := range cases {
		got, err := ParseCIBResources(bytes.NewReader(pcmkTestdata(t, file)))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", file, got, want)
		}
	}
	for _, bad := range []string{"", "<resources><clone id='x'>"} {
		if _, err := ParseCIBResources(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseCIBResources(%q) accepted", bad)
		}
	}
}

func TestPcmkParseCIBConstraints(t *testing.T) {
	t.Parallel()
	got, err := ParseCIBConstraints(bytes.NewReader(pcmkTestdata(t, "cib-constraints-lifetime.xml")))
	if err != nil {
		t.Fatal(err)
	}
	want := []cluster.Constraint{
		{ID: "cli-ban-haproxy-clone-on-controller-2", Kind: "cli-ban", Resource: "haproxy-clone", Node: "controller-2", Role: "Started", Score: "-INFINITY"},
		{ID: "cli-prefer-cinder-volume", Kind: "cli-prefer", Resource: "cinder-volume", Node: "controller-0", Role: "Started", Score: "INFINITY", Expires: "2026-11-25 02:19:28Z"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	legacy := `<constraints><rsc_location id="cli-prefer-redis-master" rsc="redis-master" role="Master" node="c1" score="INFINITY"/>` +
		`<rsc_location id="loc-manual" rsc="x" node="c1" score="100"/></constraints>`
	got, err = ParseCIBConstraints(strings.NewReader(legacy))
	if err != nil || len(got) != 1 || got[0].Role != cluster.RolePromoted {
		t.Errorf("legacy role: %+v %v", got, err)
	}
}

// crm_mon names a --lifetime ban by its rule id; merging must not list it
// twice and must carry the expiry over.
func TestPcmkMergeConstraints(t *testing.T) {
	t.Parallel()
	st := &cluster.PacemakerStatus{Constraints: []cluster.Constraint{
		{ID: "cli-ban-vip-on-c1-rule", Kind: "cli-ban", Resource: "vip", Node: "c1", Score: "-1000000"},
	}}
	MergeConstraints(st, []cluster.Constraint{
		{ID: "cli-ban-vip-on-c1", Kind: "cli-ban", Resource: "vip", Node: "c1", Role: "Started", Score: "-INFINITY", Expires: "2026-01-01 00:00:00Z"},
		{ID: "cli-prefer-db", Kind: "cli-prefer", Resource: "db", Node: "c2", Role: "Started", Score: "INFINITY"},
	})
	if len(st.Constraints) != 2 {
		t.Fatalf("constraints %+v", st.Constraints)
	}
	if b := st.Constraints[0]; b.ID != "cli-ban-vip-on-c1" || b.Expires == "" || b.Score != "-1000000" {
		t.Errorf("merged ban %+v", b)
	}
}

func TestPcmkDeriveModeTable(t *testing.T) {
	t.Parallel()
	ins := func(roles ...string) []cluster.Instance {
		var out []cluster.Instance
		for i, r := range roles {
			out = append(out, cluster.Instance{Node: "n" + string(rune('0'+i)), Role: r})
		}
		return out
	}
	P, U, S := cluster.RolePromoted, cluster.RoleUnpromoted, cluster.RoleStarted
	AA, AP := cluster.ModeActiveActive, cluster.ModeActivePassive
	cases := []struct {
		name string
		r    cluster.Resource
		want string
	}{
		{"primitive", cluster.Resource{Kind: cluster.KindPrimitive, Instances: ins(S)}, AP},
		{"multiply active primitive is still A/P", cluster.Resource{Kind: cluster.KindPrimitive, Instances: ins(S, S)}, AP},
		{"group", cluster.Resource{Kind: cluster.KindGroup, Instances: ins(S)}, AP},
		{"clone", cluster.Resource{Kind: cluster.KindClone, Instances: ins(S, S, S)}, AA},
		{"clone with one instance", cluster.Resource{Kind: cluster.KindClone, Instances: ins(S)}, AA},
		{"promotable promoted-max 1", cluster.Resource{Kind: cluster.KindPromotable, PromotedMax: 1, Instances: ins(P, U, U)}, AP},
		{"promotable promoted-max 3", cluster.Resource{Kind: cluster.KindPromotable, PromotedMax: 3, Instances: ins(P, U, U)}, AA},
		{"promotable max 1 even if two show promoted", cluster.Resource{Kind: cluster.KindPromotable, PromotedMax: 1, Instances: ins(P, P)}, AP},
		{"promotable unknown, one promoted", cluster.Resource{Kind: cluster.KindPromotable, Instances: ins(P, U, U)}, AP},
		{"promotable unknown, three promoted", cluster.Resource{Kind: cluster.KindPromotable, Instances: ins(P, P, P)}, AA},
		{"promotable unknown, none promoted", cluster.Resource{Kind: cluster.KindPromotable, Instances: ins(U, U)}, AP},
		{"bundle promoted-max 1", cluster.Resource{Kind: cluster.KindBundle, PromotedMax: 1, Replicas: 3, Instances: ins(P, U, U)}, AP},
		{"bundle promoted-max 3", cluster.Resource{Kind: cluster.KindBundle, PromotedMax: 3, Replicas: 3, Instances: ins(P, P, U)}, AA},
		{"bundle no promotion, 3 replicas", cluster.Resource{Kind: cluster.KindBundle, Replicas: 3, Instances: ins(S, S, S)}, AA},
		{"bundle no promotion, 1 replica", cluster.Resource{Kind: cluster.KindBundle, Replicas: 1, Instances: ins(S)}, AP},
		{"bundle unknown max, roles say promotable", cluster.Resource{Kind: cluster.KindBundle, Replicas: 3, Instances: ins(P, U, U)}, AP},
	}
	for _, c := range cases {
		if got := DeriveMode(&c.r); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// The resources section is read on the first poll, cached, and read again
// only when a promotable or bundle appears that was not there before.
func TestPacemakerCIBResourcesCache(t *testing.T) {
	t.Parallel()
	mon := pcmkTestdata(t, "crm_mon-2.1-healthy.xml")
	cib := strings.Replace(string(pcmkTestdata(t, "cib-3node.xml")), `name="promoted-max" value="1"`, `name="promoted-max" value="2"`, 1)
	f := &fakePcmk{answer: func(ctx context.Context, ctl string, tool []string) ([]byte, []byte, error) {
		if tool[0] == "crm_mon" {
			return mon, nil, nil
		}
		if tool[len(tool)-1] == "constraints" {
			return pcmkTestdata(t, "cib-constraints-lifetime.xml"), nil, nil
		}
		return []byte(cib), nil, nil
	}}
	tg := pcmkTarget("cache", f, "controller-0")
	count := func() (n int) {
		for _, c := range f.callList() {
			if strings.HasSuffix(c, "--scope resources") {
				n++
			}
		}
		return n
	}
	r := DefaultProbers().Poll(context.Background(), tg)
	if !r.OK() {
		t.Fatal(r.Err)
	}
	g := pcmkResource(t, r.Pacemaker, "galera-clone")
	if g.PromotedMax != 2 || g.Mode != cluster.ModeActiveActive {
		t.Errorf("galera-clone from CIB: max %d mode %s", g.PromotedMax, g.Mode)
	}
	if rb := pcmkResource(t, r.Pacemaker, "redis-bundle"); rb.PromotedMax != 1 || rb.Mode != cluster.ModeActivePassive {
		t.Errorf("redis-bundle: %+v", rb)
	}
	var prefer *cluster.Constraint
	for i, c := range r.Pacemaker.Constraints {
		if c.Kind == "cli-prefer" {
			prefer = &r.Pacemaker.Constraints[i]
		}
	}
	if prefer == nil || prefer.Resource != "cinder-volume" || prefer.Expires == "" {
		t.Errorf("cli-prefer missing: %+v", r.Pacemaker.Constraints)
	}
	DefaultProbers().Poll(context.Background(), tg)
	if n := count(); n != 1 {
		t.Errorf("resources queried %d times in two polls; want 1", n)
	}
	mon = []byte(strings.Replace(string(mon), `<clone id="galera-clone"`, `<clone id="galera2-clone"`, 1))
	r = DefaultProbers().Poll(context.Background(), tg)
	if n := count(); n != 2 {
		t.Errorf("a new promotable did not refresh the CIB cache: %d queries", n)
	}
	if len(r.Pacemaker.Warnings) != 0 {
		t.Errorf("warnings: %v", r.Pacemaker.Warnings)
	}
}

// cibadmin failing leaves crm_mon's placement standing, with a warning.
func TestPacemakerCIBFailureIsWarning(t *testing.T) {
	t.Parallel()
	mon := pcmkTestdata(t, "crm_mon-2.1-healthy.xml")
	f := &fakePcmk{answer: func(ctx context.Context, ctl string, tool []string) ([]byte, []byte, error) {
		if tool[0] == "crm_mon" {
			return mon, nil, nil
		}
		return nil, nil, &remote.ExitError{Argv: []string{"ssh"}, Code: 1, Stderr: "Permission denied"}
	}}
	r := DefaultProbers().Poll(context.Background(), pcmkTarget("cibfail", f, "controller-0"))
	if !r.OK() {
		t.Fatal(r.Err)
	}
	w := strings.Join(r.Pacemaker.Warnings, "\n")
	if !strings.Contains(w, "cli-prefer constraints unknown: cibadmin: ssh exited 1: Permission denied") || !strings.Contains(w, "promoted-max unknown") {
		t.Errorf("warnings %q", w)
	}
	if g := pcmkResource(t, r.Pacemaker, "galera-clone"); g.Mode != cluster.ModeActivePassive || len(g.Instances) != 3 {
		t.Errorf("galera-clone %+v", g)
	}
}
