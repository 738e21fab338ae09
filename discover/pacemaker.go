package discover

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// What discover learns from Pacemaker: crm_mon's XML says which nodes are
// cluster members; the CIB (cibadmin --query) says what is configured —
// resources, IPaddr2 VIPs and their addresses, stonith devices and the BMC
// parameters they carry. A device's password (passwd, password and their
// _script forms) is compared with the other devices' in memory, to know
// whether one variable is enough, and never kept.

// maxXMLBytes bounds crm_mon's and cibadmin's answers.
const maxXMLBytes = 64 << 20

// Pacemaker is the cluster as Pacemaker configures it.
type Pacemaker struct {
	ClusterName string // crm_config's cluster-name, if set
	Nodes       []PcmkNode
	Resources   []Resource // top-level resources other than VIPs, stonith and remote connections
	VIPs        []PcmkVIP
	Fencing     []FenceDevice
	Skipped     []Note // resources and nodes left out, with why
}

// PcmkNode is a cluster member (not a remote or guest node).
type PcmkNode struct {
	Name   string
	Online bool
}

// Resource is a top-level resource.
type Resource struct {
	ID    string
	Kind  string // primitive, group, clone, promotable, bundle
	Agent string // class:provider:type of its (first) primitive, if any
}

// PcmkVIP is an IPaddr2 (or IPaddr/IPv6addr) resource.
type PcmkVIP struct {
	Resource string
	Address  string
}

// FenceDevice is a stonith device with the parameters a BMC needs.
type FenceDevice struct {
	ID          string
	Agent       string // fence_ipmilan, fence_redfish, …
	Targets     []string
	Address     string // ip / ipaddr
	Port        int    // ipport
	Username    string // username / login
	Lanplus     *bool
	Cipher      string
	SSLInsecure bool
	// PasswordGroup numbers the distinct passwords (or password scripts)
	// among the devices, from 1; 0 when the device has none. Equal numbers
	// mean equal secrets: the only thing known about them here.
	PasswordGroup int
}

// Note is something discover left out or could not map, and why.
type Note struct {
	What string
	Why  string
}

// xElem is a generic XML element: the CIB's configuration is small and its
// shape recursive (groups in clones, primitives in bundles).
type xElem struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []xElem    `xml:",any"`
}

func (e *xElem) attr(name string) string {
	for _, a := range e.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (e *xElem) child(name string) *xElem {
	for i := range e.Children {
		if e.Children[i].XMLName.Local == name {
			return &e.Children[i]
		}
	}
	return nil
}

// params returns the first value of every nvpair in the element's sets of
// the given kind (instance_attributes or meta_attributes).
func (e *xElem) params(set string) map[string]string {
	out := map[string]string{}
	for _, s := range e.Children {
		if s.XMLName.Local != set {
			continue
		}
		for _, nv := range s.Children {
			if nv.XMLName.Local != "nvpair" {
				continue
			}
			if _, dup := out[nv.attr("name")]; !dup {
				out[nv.attr("name")] = nv.attr("value")
			}
		}
	}
	return out
}

// decodeElement finds the first element named name and decodes it.
func decodeElement(data []byte, name string) (*xElem, error) {
	if len(data) > maxXMLBytes {
		return nil, fmt.Errorf("larger than %d MiB", maxXMLBytes>>20)
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("no <%s> element", name)
		}
		if err != nil {
			return nil, fmt.Errorf("not XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == name {
			var e xElem
			if err := d.DecodeElement(&e, &se); err != nil {
				return nil, fmt.Errorf("<%s>: %v", name, err)
			}
			return &e, nil
		}
	}
}

// ParseCrmMonNodes reads the cluster members from crm_mon's XML (the 2.x
// --output-as=xml form or the legacy --as-xml one).
func ParseCrmMonNodes(data []byte) ([]PcmkNode, []Note, error) {
	nodes, err := decodeElement(data, "nodes")
	if err != nil {
		return nil, nil, fmt.Errorf("crm_mon XML: %w", err)
	}
	var out []PcmkNode
	var notes []Note
	for i := range nodes.Children {
		n := &nodes.Children[i]
		if n.XMLName.Local != "node" {
			continue
		}
		switch t := n.attr("type"); t {
		case "member", "":
			out = append(out, PcmkNode{Name: n.attr("name"), Online: n.attr("online") == "true"})
		default:
			notes = append(notes, Note{What: "node " + n.attr("name"), Why: "a Pacemaker " + t + " node, not a controller"})
		}
	}
	return out, notes, nil
}

// ParseCIB reads a CIB (cibadmin --query): its cluster name, resources,
// VIPs and stonith devices.
func ParseCIB(data []byte) (*Pacemaker, error) {
	conf, err := decodeElement(data, "configuration")
	if err != nil {
		return nil, fmt.Errorf("CIB: %w", err)
	}
	pm := &Pacemaker{}
	if cc := conf.child("crm_config"); cc != nil {
		pm.ClusterName = cc.params("cluster_property_set")["cluster-name"]
	}
	if rs := conf.child("resources"); rs != nil {
		secrets := map[string]int{}
		for i := range rs.Children {
			pm.addTop(&rs.Children[i], secrets)
		}
	}
	return pm, nil
}

func (pm *Pacemaker) addTop(e *xElem, secrets map[string]int) {
	id := e.attr("id")
	switch e.XMLName.Local {
	case "primitive":
		switch {
		case e.attr("class") == "stonith":
			pm.Fencing = append(pm.Fencing, fenceDevice(e, secrets))
		case vipAddress(e) != "":
			pm.VIPs = append(pm.VIPs, PcmkVIP{Resource: id, Address: vipAddress(e)})
		case agentOf(e) == "ocf:pacemaker:remote":
			pm.Skipped = append(pm.Skipped, Note{What: "resource " + id, Why: "the connection of a Pacemaker Remote node, not a service"})
		default:
			pm.Resources = append(pm.Resources, Resource{ID: id, Kind: "primitive", Agent: agentOf(e)})
		}
	case "group":
		pm.addGroup(e)
	case "clone", "master":
		kind := "clone"
		if e.XMLName.Local == "master" || isTrue(e.params("meta_attributes")["promotable"]) {
			kind = "promotable"
		}
		pm.Resources = append(pm.Resources, Resource{ID: id, Kind: kind, Agent: firstAgent(e)})
	case "bundle":
		pm.Resources = append(pm.Resources, Resource{ID: id, Kind: "bundle", Agent: firstAgent(e)})
	case "template":
		// rsc templates configure nothing by themselves
	default:
		pm.Skipped = append(pm.Skipped, Note{What: "<" + e.XMLName.Local + "> " + id, Why: "not a resource kind discover knows"})
	}
}

// addGroup takes a group's VIPs as VIPs; the group is a service unless
// VIPs are all it holds.
func (pm *Pacemaker) addGroup(e *xElem) {
	others := 0
	for i := range e.Children {
		m := &e.Children[i]
		if m.XMLName.Local != "primitive" {
			continue
		}
		if a := vipAddress(m); a != "" {
			pm.VIPs = append(pm.VIPs, PcmkVIP{Resource: m.attr("id"), Address: a})
		} else {
			others++
		}
	}
	if others > 0 {
		pm.Resources = append(pm.Resources, Resource{ID: e.attr("id"), Kind: "group", Agent: firstAgent(e)})
	}
}

func agentOf(e *xElem) string {
	parts := []string{e.attr("class")}
	if p := e.attr("provider"); p != "" {
		parts = append(parts, p)
	}
	return strings.Join(append(parts, e.attr("type")), ":")
}

func firstAgent(e *xElem) string {
	for i := range e.Children {
		c := &e.Children[i]
		switch c.XMLName.Local {
		case "primitive":
			return agentOf(c)
		case "group":
			return firstAgent(c)
		}
	}
	return ""
}

// vipAddress is the address of an IP address resource, "" for any other.
func vipAddress(e *xElem) string {
	p := e.params("instance_attributes")
	switch e.attr("type") {
	case "IPaddr2", "IPaddr":
		return p["ip"]
	case "IPv6addr":
		return p["ipv6addr"]
	}
	return ""
}

func isTrue(s string) bool {
	switch strings.ToLower(s) {
	case "true", "yes", "on", "1", "y":
		return true
	}
	return false
}

// secretParams are the parameters that hold a device's password (or a
// command printing it). They are compared, never kept.
var secretParams = []string{"passwd", "password", "passwd_script", "password_script"}

func fenceDevice(e *xElem, secrets map[string]int) FenceDevice {
	p := e.params("instance_attributes")
	d := FenceDevice{ID: e.attr("id"), Agent: e.attr("type")}
	d.Targets = splitHosts(p["pcmk_host_list"])
	for _, pair := range splitHosts(p["pcmk_host_map"]) {
		if i := strings.IndexAny(pair, ":="); i > 0 {
			d.Targets = append(d.Targets, pair[:i])
		}
	}
	d.Address = first(p["ip"], p["ipaddr"])
	if n, err := strconv.Atoi(first(p["ipport"], p["port_as_ip"])); err == nil {
		d.Port = n
	}
	d.Username = first(p["username"], p["login"])
	if v, ok := p["lanplus"]; ok {
		b := isTrue(v)
		d.Lanplus = &b
	}
	d.Cipher = p["cipher"]
	d.SSLInsecure = isTrue(p["ssl_insecure"])
	for _, k := range secretParams {
		if v := p[k]; v != "" {
			kind := "plain"
			if strings.HasSuffix(k, "_script") {
				kind = "script"
			}
			key := kind + "\x00" + v
			if _, ok := secrets[key]; !ok {
				secrets[key] = len(secrets) + 1
			}
			d.PasswordGroup = secrets[key]
			break
		}
	}
	return d
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// splitHosts splits a Pacemaker host list: spaces, commas or semicolons.
func splitHosts(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == ';' || r == '\t' || r == '\n' })
}
