package probes

import (
	"math"
	"strings"
	"testing"
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
