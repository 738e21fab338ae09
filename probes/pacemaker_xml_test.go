package probes

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

func TestPcmkXMLScanner(t *testing.T) {
	t.Parallel()
	doc := "\ufeff<?xml version=\"1.0\"?>\n<!-- made by hand -->\n<!DOCTYPE r>\n" +
		`<r a="1" b='two' c = "&lt;&amp;&gt;&quot;&apos;&#65;&#x42;"><k/><k x="y"><![CDATA[<raw>]]></k>` +
		"\n  <e>  text &amp; more </e></r>\n<!-- trailer -->\n"
	root, err := parseXMLTree(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%s a=%s b=%s c=%s kids=%d k2.x=%s k2.text=%s e.text=%q",
		root.name, root.attr("a"), root.attr("b"), root.attr("c"), len(root.kids),
		root.kids[1].attr("x"), root.kids[1].text, root.child("e").text)
	want := `r a=1 b=two c=<&>"'AB kids=3 k2.x=y k2.text=<raw> e.text="  text & more "`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if root.hasAttr("z") || !root.hasAttr("a") || root.attr("z") != "" {
		t.Error("hasAttr/attr of a missing attribute")
	}
}

func TestPcmkXMLScannerRejects(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":                             "unexpected end",
		"<a>":                          "<a> not closed",
		"<a></b>":                      "unexpected end tag </b>",
		"<a/><b/>":                     "second root",
		"junk<a/>":                     "text outside",
		"<a x=1/>":                     "not quoted",
		"<a x/>":                       "has no value",
		`<a x="<"/>`:                   "'<' in attribute",
		`<a x="&bogus;"/>`:             "unknown entity",
		`<a x="&#xD800;"/>`:            "bad character reference",
		`<a x="&amp"/>`:                "unterminated entity",
		"<a><!-- open</a>":             "unexpected end",
		"<>":                           "no name",
		"<a/ >":                        "bad '/'",
		"<a>" + "<b>"[:2]:              "unexpected end",
		strings.Repeat("<a>", 100):     "nested too deeply",
		"<a>\n\n<b x='1'></c></a>":     "line 3",
		"<a><![CDATA[never closed</a>": "bad CDATA",
	}
	for in, want := range cases {
		_, err := parseXMLTree(context.Background(), in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseXMLTree(%.30q) = %v; want %q", in, err, want)
		}
	}
}

// sameTree compares the scanner's tree with encoding/xml's reading of the
// same document (the DOM of the corpus test): names, attributes, nesting.
func sameTree(a *xel, b *dom) string {
	if a.name != b.name || len(a.attrs) != len(b.attrs) || len(a.kids) != len(b.kids) {
		return fmt.Sprintf("<%s> %d attrs %d kids vs <%s> %d attrs %d kids", a.name, len(a.attrs), len(a.kids), b.name, len(b.attrs), len(b.kids))
	}
	for _, at := range a.attrs {
		if v, ok := b.attrs[at.name]; !ok || v != at.value {
			return fmt.Sprintf("<%s %s=%q> vs %q", a.name, at.name, at.value, v)
		}
	}
	for i := range a.kids {
		if d := sameTree(a.kids[i], b.kids[i]); d != "" {
			return d
		}
	}
	return ""
}

func TestPcmkXMLScannerMatchesEncodingXML(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"crm_mon-2.1-healthy.xml", "crm_mon-2.1-faults.xml", "crm_mon-1.1.xml", "crm_mon-2.0.xml", "cib-3node.xml"} {
		b := pcmkTestdata(t, name)
		mine, err := parseXMLTree(context.Background(), string(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ref, err := parseDOM(b)
		if err != nil {
			t.Fatalf("%s: encoding/xml: %v", name, err)
		}
		if d := sameTree(mine, ref); d != "" {
			t.Errorf("%s: %s", name, d)
		}
	}
}

// Issue 11 #9: text cut into pieces by comments parsed in quadratic time
// (2 MB took 4.5 s). Count the work instead of timing it: the parse of a
// 2 MB fragmented text must take at most a small multiple of a 256 KB one.
func TestCommentFragmentedTextParsesInLinearTime(t *testing.T) {
	doc := func(pieces int) string {
		return "<crm_mon><summary>" + strings.Repeat("a<!--x-->", pieces) + "</summary></crm_mon>"
	}
	allocs := func(pieces int) float64 {
		src := doc(pieces)
		return testing.AllocsPerRun(1, func() {
			if _, err := parseXMLTree(context.Background(), src); err != nil {
				t.Fatal(err)
			}
		})
	}
	// Quadratic concatenation allocated once per piece, each a copy of
	// everything so far; the builder allocates O(log n) times.
	small, big := allocs(256<<10/9), allocs(2<<20/9)
	if big > 4*small+64 {
		t.Errorf("allocations grew from %.0f to %.0f for 8x the input: not linear", small, big)
	}
	root, err := parseXMLTree(context.Background(), doc(1000))
	if err != nil || len(root.child("summary").text) != 1000 {
		t.Errorf("text of 1000 pieces: %v, %d bytes", err, len(root.child("summary").text))
	}
}

func TestParsingStopsWhenTheSourceTimesOut(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := parseXMLTree(ctx, "<crm_mon>"+strings.Repeat("<x/>", 10000)+"</crm_mon>")
	if err == nil || !strings.Contains(err.Error(), "longer than the source's timeout") {
		t.Errorf("parse under an ended context = %v", err)
	}
}
