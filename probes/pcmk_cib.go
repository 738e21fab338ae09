package probes

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hacon/hacon/cluster"
)

// crm_mon does not say how many instances of a promotable clone or bundle
// may be promoted, nor does it list cli-prefer constraints; both come from
// the CIB (`cibadmin --query --scope resources|constraints`). The parsers
// here accept either that scoped output or a whole <cib>.

// CIBResource is what the CIB's resources section says about a clone,
// promotable clone or bundle.
type CIBResource struct {
	ID   string
	Kind string // cluster.KindClone, KindPromotable or KindBundle
	// PromotedMax is promoted-max (legacy master-max/masters): for a
	// promotable clone Pacemaker's default 1 when unset; 0 for a bundle or
	// clone without promotion.
	PromotedMax int
	Replicas    int // bundle replicas (default: promoted-max, else 1)
}

type xCIBRsc struct {
	ID     string      `xml:"id,attr"`
	Meta   []xMetaSet  `xml:"meta_attributes"`
	Docker *xContainer `xml:"docker"`
	Podman *xContainer `xml:"podman"`
	Rkt    *xContainer `xml:"rkt"`
}

type xMetaSet struct {
	NV []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	} `xml:"nvpair"`
}

type xContainer struct {
	Replicas    string `xml:"replicas,attr"`
	PromotedMax string `xml:"promoted-max,attr"`
	Masters     string `xml:"masters,attr"` // Pacemaker 1.1 name of promoted-max
}

// meta returns the first value of any of names in the element's own
// meta_attributes (rules on the sets are not evaluated: hacon only needs
// the configured figure).
func (x *xCIBRsc) meta(names ...string) string {
	for _, set := range x.Meta {
		for _, nv := range set.NV {
			for _, n := range names {
				if nv.Name == n {
					return nv.Value
				}
			}
		}
	}
	return ""
}

// ParseCIBResources reads every clone, master and bundle of a CIB
// resources section, keyed by id.
func ParseCIBResources(r io.Reader) (map[string]CIBResource, error) {
	out := map[string]CIBResource{}
	err := eachCIBElement(r, "resources", func(d *xml.Decoder, se xml.StartElement) error {
		kind := se.Name.Local
		if kind != "clone" && kind != "master" && kind != "bundle" {
			return nil
		}
		var x xCIBRsc
		if err := d.DecodeElement(&x, &se); err != nil {
			return fmt.Errorf("%s: %w", kind, err)
		}
		out[x.ID] = cibResource(kind, &x)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachCIBElement walks a cibadmin --query answer, handing fn every start
// element; fn may consume the element with DecodeElement. Errors name the
// section; an answer without a single element is an error too.
func eachCIBElement(r io.Reader, section string, fn func(*xml.Decoder, xml.StartElement) error) error {
	d := xml.NewDecoder(io.LimitReader(r, maxCrmMonBytes))
	sawRoot := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("cibadmin %s XML: %w", section, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		sawRoot = true
		if err := fn(d, se); err != nil {
			return fmt.Errorf("cibadmin %s XML: %w", section, err)
		}
	}
	if !sawRoot {
		return fmt.Errorf("cibadmin %s XML: empty output", section)
	}
	return nil
}

func cibResource(kind string, x *xCIBRsc) CIBResource {
	c := CIBResource{ID: x.ID, Kind: cluster.KindClone}
	switch kind {
	case "master":
		c.Kind = cluster.KindPromotable
	case "clone":
		if isTrue(x.meta("promotable")) {
			c.Kind = cluster.KindPromotable
		}
	case "bundle":
		c.Kind = cluster.KindBundle
		ct := x.Docker
		if ct == nil {
			ct = x.Podman
		}
		if ct == nil {
			ct = x.Rkt
		}
		if ct != nil {
			c.PromotedMax = atoiOr(firstNonEmpty(ct.PromotedMax, ct.Masters), 0)
			c.Replicas = atoiOr(ct.Replicas, 0)
		}
		if c.PromotedMax == 0 {
			c.PromotedMax = atoiOr(x.meta("promoted-max", "master-max"), 0)
		}
		if c.Replicas <= 0 {
			c.Replicas = max(c.PromotedMax, 1)
		}
		return c
	}
	if c.Kind == cluster.KindPromotable {
		c.PromotedMax = atoiOr(x.meta("promoted-max", "master-max"), 1)
	}
	return c
}

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return def
	}
	return n
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// ApplyCIBResources copies promoted-max and replicas from the CIB onto
// crm_mon's resources and derives their modes again.
func ApplyCIBResources(st *cluster.PacemakerStatus, cib map[string]CIBResource) {
	for i := range st.Resources {
		r := &st.Resources[i]
		c, ok := cib[r.ID]
		if !ok {
			continue
		}
		switch r.Kind {
		case cluster.KindPromotable, cluster.KindBundle:
			r.PromotedMax = c.PromotedMax
		}
		if r.Kind == cluster.KindBundle && c.Replicas > 0 {
			r.Replicas = c.Replicas
		}
		r.Mode = DeriveMode(r)
	}
}

type xLocation struct {
	ID    string `xml:"id,attr"`
	Rsc   string `xml:"rsc,attr"`
	Node  string `xml:"node,attr"`
	Role  string `xml:"role,attr"`
	Score string `xml:"score,attr"`
	Rules []struct {
		Score string `xml:"score,attr"`
		Role  string `xml:"role,attr"`
		Exprs []struct {
			Attribute string `xml:"attribute,attr"`
			Operation string `xml:"operation,attr"`
			Value     string `xml:"value,attr"`
		} `xml:"expression"`
		Dates []struct {
			Operation string `xml:"operation,attr"`
			End       string `xml:"end,attr"`
		} `xml:"date_expression"`
	} `xml:"rule"`
}

// ParseCIBConstraints returns the location constraints crm_resource leaves
// behind: cli-prefer-* from --move and cli-ban-* from --ban. With
// --lifetime they are rules on #uname plus a date_expression, whose end is
// recorded as Expires.
func ParseCIBConstraints(r io.Reader) ([]cluster.Constraint, error) {
	var out []cluster.Constraint
	err := eachCIBElement(r, "constraints", func(d *xml.Decoder, se xml.StartElement) error {
		if se.Name.Local != "rsc_location" {
			return nil
		}
		var x xLocation
		if err := d.DecodeElement(&x, &se); err != nil {
			return fmt.Errorf("rsc_location: %w", err)
		}
		if c, ok := cliConstraint(&x); ok {
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// cliConstraint reads a cli-prefer-*/cli-ban-* location; ok is false for
// any other location constraint.
func cliConstraint(x *xLocation) (cluster.Constraint, bool) {
	kind := ""
	switch {
	case strings.HasPrefix(x.ID, "cli-prefer-"):
		kind = "cli-prefer"
	case strings.HasPrefix(x.ID, "cli-ban-"):
		kind = "cli-ban"
	default:
		return cluster.Constraint{}, false
	}
	c := cluster.Constraint{ID: x.ID, Kind: kind, Resource: x.Rsc, Node: x.Node, Role: targetRole(x.Role), Score: x.Score}
	for _, rule := range x.Rules {
		if c.Score == "" {
			c.Score = rule.Score
		}
		if c.Role == "" {
			c.Role = targetRole(rule.Role)
		}
		for _, e := range rule.Exprs {
			if e.Attribute == "#uname" && e.Operation == "eq" && c.Node == "" {
				c.Node = e.Value
			}
		}
		for _, de := range rule.Dates {
			if de.Operation == "lt" && de.End != "" {
				c.Expires = de.End
			}
		}
	}
	return c, true
}

// MergeConstraints adds the CIB's CLI constraints to crm_mon's bans. A ban
// crm_mon already lists (it names a lifetime ban by its rule id) gains the
// constraint id and expiry rather than appearing twice.
func MergeConstraints(st *cluster.PacemakerStatus, cib []cluster.Constraint) {
	for _, c := range cib {
		merged := false
		if c.Kind == "cli-ban" {
			for i := range st.Constraints {
				b := &st.Constraints[i]
				if b.Resource == c.Resource && b.Node == c.Node && strings.HasPrefix(b.ID, c.ID) {
					b.ID, b.Kind, b.Expires = c.ID, c.Kind, c.Expires
					if b.Role == "" {
						b.Role = c.Role
					}
					merged = true
					break
				}
			}
		}
		if !merged {
			st.Constraints = append(st.Constraints, c)
		}
	}
}
