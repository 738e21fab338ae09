package probes

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/remote"
)

// Pacemaker's own fencing: which stonith device can fence which node comes
// from the device's parameters in the CIB's resources section, the levels
// from its fencing-topology section. Only the parameters that name targets
// are read: a device's login and password are never decoded into anything
// hacon keeps.

// targetParams are the only device parameters hacon reads.
var targetParams = map[string]bool{
	"pcmk_host_list": true, "pcmk_host_map": true, "pcmk_host_check": true,
	"port": true, "plug": true,
}

type xStonith struct {
	ID    string     `xml:"id,attr"`
	Class string     `xml:"class,attr"`
	Type  string     `xml:"type,attr"`
	Inst  []xMetaSet `xml:"instance_attributes"`
	Meta  []xMetaSet `xml:"meta_attributes"`
}

// ParseCIBStonith reads the stonith devices of a CIB resources section
// (or a whole CIB) with their targets.
func ParseCIBStonith(r io.Reader) ([]cluster.FenceDevice, error) {
	var out []cluster.FenceDevice
	err := eachCIBElement(r, "resources", func(d *xml.Decoder, se xml.StartElement) error {
		if se.Name.Local != "primitive" || !hasAttrValue(se, "class", "stonith") {
			return nil
		}
		var x xStonith
		if err := d.DecodeElement(&x, &se); err != nil {
			return fmt.Errorf("primitive: %w", err)
		}
		out = append(out, stonithDevice(&x))
		return nil
	})
	return out, err
}

func hasAttrValue(se xml.StartElement, name, value string) bool {
	for _, a := range se.Attr {
		if a.Name.Local == name && a.Value == value {
			return true
		}
	}
	return false
}

func stonithDevice(x *xStonith) cluster.FenceDevice {
	params := map[string]string{}
	for _, set := range x.Inst {
		for _, nv := range set.NV {
			if targetParams[nv.Name] {
				if _, dup := params[nv.Name]; !dup {
					params[nv.Name] = nv.Value
				}
			}
		}
	}
	d := cluster.FenceDevice{ID: x.ID, Agent: "stonith:" + x.Type}
	for _, set := range x.Meta {
		for _, nv := range set.NV {
			if nv.Name == "target-role" && strings.EqualFold(nv.Value, "stopped") {
				d.Disabled = true
			}
		}
	}
	d.Targets = splitHosts(params["pcmk_host_list"])
	for _, pair := range splitHosts(params["pcmk_host_map"]) {
		if i := strings.IndexAny(pair, ":="); i > 0 {
			d.Targets = append(d.Targets, pair[:i])
		}
	}
	d.HostCheck = strings.TrimSpace(params["pcmk_host_check"])
	if d.HostCheck == "" {
		// Pacemaker's default: a static list when one is given, otherwise
		// the device is asked (list or status) at fencing time.
		d.HostCheck = cluster.HostCheckStatic
		if len(d.Targets) == 0 {
			d.HostCheck = cluster.HostCheckDynamic
		}
	}
	if len(d.Targets) == 0 {
		// Without a list or map the device's own target parameter says
		// whom it was set up for (fence_xvm port=…); Pacemaker still asks it.
		d.Targets = splitHosts(firstNonEmpty(params["port"], params["plug"]))
	}
	return d
}

// splitHosts splits a Pacemaker host list: spaces, commas or semicolons.
func splitHosts(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == ';' || r == '\t' || r == '\n' })
}

type xLevel struct {
	Index   string `xml:"index,attr"`
	Target  string `xml:"target,attr"`
	Pattern string `xml:"target-pattern,attr"`
	Attr    string `xml:"target-attribute,attr"`
	Value   string `xml:"target-value,attr"`
	Devices string `xml:"devices,attr"`
}

// ParseCIBFencingLevels reads a fencing-topology section (or a whole CIB).
func ParseCIBFencingLevels(r io.Reader) ([]cluster.FenceLevel, error) {
	var out []cluster.FenceLevel
	err := eachCIBElement(r, "fencing-topology", func(d *xml.Decoder, se xml.StartElement) error {
		if se.Name.Local != "fencing-level" {
			return nil
		}
		var x xLevel
		if err := d.DecodeElement(&x, &se); err != nil {
			return fmt.Errorf("fencing-level: %w", err)
		}
		idx, _ := strconv.Atoi(x.Index)
		l := cluster.FenceLevel{Index: idx, Target: x.Target, Pattern: x.Pattern, Devices: strings.Split(x.Devices, ",")}
		if x.Attr != "" {
			l.Attr = x.Attr + "=" + x.Value
		}
		out = append(out, l)
		return nil
	})
	return out, err
}

// noSection reports cibadmin's answer for a section the CIB does not have
// (exit 105, "No such device or address"): no fencing levels at all.
func noSection(err error) bool {
	var ee *remote.ExitError
	if errors.As(err, &ee) && ee.Code == 105 {
		return true
	}
	return err != nil && strings.Contains(err.Error(), "No such device or address")
}

// ApplyFencing joins the CIB's devices with crm_mon's view of them
// (started where, failed) and sets st.Fencing.
func ApplyFencing(st *cluster.PacemakerStatus, devices []cluster.FenceDevice, levels []cluster.FenceLevel, levelsUnknown bool) {
	f := &cluster.FencingConfig{Levels: levels, LevelsUnknown: levelsUnknown}
	for _, d := range devices {
		d.Targets = append([]string(nil), d.Targets...)
		for _, r := range st.Resources {
			if r.ID != d.ID {
				continue
			}
			d.Known = true
			d.Disabled = d.Disabled || r.Disabled
			for _, in := range r.Instances {
				d.Failed = d.Failed || in.Failed
				if in.Node != "" && in.Role == cluster.RoleStarted && !in.Failed {
					d.Started, d.Node = true, in.Node
				}
			}
		}
		f.Devices = append(f.Devices, d)
	}
	st.Fencing = f
}
