package cluster

import "time"

// KindKeepalived is the per-controller keepalived (VRRP) source: the
// controller's addresses and keepalived's JSON state dump.
const KindKeepalived SourceKind = "keepalived"

// VRRP states as keepalived numbers them (keepalived/include/vrrp.h) and
// as hacon shows them.
const (
	VRRPInit   = "INIT"
	VRRPBackup = "BACKUP"
	VRRPMaster = "MASTER"
	VRRPFault  = "FAULT"
)

// KeepalivedStatus is one poll of one controller: where addresses are
// (always) and what keepalived says of its instances (when its dump could
// be read).
type KeepalivedStatus struct {
	Node      string
	Addresses []IfAddr
	// DumpOK is false when only the addresses could be read; DumpError
	// says why (keepalived not running, no JSON support, no permission…).
	DumpOK    bool
	DumpError string
	Warning   string // a partial dump: instances left out, and why
	Instances []VRRPInstance
}

// IfAddr is one address on one interface of a controller (ip -j addr).
type IfAddr struct {
	Interface string
	Address   string // without the prefix length
	PrefixLen int
}

// VRRPInstance is one VRRP instance as keepalived on one node reports it.
type VRRPInstance struct {
	Name              string
	Interface         string
	VRID              int
	State             string // MASTER, BACKUP, FAULT, INIT
	WantState         string
	BasePriority      int
	EffectivePriority int
	MasterPriority    int // the priority of the master this node hears; 0 when it is the master
	NoPreempt         bool
	PreemptDelay      int
	AdvertInt         float64
	LastTransition    time.Time
	VIPs              []string // the instance's addresses, without prefix length
	TrackScripts      []string // the command lines of its tracked scripts
	// FailingChecks names the tracked scripts and files keepalived counts
	// as failed (from its data dump; filled only for a node in FAULT).
	FailingChecks  []string
	BecameMaster   int
	ReleasedMaster int
}

// HasAddress reports whether address is on one of the node's interfaces.
func (s *KeepalivedStatus) HasAddress(address string) bool {
	for _, a := range s.Addresses {
		if a.Address == address {
			return true
		}
	}
	return false
}
