package probes

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hacon/hacon/cluster"
)

// haproxy26Header is HAProxy 2.6's CSV header exactly (formats.md 1.1; the
// real-HAProxy test checks it against a live haproxy).
const haproxy26Header = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,"

var header26 = strings.Split(strings.TrimPrefix(haproxy26Header, "# "), ",")

// csvRow writes one 2.6 row with the named columns set, quoting as HAProxy
// does (only fields holding ',', '"' or a line break).
func csvRow(vals map[string]string) string {
	f := make([]string, len(header26))
	for i, name := range header26 {
		v, ok := vals[name]
		if !ok {
			continue
		}
		if strings.ContainsAny(v, ",\"\r\n") {
			v = `"` + strings.ReplaceAll(v, `"`, `""`) + `"`
		}
		f[i] = v
		delete(vals, name)
	}
	if len(vals) != 0 {
		panic("csvRow: unknown columns")
	}
	return strings.Join(f, ",") + "\n"
}

func mustParseCSV(t *testing.T, s string) *cluster.LoadBalancer {
	t.Helper()
	lb, err := ParseHAProxyCSV(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return lb
}

func TestParseHAProxyCSVReal(t *testing.T) {
	t.Parallel()
	for _, file := range []string{"show-stat.csv", "stats-page.csv"} {
		t.Run(file, func(t *testing.T) {
			body, err := os.ReadFile("testdata/haproxy/" + file)
			if err != nil {
				t.Fatal(err)
			}
			lb := mustParseCSV(t, string(body))
			var names []string
			for _, s := range lb.Servers {
				names = append(names, s.Backend+"/"+s.Server)
				if s.Status != "UP" || s.CheckStatus != "L7OK" || s.CheckCode != "200" || s.Weight != 1 {
					t.Errorf("%s: %+v", s.Server, s)
				}
				if s.Backup != (s.Server == "nvbk") {
					t.Errorf("%s: backup %v", s.Server, s.Backup)
				}
				if hasAddr := s.Address != ""; hasAddr != (file == "show-stat.csv") {
					t.Errorf("%s: address %q", s.Server, s.Address)
				}
			}
			want := "be_keystone/ks0 be_keystone/ks1 be_keystone/ks2 be_nova/nv0 be_nova/nv1 be_nova/nvbk be_glance/gl0 be_glance/gl1"
			if got := strings.Join(names, " "); got != want {
				t.Errorf("servers %s, want %s", got, want)
			}
			if len(lb.Backends) != 4 || lb.Backends[2] != (cluster.LBBackend{Name: "be_nova", Status: "UP", Active: 2, Backup: 1}) {
				t.Errorf("backends %+v", lb.Backends)
			}
		})
	}
}

func TestParseHAProxyCSVStatesAndQuoting(t *testing.T) {
	t.Parallel()
	rows := haproxy26Header + "\n" +
		csvRow(map[string]string{"pxname": "fe", "svname": "FRONTEND", "status": "OPEN", "type": "0"}) +
		csvRow(map[string]string{"pxname": "be_a", "svname": "s1", "status": "UP 1/3", "weight": "50", "act": "1", "bck": "0",
			"check_status": "* L7OK", "check_code": "200", "check_duration": "12", "scur": "7", "lastchg": "3600",
			"addr": "10.0.0.1:5000", "type": "2", "check_desc": `Layer7 check passed, "OK"`}) +
		csvRow(map[string]string{"pxname": "be_a", "svname": "s2", "status": "MAINT (via be_b/s9)", "bck": "1", "type": "2",
			"last_chk": "line one\nline two, with comma"}) +
		csvRow(map[string]string{"pxname": "be_a", "svname": "s3", "status": "no check", "weight": "1", "type": "2"}) +
		csvRow(map[string]string{"pxname": "be_a", "svname": "s4", "status": "DOWN 1/2", "check_status": "* L4CON", "check_code": "0", "type": "2"}) +
		csvRow(map[string]string{"pxname": "be_a", "svname": "BACKEND", "status": "UP", "act": "1", "bck": "1", "scur": "9", "type": "1"}) +
		"\n"
	for name, in := range map[string]string{"LF": rows, "CRLF": strings.ReplaceAll(rows, "\n", "\r\n")} {
		t.Run(name, func(t *testing.T) {
			lb := mustParseCSV(t, in)
			want := &cluster.LoadBalancer{
				Servers: []cluster.LBServer{
					{Backend: "be_a", Server: "s1", Address: "10.0.0.1:5000", Status: "UP 1/3", Weight: 50, CheckStatus: "L7OK",
						CheckCode: "200", CheckDuration: 12 * time.Millisecond, Sessions: 7, LastChange: time.Hour},
					{Backend: "be_a", Server: "s2", Status: "MAINT (via be_b/s9)", Backup: true},
					{Backend: "be_a", Server: "s3", Status: "no check", Weight: 1},
					{Backend: "be_a", Server: "s4", Status: "DOWN 1/2", CheckStatus: "L4CON"},
				},
				Backends: []cluster.LBBackend{{Name: "be_a", Status: "UP", Active: 1, Backup: 1, Session: 9}},
			}
			if !reflect.DeepEqual(lb, want) {
				t.Errorf("got  %+v\nwant %+v", lb, want)
			}
		})
	}
}

// TestParseHAProxyCSVColumnsByName reverses the column order: a parser that
// used indexes would read the wrong columns.
func TestParseHAProxyCSVColumnsByName(t *testing.T) {
	t.Parallel()
	body, err := os.ReadFile("testdata/haproxy/show-stat.csv")
	if err != nil {
		t.Fatal(err)
	}
	orig := mustParseCSV(t, string(body))
	var out strings.Builder
	for i, line := range strings.Split(strings.TrimRight(string(body), "\n"), "\n") {
		if i == 0 {
			line = strings.TrimPrefix(line, "# ")
		}
		f := strings.Split(line, ",") // the capture has no quoted fields
		for l, r := 0, len(f)-1; l < r; l, r = l+1, r-1 {
			f[l], f[r] = f[r], f[l]
		}
		if i == 0 {
			out.WriteString("# ")
		}
		out.WriteString(strings.Join(f, ",") + "\n")
	}
	rev := mustParseCSV(t, out.String())
	if !reflect.DeepEqual(orig, rev) {
		t.Errorf("reversed columns parse differently:\n%+v\n%+v", orig, rev)
	}
	if len(rev.Servers) != 8 || rev.Servers[0].Address == "" {
		t.Errorf("reversed parse lost data: %+v", rev.Servers)
	}
}

func TestParseHAProxyCSVNotCSV(t *testing.T) {
	t.Parallel()
	for in, words := range map[string]string{
		"":                              "empty response",
		"\n\n":                          "empty response",
		"Permission denied.\n":          `"Permission denied."`,
		"<html><body>503</body></html>": "<html>",
		"# foo,bar\n1,2\n":              "header lacks",
		haproxy26Header + "\n,,,\n":     "line 2 has no proxy",
	} {
		_, err := ParseHAProxyCSV(strings.NewReader(in))
		if !errors.Is(err, ErrNotHAProxyCSV) || !strings.Contains(err.Error(), words) {
			t.Errorf("%.30q: err = %v, want not HAProxy CSV mentioning %s", in, err, words)
		}
	}
}

// TestParseHAProxyCSVLongRecord crosses the 64 KiB read buffer, the path
// where records are assembled rather than read in place.
func TestParseHAProxyCSVLongRecord(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x,", 70<<10)
	in := haproxy26Header + "\n" +
		csvRow(map[string]string{"pxname": "be", "svname": "a", "status": "UP", "check_desc": long}) +
		csvRow(map[string]string{"pxname": "be", "svname": "b", "status": "DOWN"})
	lb := mustParseCSV(t, in)
	if len(lb.Servers) != 2 || lb.Servers[0].Status != "UP" || lb.Servers[1].Status != "DOWN" {
		t.Errorf("%+v", lb.Servers)
	}
}

// gen10k builds a 2.6 CSV of 10,000 servers in 200 backends, with the mix
// of statuses and check results a big cloud shows.
func gen10k() []byte {
	var b bytes.Buffer
	b.WriteString(haproxy26Header + "\n")
	statuses := []string{"UP", "UP", "UP", "UP 1/3", "DOWN", "MAINT", "DRAIN", "no check"}
	checks := []string{"L7OK", "L7OK", "* L7OK", "L4CON", "L7STS", "L7OK", "", ""}
	row := make([]string, len(header26))
	for i := range 10000 {
		for j := range row {
			row[j] = "0"
		}
		row[len(row)-1] = ""
		set := func(name, v string) {
			for j, n := range header26 {
				if n == name {
					row[j] = v
					return
				}
			}
		}
		k := i % len(statuses)
		set("pxname", "be_service_"+strconv.Itoa(i/50))
		set("svname", "controller-"+strconv.Itoa(i%50)+".internalapi.example.com")
		set("status", statuses[k])
		set("check_status", checks[k])
		set("check_code", "200")
		set("addr", "172.17.1."+strconv.Itoa(i%250)+":"+strconv.Itoa(5000+i%50))
		set("mode", "http")
		set("last_chk", "OK")
		set("check_desc", "Layer7 check passed")
		set("type", "2")
		set("weight", "1")
		set("lastchg", strconv.Itoa(i*7))
		b.WriteString(strings.Join(row, ",") + "\n")
	}
	return b.Bytes()
}

func BenchmarkParseHAProxyCSV10k(b *testing.B) {
	data := gen10k()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		lb, err := ParseHAProxyCSV(bytes.NewReader(data))
		if err != nil || len(lb.Servers) != 10000 {
			b.Fatalf("%v, %d servers", err, len(lb.Servers))
		}
	}
}

func FuzzParseHAProxyCSV(f *testing.F) {
	for _, file := range []string{"testdata/haproxy/show-stat.csv", "testdata/haproxy/stats-page.csv"} {
		if body, err := os.ReadFile(file); err == nil {
			f.Add(body)
		}
	}
	f.Add([]byte(haproxy26Header + "\n" + csvRow(map[string]string{"pxname": "b", "svname": "s", "status": "UP 1/3", "last_chk": "a\n\"b\""})))
	f.Add([]byte("# pxname,svname,status\n\"a\"\"\",b,\"c\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		lb, err := ParseHAProxyCSV(bytes.NewReader(in))
		if err != nil {
			if lb != nil {
				t.Fatal("both a result and an error")
			}
			return
		}
		for _, s := range lb.Servers {
			if s.Backend == "" || s.Server == "" {
				t.Fatalf("server without names: %+v", s)
			}
		}
		again, err := ParseHAProxyCSV(bytes.NewReader(in))
		if err != nil || !reflect.DeepEqual(lb, again) {
			t.Fatalf("second parse differs: %v", err)
		}
	})
}

// TestParseHAProxyCSVRunawayQuote: a quote that never closes joins every
// following line into one record; that must stay linear, not quadratic.
func TestParseHAProxyCSVRunawayQuote(t *testing.T) {
	input := func(lines int) string {
		return "# pxname,svname,status\nbe,\"s1,UP\n" + strings.Repeat("be,s2,UP\n", lines)
	}
	lb := mustParseCSV(t, input(500000))
	// The unclosed field swallows the rest of the input, as in encoding/csv.
	if len(lb.Servers) != 1 || !strings.HasPrefix(lb.Servers[0].Server, "s1,UP\nbe,s2,UP\n") {
		t.Errorf("%d servers, first %.40q", len(lb.Servers), lb.Servers[0].Server)
	}
	// Count work, not time: a quadratic join re-copies the field per line,
	// allocating per line; a linear one allocates O(log n) times.
	allocs := func(lines int) float64 {
		in := input(lines)
		return testing.AllocsPerRun(1, func() { mustParseCSV(t, in) })
	}
	if small, big := allocs(50000), allocs(500000); big > 4*small+64 {
		t.Errorf("allocations grew from %.0f to %.0f for 10x the input: not linear", small, big)
	}
}
