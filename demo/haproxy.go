package demo

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// CSVHeader is HAProxy 2.6's exact `show stat` header (see formats.md §1.1).
const CSVHeader = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,"

var csvColumns = func() map[string]int {
	cols := strings.Split(strings.TrimSuffix(strings.TrimPrefix(CSVHeader, "# "), ","), ",")
	m := make(map[string]int, len(cols))
	for i, c := range cols {
		m[c] = i
	}
	return m
}()

// csvRow builds one CSV line from named fields; the rest stay empty, as in
// HAProxy where a column does not apply to the row's type.
func csvRow(fields map[string]string) string {
	row := make([]string, len(csvColumns))
	for k, v := range fields {
		row[csvColumns[k]] = v
	}
	return strings.Join(row, ",") + ","
}

// statsCSV is what the HAProxy on controller lb prints for `show stat`.
func (s *sim) statsCSV(lb string, addrOf func(node string) string) string {
	var b strings.Builder
	b.WriteString(CSVHeader + "\n")
	iid := 2
	for _, sp := range specs {
		if sp.Backend == "" {
			continue
		}
		iid++
		b.WriteString(csvRow(map[string]string{"pxname": sp.Backend, "svname": "FRONTEND", "status": "OPEN", "pid": "1", "iid": fmt.Sprint(iid), "sid": "0", "type": "0", "mode": "http"}) + "\n")
		act, bck := 0, 0
		for i, n := range NodeNames {
			status, check := s.serverStatus(lb, sp, n)
			backup := sp.Backups && i > 0
			usable := status == "UP"
			weight := "1"
			if status == "DRAIN" || status == "MAINT" {
				weight = "0"
			}
			switch {
			case usable && backup:
				bck++
			case usable:
				act++
			}
			b.WriteString(csvRow(map[string]string{
				"pxname": sp.Backend, "svname": n, "scur": "0", "status": status, "weight": weight,
				"act": b01(!backup), "bck": b01(backup), "chkfail": "0", "chkdown": "0", "lastchg": fmt.Sprint(int(time.Since(s.lastChange).Seconds())),
				"pid": "1", "iid": fmt.Sprint(iid), "sid": fmt.Sprint(i + 1), "type": "2",
				"check_status": check, "check_code": checkCode(check), "check_duration": "1",
				"check_rise": "2", "check_fall": "3", "check_health": "4", "addr": addrOf(n), "mode": "http", "uweight": "1",
			}) + "\n")
		}
		status := "UP"
		if act+bck == 0 {
			status = "DOWN"
		}
		b.WriteString(csvRow(map[string]string{"pxname": sp.Backend, "svname": "BACKEND", "status": status, "weight": fmt.Sprint(act), "act": fmt.Sprint(act), "bck": fmt.Sprint(bck), "pid": "1", "iid": fmt.Sprint(iid), "sid": "0", "type": "1", "mode": "http", "algo": "roundrobin"}) + "\n")
	}
	return b.String()
}

func b01(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func checkCode(check string) string {
	if check == "L7OK" {
		return "200"
	}
	return ""
}

// runtimeAPI serves HAProxy's runtime API subset the actions use (`show
// stat`, `set server B/S state ready|drain|maint`) on a TCP listener.
type runtimeAPI struct {
	ln   net.Listener
	lb   string
	c    *Cluster
	wg   sync.WaitGroup
	done chan struct{}
}

func startRuntimeAPI(c *Cluster, lb string) (*runtimeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &runtimeAPI{ln: ln, lb: lb, c: c, done: make(chan struct{})}
	r.wg.Add(1)
	go r.serve()
	return r, nil
}

func (r *runtimeAPI) addr() string { return r.ln.Addr().String() }

func (r *runtimeAPI) close() {
	close(r.done)
	r.ln.Close()
	r.wg.Wait()
}

func (r *runtimeAPI) serve() {
	defer r.wg.Done()
	for {
		conn, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
			if !r.c.Powered(r.lb) {
				return // a dead host's HAProxy: the connection just drops
			}
			line, err := bufio.NewReader(conn).ReadString('\n')
			if err != nil && line == "" {
				return
			}
			fmt.Fprint(conn, r.c.runtimeCommand(r.lb, strings.TrimSpace(line)))
		}()
	}
}

func (c *Cluster) runtimeCommand(lb, cmd string) string {
	s := c.sim
	s.mu.Lock()
	defer s.mu.Unlock()
	f := strings.Fields(cmd)
	switch {
	case len(f) >= 2 && f[0] == "show" && f[1] == "stat":
		return s.statsCSV(lb, c.serverAddr) + "\n"
	case len(f) == 5 && f[0] == "set" && f[1] == "server" && f[3] == "state":
		bs := strings.SplitN(f[2], "/", 2)
		if len(bs) != 2 {
			return "Require 'backend/server'.\n\n"
		}
		if !s.knownServer(bs[0], bs[1]) {
			return "No such server.\n\n"
		}
		switch f[4] {
		case "ready", "drain", "maint":
			s.lbState[lb][f[2]] = f[4]
			s.lastChange = time.Now()
			return "\n"
		}
		return "'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n\n"
	}
	return "Unknown command. Please enter one of the following commands only :\n  show stat\n  set server\n\n"
}

func (s *sim) knownServer(backend, server string) bool {
	for _, sp := range specs {
		if sp.Backend == backend && nodeID(server) > 0 {
			return true
		}
	}
	return false
}

var _ = context.Background
