package actions

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// The audit log is a hash chain: each line's prev_hash is the SHA-256 of
// the line before it (its bytes without the newline), "" on the first
// line. Editing, inserting or removing a line breaks the chain at the
// next line; only cutting the tail goes unseen in the file, which is why
// every entry also goes to the system log.

// maxAuditLine bounds one line read back (a line holds a few commands and
// output summaries of at most outputSummaryMax bytes each).
const maxAuditLine = 1 << 20

// lineHash is the chain hash of one line ("" for no line).
func lineHash(line []byte) string {
	if len(line) == 0 {
		return ""
	}
	sum := sha256.Sum256(line)
	return hex.EncodeToString(sum[:])
}

// lastLine reads the last complete line of f (without its newline), or nil
// for an empty file, reading backwards from the end.
func lastLine(f *os.File) ([]byte, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	end := st.Size()
	var tail []byte
	const chunk = 4096
	for pos := end; pos > 0; {
		n := int64(chunk)
		if pos < n {
			n = pos
		}
		pos -= n
		buf := make([]byte, n)
		if _, err := f.ReadAt(buf, pos); err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		tail = append(buf, tail...)
		body := bytes.TrimSuffix(tail, []byte("\n"))
		if i := bytes.LastIndexByte(body, '\n'); i >= 0 {
			return body[i+1:], nil
		}
		if len(tail) > maxAuditLine {
			return nil, fmt.Errorf("last line longer than %d bytes", maxAuditLine)
		}
	}
	return bytes.TrimSuffix(tail, []byte("\n")), nil
}

// ChainReport is what VerifyAuditChain found.
type ChainReport struct {
	Lines    int          // lines read
	Unhashed int          // leading lines written before the chain existed (no prev_hash key)
	Breaks   []ChainBreak // where the chain does not hold, in file order
}

// ChainBreak is one line whose prev_hash does not match the line before it.
type ChainBreak struct {
	Line int    // 1-based line number of the line that does not match
	Why  string // what does not match, in words
}

// OK reports an intact chain.
func (r ChainReport) OK() bool { return len(r.Breaks) == 0 }

// VerifyAuditChain checks every line's prev_hash against the line before
// it. Lines from before the chain (no prev_hash key) are allowed only at
// the start of the file.
func VerifyAuditChain(path string) (ChainReport, error) {
	var rep ChainReport
	f, err := os.Open(path)
	if err != nil {
		return rep, fmt.Errorf("audit log %s: %w", path, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), maxAuditLine)
	var prev []byte
	chained := false
	for sc.Scan() {
		rep.Lines++
		line := sc.Bytes()
		var e struct {
			PrevHash *string `json:"prev_hash"`
		}
		if err := json.Unmarshal(line, &e); err != nil {
			rep.Breaks = append(rep.Breaks, ChainBreak{rep.Lines, "not a JSON object: " + err.Error()})
			prev = append(prev[:0], line...)
			chained = true
			continue
		}
		switch {
		case e.PrevHash == nil && !chained:
			rep.Unhashed++
		case e.PrevHash == nil:
			rep.Breaks = append(rep.Breaks, ChainBreak{rep.Lines, "has no prev_hash after chained lines"})
		case *e.PrevHash != lineHash(prev):
			rep.Breaks = append(rep.Breaks, ChainBreak{rep.Lines, mismatch(rep.Lines, *e.PrevHash, prev)})
		}
		if e.PrevHash != nil {
			chained = true
		}
		prev = append(prev[:0], line...)
	}
	if err := sc.Err(); err != nil {
		return rep, fmt.Errorf("audit log %s: line %d: %w", path, rep.Lines+1, err)
	}
	return rep, nil
}

func mismatch(n int, got string, prev []byte) string {
	if n == 1 {
		return "the first line names a previous line (prev_hash " + short(got) + "): lines before it were removed"
	}
	return fmt.Sprintf("prev_hash %s does not match line %d (sha256 %s): line %d was changed, or lines were removed or inserted before line %d",
		short(got), n-1, short(lineHash(prev)), n-1, n)
}

func short(h string) string {
	if h == "" {
		return `""`
	}
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}
