package probes

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hacon/hacon/cluster"
)

// ErrNotHAProxyCSV marks input that does not start with HAProxy's
// "# pxname,svname,…" header: an error page, a refused admin command
// ("Permission denied"), or something that is not HAProxy at all.
var ErrNotHAProxyCSV = errors.New("not HAProxy CSV")

// csvCols holds the index of every column hacon reads, looked up by header
// name: 2.6 documents columns 0–99 as fixed but the module columns after "-"
// have no guaranteed order, and other versions add or drop columns.
type csvCols struct {
	pxname, svname, status, weight, act, bck, scur, lastchg int
	checkStatus, checkCode, checkDuration, addr, typ        int
}

func newCSVCols(header [][]byte) (csvCols, error) {
	c := csvCols{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}
	for i, name := range header {
		p := (*int)(nil)
		switch string(name) { // no allocation: the compiler special-cases this
		case "pxname":
			p = &c.pxname
		case "svname":
			p = &c.svname
		case "status":
			p = &c.status
		case "weight":
			p = &c.weight
		case "act":
			p = &c.act
		case "bck":
			p = &c.bck
		case "scur":
			p = &c.scur
		case "lastchg":
			p = &c.lastchg
		case "check_status":
			p = &c.checkStatus
		case "check_code":
			p = &c.checkCode
		case "check_duration":
			p = &c.checkDuration
		case "addr":
			p = &c.addr
		case "type":
			p = &c.typ
		}
		if p != nil && *p < 0 { // the first of a duplicated name wins
			*p = i
		}
	}
	if c.pxname < 0 || c.svname < 0 || c.status < 0 {
		return c, fmt.Errorf("%w: header lacks pxname, svname or status", ErrNotHAProxyCSV)
	}
	return c, nil
}

// csvBufferSize is 64 KiB, or less for a page already in memory, which
// needs no bigger buffer than itself: 64 KiB per poll was a fifth of the
// bytes hacon allocated (issue 18).
func csvBufferSize(r io.Reader) int {
	size := 64 << 10
	if br, ok := r.(*bytes.Reader); ok {
		size = min(size, max(br.Len()+1, 16))
	}
	return size
}

// ParseHAProxyCSV parses HAProxy's stats CSV (`show stat` on the runtime API
// or GET /stats;csv) into one load balancer. FRONTEND and listener rows are
// ignored, BACKEND rows become Backends, everything else is a server.
//
// It is built for large LBs: records are split in place in the read buffer,
// repeated strings (backend names, statuses, check results) are interned,
// and each server row costs one allocation for its name and address.
func ParseHAProxyCSV(r io.Reader) (*cluster.LoadBalancer, error) {
	rd := csvRecords{br: bufio.NewReaderSize(r, csvBufferSize(r))}
	header, err := rd.next()
	for err == nil && len(bytes.TrimSpace(header)) == 0 {
		header, err = rd.next()
	}
	if err == io.EOF {
		return nil, fmt.Errorf("%w: empty response", ErrNotHAProxyCSV)
	}
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(header, []byte("#")) {
		return nil, fmt.Errorf("%w: starts with %q", ErrNotHAProxyCSV, clip(header, 60))
	}
	header = bytes.TrimLeft(header[1:], " ")
	cols, err := newCSVCols(splitCSV(nil, header))
	if err != nil {
		return nil, err
	}

	lb := &cluster.LoadBalancer{}
	in := interner{}
	var fields [][]byte
	var scratch []byte
	for {
		rec, err := rd.next()
		if err == io.EOF {
			return lb, nil
		}
		if err != nil {
			return nil, err
		}
		if len(rec) == 0 || rec[0] == '#' {
			continue // HAProxy ends its reply with an empty line
		}
		fields = splitCSV(fields, rec)
		get := func(i int) []byte {
			if i < 0 || i >= len(fields) {
				return nil
			}
			return fields[i]
		}
		px, sv := get(cols.pxname), get(cols.svname)
		if len(px) == 0 || len(sv) == 0 {
			return nil, fmt.Errorf("%w: line %d has no proxy or server name", ErrNotHAProxyCSV, rd.line)
		}
		switch rowType(get(cols.typ), sv) {
		case 1:
			lb.Backends = append(lb.Backends, cluster.LBBackend{
				Name:    in.str(px),
				Status:  in.str(get(cols.status)),
				Active:  atoi(get(cols.act)),
				Backup:  atoi(get(cols.bck)),
				Session: atoi(get(cols.scur)),
			})
		case 2:
			// One allocation holds both the server name and its address.
			addr := get(cols.addr)
			scratch = append(append(scratch[:0], sv...), addr...)
			both := string(scratch)
			lb.Servers = append(lb.Servers, cluster.LBServer{
				Backend:       in.str(px),
				Server:        both[:len(sv)],
				Address:       both[len(sv):],
				Status:        in.str(get(cols.status)),
				Backup:        atoi(get(cols.bck)) > 0,
				Weight:        atoi(get(cols.weight)),
				CheckStatus:   in.str(bytes.TrimPrefix(get(cols.checkStatus), []byte("* "))),
				CheckCode:     in.str(checkCode(get(cols.checkCode))),
				CheckDuration: time.Duration(atoi(get(cols.checkDuration))) * time.Millisecond,
				Sessions:      atoi(get(cols.scur)),
				LastChange:    time.Duration(atoi(get(cols.lastchg))) * time.Second,
			})
		}
	}
}

// rowType returns HAProxy's type column (0 frontend, 1 backend, 2 server,
// 3 listener), falling back to the svname convention when it is absent.
func rowType(typ, sv []byte) int {
	if len(typ) == 1 && typ[0] >= '0' && typ[0] <= '3' {
		return int(typ[0] - '0')
	}
	switch string(sv) {
	case "FRONTEND":
		return 0
	case "BACKEND":
		return 1
	}
	return 2
}

// checkCode maps "0" to "": HAProxy prints 0 while a check is in flight
// ("* L7OK"), and the exporter's 0 means "no layer 5–7 code" too.
func checkCode(b []byte) []byte {
	if len(b) == 1 && b[0] == '0' {
		return nil
	}
	return b
}

// csvRecords yields one CSV record at a time without copying when it fits
// the read buffer. A quoted field may span lines; such records are joined.
type csvRecords struct {
	br   *bufio.Reader
	buf  []byte // holds a record longer than the read buffer or spanning lines
	line int
}

// next returns the next record without its line ending. The slice is valid
// until the following call, and splitCSV may rewrite it in place.
func (c *csvRecords) next() ([]byte, error) {
	c.buf = c.buf[:0]
	joined := false
	quotes := 0 // counted per part, so a runaway quoted field stays linear
	for {
		part, err := c.br.ReadSlice('\n')
		quotes += bytes.Count(part, []byte{'"'})
		if err == bufio.ErrBufferFull {
			c.buf = append(c.buf, part...)
			joined = true
			continue
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("reading stats: %w", err)
		}
		if err == io.EOF && len(part) == 0 && !joined {
			return nil, io.EOF
		}
		c.line++
		rec := part
		if joined {
			c.buf = append(c.buf, part...)
			rec = c.buf
		}
		// An odd number of quotes means a quoted field continues on the
		// next line (HAProxy quotes any field holding a newline).
		if err == nil && quotes%2 == 1 {
			if !joined {
				c.buf = append(c.buf, part...)
				joined = true
			}
			continue
		}
		rec = bytes.TrimSuffix(rec, []byte{'\n'})
		return bytes.TrimSuffix(rec, []byte{'\r'}), nil
	}
}

// splitCSV splits rec at commas into dst (reused between calls). Unquoted
// fields alias rec; quoted fields are unescaped in place, which only ever
// shrinks them, so no copy is needed.
func splitCSV(dst [][]byte, rec []byte) [][]byte {
	dst = dst[:0]
	for i := 0; ; {
		if i < len(rec) && rec[i] == '"' {
			w, j := i, i+1
			for j < len(rec) {
				if rec[j] == '"' {
					if j+1 < len(rec) && rec[j+1] == '"' {
						rec[w] = '"'
						w, j = w+1, j+2
						continue
					}
					j++
					break
				}
				rec[w] = rec[j]
				w, j = w+1, j+1
			}
			dst = append(dst, rec[i:w])
			k := bytes.IndexByte(rec[j:], ',') // skip anything after the closing quote
			if k < 0 {
				return dst
			}
			i = j + k + 1
			continue
		}
		k := bytes.IndexByte(rec[i:], ',')
		if k < 0 {
			return append(dst, rec[i:])
		}
		dst = append(dst, rec[i:i+k])
		i += k + 1
	}
}

// atoi reads a non-negative decimal; anything else (empty, "-", garbage)
// is 0, and huge values saturate rather than wrap.
func atoi(b []byte) int {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0
		}
		if n > (1<<62)/10 {
			return 1 << 62
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// interner shares one string per distinct value: an LB with 10,000 servers
// has a handful of backends, statuses and check results.
type interner map[string]string

func (in interner) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := in[string(b)]; ok {
		return s
	}
	s := string(b)
	in[s] = s
	return s
}

func clip(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
