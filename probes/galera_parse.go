package probes

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hacon/hacon/cluster"
)

// Bounds on what the stateful parsers read: the answers they expect are a
// few hundred bytes, so anything far larger is refused, not buffered.
const (
	maxStatefulOutput = 1 << 20
	maxStatusLines    = 4096
	maxGrastate       = 64 << 10
)

// galeraQuery asks only for the variables hacon shows. It travels on the
// client's stdin (or inside the option file sent there), never on argv.
const galeraQuery = "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_status', 'wsrep_local_state_comment', " +
	"'wsrep_cluster_size', 'wsrep_ready', 'wsrep_connected', 'wsrep_cluster_state_uuid', 'wsrep_last_committed')"

// ParseWsrepStatus reads `mysql --batch --skip-column-names` output of
// SHOW STATUS (name TAB value per line) into a Galera status. Unknown
// names are ignored; an answer without any wsrep variable means a MariaDB
// without Galera.
func ParseWsrepStatus(r io.Reader, st *cluster.GaleraStatus) error {
	sc := bufio.NewScanner(io.LimitReader(r, maxStatefulOutput))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	seen, lines := 0, 0
	st.LastCommitted = -1
	for sc.Scan() {
		if lines++; lines > maxStatusLines {
			return fmt.Errorf("more than %d lines of status: not SHOW STATUS output", maxStatusLines)
		}
		name, value, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		if len(value) > 256 {
			return fmt.Errorf("status %.40q: value longer than 256 bytes", name)
		}
		if setWsrep(st, strings.ToLower(strings.TrimSpace(name)), value) {
			seen++
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading status: %w", err)
	}
	st.WsrepOff = seen == 0
	return nil
}

func setWsrep(st *cluster.GaleraStatus, name, value string) bool {
	switch name {
	case "wsrep_cluster_status":
		st.ClusterStatus = value
	case "wsrep_local_state_comment":
		st.LocalState = value
	case "wsrep_cluster_size":
		n, err := strconv.Atoi(value)
		if err != nil || n < 0 {
			n = 0
		}
		st.ClusterSize = n
	case "wsrep_ready":
		st.Ready = strings.ToUpper(value)
	case "wsrep_connected":
		st.Connected = strings.ToUpper(value)
	case "wsrep_cluster_state_uuid":
		st.StateUUID = value
	case "wsrep_last_committed":
		if n, err := strconv.ParseInt(value, 10, 64); err == nil {
			st.LastCommitted = n
		}
	default:
		return false
	}
	return true
}

// ParseGrastate reads grastate.dat ("uuid: …", "seqno: …",
// "safe_to_bootstrap: 0|1"). A file without a seqno line is refused: it
// would name no bootstrap candidate.
func ParseGrastate(r io.Reader) (*cluster.Grastate, error) {
	sc := bufio.NewScanner(io.LimitReader(r, maxGrastate))
	sc.Buffer(make([]byte, 0, 1024), maxGrastate)
	gs := &cluster.Grastate{Seqno: -1}
	haveSeqno := false
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch strings.TrimSpace(key) {
		case "uuid":
			if len(value) <= 64 {
				gs.UUID = value
			}
		case "seqno":
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n < -1 {
				return nil, fmt.Errorf("grastate.dat: seqno %.30q is not a number", value)
			}
			gs.Seqno, haveSeqno = n, true
		case "safe_to_bootstrap":
			gs.SafeToBootstrap = value == "1"
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("grastate.dat: %w", err)
	}
	if !haveSeqno {
		return nil, fmt.Errorf("grastate.dat has no seqno line")
	}
	return gs, nil
}
