package probes

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"strings"
	"time"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

// Bounds on what a keepalived dump or an address list may hold: more is
// not a control plane but a peer trying to exhaust us.
const (
	maxIPAddrBytes     = 4 << 20
	maxKeepalivedBytes = 4 << 20
	maxInterfaces      = 4096
	maxAddrsPerIf      = 1024
	maxVRRPInstances   = 255 // one per VRID
	maxVIPsPerInstance = 256
	maxTrackScripts    = 64
)

// ipLink is one interface of `ip -j addr`.
type ipLink struct {
	IfName   string `json:"ifname"`
	AddrInfo []struct {
		Family    string `json:"family"`
		Local     string `json:"local"`
		PrefixLen int    `json:"prefixlen"`
	} `json:"addr_info"`
}

// ParseIPAddr reads `ip -j addr` into a flat list of addresses. An entry
// that is not an IP address is skipped: only addresses are compared with a
// VIP, and none of them reaches a command line.
func ParseIPAddr(r io.Reader) ([]cluster.IfAddr, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxIPAddrBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxIPAddrBytes {
		return nil, fmt.Errorf("ip -j addr printed more than %d bytes", maxIPAddrBytes)
	}
	var links []ipLink
	if err := json.Unmarshal(data, &links); err != nil {
		return nil, fmt.Errorf("ip -j addr: not the JSON list ip prints: %v", err)
	}
	if len(links) > maxInterfaces {
		return nil, fmt.Errorf("ip -j addr lists %d interfaces (more than %d)", len(links), maxInterfaces)
	}
	var out []cluster.IfAddr
	for _, l := range links {
		for i, a := range l.AddrInfo {
			if i >= maxAddrsPerIf {
				break
			}
			ip := net.ParseIP(a.Local)
			if ip == nil || a.PrefixLen < 0 || a.PrefixLen > 128 {
				continue
			}
			out = append(out, cluster.IfAddr{Interface: cluster.CleanText(l.IfName), Address: ip.String(), PrefixLen: a.PrefixLen})
		}
	}
	return out, nil
}

// kaDump is one element of keepalived's JSON dump (keepalived 2.2:
// vrrp_json.c), only the keys hacon reads.
type kaDump struct {
	Data struct {
		IName          string   `json:"iname"`
		IfName         string   `json:"ifp_ifname"`
		VRID           int      `json:"vrid"`
		State          int      `json:"state"`
		WantState      int      `json:"wantstate"`
		BasePriority   int      `json:"base_priority"`
		Effective      int      `json:"effective_priority"`
		MasterPriority int      `json:"master_priority"`
		NoPreempt      bool     `json:"nopreempt"`
		PreemptDelay   int      `json:"preempt_delay"`
		AdverInt       float64  `json:"adver_int"`
		LastTransition float64  `json:"last_transition"`
		VIPs           []string `json:"vips"`
		TrackScript    []string `json:"track_script"`
	} `json:"data"`
	Stats struct {
		BecomeMaster  int `json:"become_master"`
		ReleaseMaster int `json:"release_master"`
	} `json:"stats"`
}

// vrrpStateWords are keepalived's state numbers (include/vrrp.h).
var vrrpStateWords = map[int]string{0: cluster.VRRPInit, 1: cluster.VRRPBackup, 2: cluster.VRRPMaster, 3: cluster.VRRPFault}

// ParseKeepalivedJSON reads keepalived's JSON dump. Instances with a name
// hacon would not accept from a config, or with numbers outside VRRP's
// ranges, are left out and counted in the returned warning.
func ParseKeepalivedJSON(data []byte) ([]cluster.VRRPInstance, string, error) {
	if len(data) > maxKeepalivedBytes {
		return nil, "", fmt.Errorf("keepalived's dump is larger than %d bytes", maxKeepalivedBytes)
	}
	var dump []kaDump
	if err := json.Unmarshal(data, &dump); err != nil {
		return nil, "", fmt.Errorf("keepalived's JSON dump does not parse: %v", err)
	}
	if len(dump) > maxVRRPInstances {
		return nil, "", fmt.Errorf("keepalived's dump lists %d instances (more than %d)", len(dump), maxVRRPInstances)
	}
	var out []cluster.VRRPInstance
	var bad []string
	for _, d := range dump {
		in, why := vrrpInstance(d)
		if why != "" {
			bad = append(bad, why)
			continue
		}
		out = append(out, in)
	}
	warning := ""
	if len(bad) > 0 {
		warning = fmt.Sprintf("%d VRRP instance(s) left out: %s", len(bad), strings.Join(bad, "; "))
	}
	return out, warning, nil
}

func vrrpInstance(d kaDump) (cluster.VRRPInstance, string) {
	x := d.Data
	if msg := config.NameProblem(x.IName); msg != "" {
		return cluster.VRRPInstance{}, fmt.Sprintf("instance name %q: %s", cluster.CleanText(truncate(x.IName, 64)), msg)
	}
	state, ok := vrrpStateWords[x.State]
	switch {
	case !ok:
		return cluster.VRRPInstance{}, fmt.Sprintf("%s: unknown state %d", x.IName, x.State)
	case x.VRID < 1 || x.VRID > 255:
		return cluster.VRRPInstance{}, fmt.Sprintf("%s: virtual router id %d outside 1..255", x.IName, x.VRID)
	case x.BasePriority < 0 || x.BasePriority > 255 || x.Effective < 0 || x.Effective > 255 || x.MasterPriority < 0 || x.MasterPriority > 255:
		return cluster.VRRPInstance{}, fmt.Sprintf("%s: priority outside 0..255", x.IName)
	case len(x.VIPs) > maxVIPsPerInstance || len(x.TrackScript) > maxTrackScripts:
		return cluster.VRRPInstance{}, fmt.Sprintf("%s: too many addresses or scripts", x.IName)
	}
	in := cluster.VRRPInstance{
		Name: x.IName, Interface: cluster.CleanText(truncate(x.IfName, 64)), VRID: x.VRID, State: state,
		WantState: vrrpStateWords[x.WantState], BasePriority: x.BasePriority, EffectivePriority: x.Effective,
		MasterPriority: x.MasterPriority, NoPreempt: x.NoPreempt, PreemptDelay: max(x.PreemptDelay, 0),
		BecameMaster: max(d.Stats.BecomeMaster, 0), ReleasedMaster: max(d.Stats.ReleaseMaster, 0),
	}
	if x.AdverInt > 0 && x.AdverInt < 3600 {
		in.AdvertInt = x.AdverInt
	}
	if x.LastTransition > 0 && x.LastTransition < math.MaxInt32*4 {
		sec, frac := math.Modf(x.LastTransition)
		in.LastTransition = time.Unix(int64(sec), int64(frac*1e9))
	}
	for _, v := range x.VIPs {
		// "169.254.109.10/24 dev eth0 scope global set": the address is
		// the first word, with or without its prefix length.
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		addr, _, _ := strings.Cut(f[0], "/")
		if ip := net.ParseIP(addr); ip != nil {
			in.VIPs = append(in.VIPs, ip.String())
		}
	}
	for _, s := range x.TrackScript {
		in.TrackScripts = append(in.TrackScripts, cluster.CleanText(truncate(s, 256)))
	}
	return in, ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// ParseKeepalivedData reads the "VRRP Scripts" and "VRRP Track files"
// sections of keepalived's text data dump and returns, per instance, the
// checks that are failing: a script whose Status is BAD, a track file
// whose Status is non-zero (keepalived forces FAULT on a weight-0 file
// with a non-zero value).
func ParseKeepalivedData(r io.Reader) map[string][]string {
	failing := map[string][]string{}
	sc := bufio.NewScanner(io.LimitReader(r, maxKeepalivedBytes))
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	var section, name, kind string
	var bad, tracking bool
	flush := func() {
		name, bad, tracking = "", false, false
	}
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "------<") {
			section = strings.TrimSpace(strings.Trim(line, "-<> "))
			flush()
			continue
		}
		if section != "VRRP Scripts" && section != "VRRP Track files" {
			continue
		}
		key, val, hasEq := strings.Cut(strings.TrimSpace(line), " = ")
		switch {
		case hasEq && (key == "VRRP Script" || key == "Track file"):
			flush()
			name, kind = val, "script"
			if key == "Track file" {
				kind = "track file"
			}
		case hasEq && key == "Status":
			bad = (kind == "script" && val == "BAD") || (kind == "track file" && val != "0")
		case !hasEq && strings.TrimSpace(line) == "Tracking instances :":
			tracking = true
		case tracking && bad && name != "":
			inst, _, _ := strings.Cut(strings.TrimSpace(line), ",")
			if config.NameProblem(inst) == "" && config.NameProblem(name) == "" && len(failing[inst]) < maxTrackScripts {
				failing[inst] = append(failing[inst], kind+" "+name)
			}
		}
	}
	return failing
}

// splitDump separates the JSON dump from the data dump the probe's script
// prints after dataMarker.
func splitDump(out []byte) (jsonPart, dataPart []byte) {
	j, d, _ := bytes.Cut(out, []byte(dataMarker))
	return bytes.TrimSpace(j), d
}
