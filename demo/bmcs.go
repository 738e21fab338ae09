package demo

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"strconv"

	"github.com/hacon/hacon/config"
	"github.com/hacon/hacon/internal/testpeers/redfishemu"
)

// PasswordEnv holds the demo BMCs' password, made up at start: the config
// names the variable, never the secret, exactly as a real inventory must.
const PasswordEnv = "HACON_DEMO_BMC_PASSWORD"

// bmcHandle is one node's Redfish BMC emulator.
type bmcHandle struct {
	bmc  *redfishemu.BMC
	addr string
}

// startBMCs gives every node a Redfish BMC whose power is the node's power:
// powering off through the BMC takes the node down in the simulation.
func (c *Cluster) startBMCs() error {
	pass := os.Getenv(PasswordEnv)
	if pass == "" {
		buf := make([]byte, 12)
		if _, err := rand.Read(buf); err != nil {
			return err
		}
		pass = hex.EncodeToString(buf)
		os.Setenv(PasswordEnv, pass)
	}
	for _, n := range NodeNames {
		node := n
		b := redfishemu.New("admin", pass,
			func() bool { return c.Powered(node) },
			func(on bool) { _ = c.SetPower(node, on) })
		addr, err := b.Start()
		if err != nil {
			return err
		}
		c.mu.Lock()
		c.bmcs[node] = &bmcHandle{bmc: b, addr: addr}
		c.mu.Unlock()
	}
	return nil
}

func (b *bmcHandle) config() *config.BMC {
	_, port, _ := net.SplitHostPort(b.addr)
	p, _ := strconv.Atoi(port)
	return &config.BMC{Driver: "redfish", Address: "http://127.0.0.1", Port: p, Username: "admin", PasswordEnv: PasswordEnv}
}

// cut makes the BMC unreachable the way a dead management network does:
// connections hang until the caller gives up.
func (b *bmcHandle) cut(on bool) {
	f := redfishemu.FaultNone
	if on {
		f = redfishemu.FaultHang
	}
	_ = b.bmc.SetFault(f)
}

func (b *bmcHandle) close() { b.bmc.Close() }
