package probes

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hacon/hacon/config"
	jsoniter "github.com/json-iterator/go"
)

// The query API's instant-query answer, decoded here rather than by
// client_golang's v1.API: its Query decodes every sample twice (jsoniter,
// then encoding/json per sample) into a label map per series, which for
// 500 clusters (≈200k series a refresh) was seconds of CPU and hundreds of
// MB. The HTTP side (TLS, auth, timeouts) is still client_golang's
// api.Client; only the decoding is ours, and it keeps of each series just
// the labels hacon reads, interned.

// promLabel is one label hacon kept of a series.
type promLabel struct{ name, value string }

// promKeep is the set of label names worth keeping: those the fan-out
// reads, plus the group's configured ones.
// Each maps to itself, so a kept name is shared, not a copy per series.
func promKeep(s *config.PromSettings) map[string]string {
	keep := map[string]string{}
	for _, n := range []string{promTSLabel, "instance", "type", "status", "resource", "clone", "group", "node", "role",
		"managed", "agent", "proxy", "server", "state", "collector", "iname", "intf", "vrid", "ip_address",
		s.ClusterLabel, s.NodeLabel, s.LBLabel, s.BMCLabel, s.EndpointLabel, s.KeepalivedLabel} {
		keep[n] = n
	}
	return keep
}

// promQuery runs one instant query (POST, as client_golang does; GET when
// the server refuses POST) and decodes its vector as it arrives: holding
// each answer whole (10–16 MB for the big families at 500 clusters, several
// at once) was most of hacon's peak RSS (issue 19).
func (g *promGroup) promQuery(ctx context.Context, q string) ([]promSample, error) {
	form := url.Values{"query": {q}}
	u := g.client.URL("/api/v1/query", nil)
	resp, err := doForm(ctx, g.http, http.MethodPost, u, form)
	if err == nil && resp.StatusCode == http.StatusMethodNotAllowed {
		resp.Body.Close()
		u.RawQuery = form.Encode()
		resp, err = doForm(ctx, g.http, http.MethodGet, u, nil)
	}
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	samples, err := decodePromVectorFrom(resp.Body, g.keep)
	if err != nil && resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return samples, err
}

func doForm(ctx context.Context, c *http.Client, method string, u *url.URL, form url.Values) (*http.Response, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return c.Do(req)
}

// decodePromVector is decodePromVectorFrom of an answer in memory.
func decodePromVector(body []byte, keep map[string]string) ([]promSample, error) {
	return decodePromVectorFrom(bytes.NewReader(body), keep)
}

// decodePromVector reads {"status":…,"data":{"resultType":"vector",
// "result":[{"metric":{…},"value":[t,"v"]}…]}} or the error envelope.
func decodePromVectorFrom(r io.Reader, keep map[string]string) ([]promSample, error) {
	it := jsoniter.Parse(jsoniter.ConfigFastest, r, 32<<10)
	var status, errType, errMsg, resultType string
	var out []promSample
	intern := map[string]string{}
	hint := 4 // labels per series: the most seen so far, so slices are sized once
	it.ReadObjectCB(func(it *jsoniter.Iterator, field string) bool {
		switch field {
		case "status":
			status = it.ReadString()
		case "errorType":
			errType = it.ReadString()
		case "error":
			errMsg = it.ReadString()
		case "data":
			it.ReadObjectCB(func(it *jsoniter.Iterator, field string) bool {
				switch field {
				case "resultType":
					resultType = it.ReadString()
				case "result":
					it.ReadArrayCB(func(it *jsoniter.Iterator) bool {
						ps := readPromSample(it, keep, intern, hint)
						hint = max(hint, len(ps.labels))
						out = append(out, ps)
						return it.Error == nil
					})
				default:
					it.Skip()
				}
				return it.Error == nil
			})
		default:
			it.Skip()
		}
		return it.Error == nil
	})
	switch {
	case it.Error != nil && it.Error != io.EOF:
		return nil, fmt.Errorf("not a query API answer: %s", peerText(it.Error.Error(), 120))
	case status == "error":
		return nil, fmt.Errorf("%s: %s", peerText(errType, 40), peerText(errMsg, 300))
	case status != "success":
		return nil, fmt.Errorf("not a query API answer (status %q)", peerText(status, 40))
	case resultType != "vector":
		return nil, fmt.Errorf("expected a vector, got %q", peerText(resultType, 40))
	}
	return out, nil
}

// readPromSample reads one {"metric":{…},"value":[t,"v"]}; a value that
// is not a number reads as NaN, which no plane counts as set.
func readPromSample(it *jsoniter.Iterator, keep, intern map[string]string, hint int) promSample {
	s := promSample{value: math.NaN(), labels: make([]promLabel, 0, hint)}
	it.ReadObjectCB(func(it *jsoniter.Iterator, field string) bool {
		switch field {
		case "metric":
			it.ReadMapCB(func(it *jsoniter.Iterator, name string) bool {
				kept, ok := keep[name]
				if !ok {
					it.Skip()
					return it.Error == nil
				}
				v := it.ReadString()
				if iv, ok := intern[v]; ok {
					v = iv
				} else if len(intern) < maxInterned {
					intern[v] = v
				}
				s.labels = append(s.labels, promLabel{name: kept, value: v})
				return it.Error == nil
			})
		case "value":
			i := 0
			it.ReadArrayCB(func(it *jsoniter.Iterator) bool {
				if i == 1 {
					if f, err := strconv.ParseFloat(it.ReadString(), 64); err == nil {
						s.value = f
					}
				} else {
					it.Skip()
				}
				i++
				return it.Error == nil
			})
		default:
			it.Skip()
		}
		return it.Error == nil
	})
	return s
}

// maxInterned bounds the intern table: a hostile answer of unique values
// must not grow it without limit (past it, values are simply not shared).
const maxInterned = 1 << 16

// peerText bounds and cleans a server's words before they reach an error.
func peerText(s string, max int) string {
	if len(s) > max {
		s = s[:max] + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
