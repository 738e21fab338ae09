package probes

import (
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"testing/iotest"
)

func TestDecodePromVector(t *testing.T) {
	keep := map[string]string{"cluster": "cluster", "node": "node"}
	body := `{"status":"success","data":{"resultType":"vector","result":[` +
		`{"metric":{"__name__":"x","cluster":"c1","node":"n\u00e9","job":"j"},"value":[1700000000.5,"1"]},` +
		`{"metric":{"cluster":"c1"},"value":[1700000000.5,"NaN"]},` +
		`{"metric":{"cluster":"c1"},"value":[1700000000.5,"junk"]}]},"warnings":["w"]}`
	got, err := decodePromVector([]byte(body), keep)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].value != 1 || got[0].label("node") != "né" || got[0].label("job") != "" || len(got[0].labels) != 2 {
		t.Fatalf("decoded %+v", got)
	}
	if !math.IsNaN(got[1].value) || !math.IsNaN(got[2].value) {
		t.Errorf("NaN and a non-number must read as NaN: %+v", got[1:])
	}
	for _, tc := range []struct{ body, want string }{
		{`{"status":"error","errorType":"bad_data","error":"parse error\n\u001b[31m"}`, "bad_data: parse error"},
		{`{"status":"success","data":{"resultType":"matrix","result":[]}}`, `expected a vector, got "matrix"`},
		{`<html>502 Bad Gateway</html>`, "not a query API answer"},
		{`{"status":"success","data":{"resultType":"vector","result":[{"metric":{"cluster":`, "not a query API answer"},
	} {
		_, err := decodePromVector([]byte(tc.body), keep)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.ContainsAny(err.Error(), "\n\x1b") {
			t.Errorf("%s: error %v, want %q without control characters", tc.body, err, tc.want)
		}
	}
}

// Answers are decoded as they arrive: a reader giving one byte at a time
// (every token split across reads) decodes the same, and an answer past
// the size bound fails with that reason.
func TestDecodePromVectorStreamed(t *testing.T) {
	keep := map[string]string{"cluster": "cluster", "server": "server"}
	var b strings.Builder
	b.WriteString(`{"status":"success","data":{"resultType":"vector","result":[`)
	const n = 2000
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"metric":{"cluster":"c%d","server":"s%d","state":"UP"},"value":[1700000000.5,"%d"]}`, i%7, i, i%2)
	}
	b.WriteString(`]}}`)
	got, err := decodePromVectorFrom(iotest.OneByteReader(strings.NewReader(b.String())), keep)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n || got[n-1].label("server") != fmt.Sprintf("s%d", n-1) || got[n-1].value != 1 || got[n-2].value != 0 {
		t.Fatalf("decoded %d samples, last %+v", len(got), got[len(got)-1])
	}
	capped := &cappedBody{rc: io.NopCloser(strings.NewReader(b.String())), left: 1000}
	if _, err := decodePromVectorFrom(capped, keep); err == nil || !strings.Contains(err.Error(), "answer larger than") {
		t.Errorf("an answer past the bound: %v", err)
	}
}
