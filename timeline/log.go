package timeline

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Log appends incident changes to the events log, one JSON Record per
// line; it never rewrites a line. Appends come from commands running on
// their own goroutines, hence the mutex.
type Log struct {
	path string
	mu   sync.Mutex
}

// NewLog returns the events log at path; "-" disables it (nil).
func NewLog(path string) *Log {
	if path == "-" {
		return nil
	}
	return &Log{path: path}
}

// Path is where the log is written.
func (l *Log) Path() string { return l.path }

// Append writes one line per record, creating the file 0600 in a 0700
// directory.
func (l *Log) Append(recs []Record) error {
	if len(recs) == 0 {
		return nil
	}
	var buf []byte
	for _, r := range recs {
		line, err := json.Marshal(r)
		if err != nil {
			return err
		}
		buf = append(append(buf, line...), '\n')
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(l.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(buf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// maxRecordLine bounds one events-log line read back.
const maxRecordLine = 4 << 20

// ReadIncidents rebuilds the incidents of a cluster ("" for all) from an
// events log, newest first. Lines that are not records (an events log
// from before incidents: one text line per event) are counted in skipped,
// not failed on. A missing file has no incidents.
func ReadIncidents(path, clusterName string) (incs []*Incident, skipped int, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("events log %s: %w", path, err)
	}
	defer f.Close()
	byID := map[string]*Incident{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), maxRecordLine)
	for n := 1; sc.Scan(); n++ {
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil || r.Incident == "" {
			skipped++
			continue
		}
		if clusterName != "" && r.Cluster != clusterName {
			continue
		}
		inc := byID[r.Incident]
		if inc == nil {
			inc = &Incident{ID: r.Incident, Cluster: r.Cluster, Keys: map[string]bool{}}
			byID[r.Incident] = inc
			incs = append(incs, inc)
		}
		inc.apply(r)
	}
	if err := sc.Err(); err != nil {
		return nil, skipped, fmt.Errorf("events log %s: %w", path, err)
	}
	for i, j := 0, len(incs)-1; i < j; i, j = i+1, j-1 {
		incs[i], incs[j] = incs[j], incs[i]
	}
	return incs, skipped, nil
}

// apply folds one record into an incident rebuilt from the log.
func (i *Incident) apply(r Record) {
	i.Severity, i.Title, i.Opened = r.Severity, r.Title, r.Opened
	i.Cleared, i.Closed = timeOf(r.Cleared), timeOf(r.Closed)
	for _, n := range r.Nodes {
		i.Keys["node:"+n] = true
	}
	for _, s := range r.Services {
		i.Keys["svc:"+s] = true
	}
	for _, e := range r.Events {
		e.Cluster = r.Cluster
		i.Events = append(i.Events, e)
	}
	i.Folded += r.Folded
	i.Actions = r.Actions
	i.Impact = i.Impact[:0]
	for _, im := range r.Impact {
		im.Below = time.Duration(im.BelowMS) * time.Millisecond
		i.Impact = append(i.Impact, im)
	}
	i.Seen = r.Time
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
