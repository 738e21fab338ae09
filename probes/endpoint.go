package probes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

// MaxBody is the most of a response body an endpoint probe reads.
const MaxBody = 1 << 20

// DefaultSlowThreshold is the latency above which an answer counts as slow.
const DefaultSlowThreshold = time.Second

// HTTPClients builds one client per HTTP setting (cluster or service) from
// prometheus/common's HTTPClientConfig and shares it between polls, so
// connections are reused.
type HTTPClients struct {
	mu      sync.Mutex
	clients map[*promconfig.HTTPClientConfig]*http.Client
	deflt   *http.Client
	// versions: the version documents' answers, decoded once.
	versions versionMemo
}

// NewHTTPClients returns an empty cache.
func NewHTTPClients() *HTTPClients {
	return &HTTPClients{clients: map[*promconfig.HTTPClientConfig]*http.Client{}}
}

// For returns the client for a service: its own settings, else its cluster's.
func (h *HTTPClients) For(cc *config.Cluster, s *config.Service) (*http.Client, error) {
	cfg := (*promconfig.HTTPClientConfig)(nil)
	switch {
	case s != nil && s.HTTP != nil:
		cfg = s.HTTP
	case cc != nil && cc.HTTP != nil:
		cfg = cc.HTTP
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if cfg == nil {
		if h.deflt == nil {
			h.deflt = defaultClient()
		}
		return h.deflt, nil
	}
	if c, ok := h.clients[cfg]; ok {
		return c, nil
	}
	c, err := promconfig.NewClientFromConfig(*cfg, "hacon")
	if err != nil {
		return nil, fmt.Errorf("http settings: %w", err)
	}
	h.clients[cfg] = c
	return c, nil
}

// defaultClient is the client of services and clusters without http
// settings: what promconfig.NewClientFromConfig makes of its default config
// (keep-alives, HTTP/2, verified TLS, no proxy), minus go-conntrack's
// per-connection trace log, which held 8.5 MB at 200 clusters (issue 18).
func defaultClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns:          20000,
		MaxIdleConnsPerHost:   1000,
		DisableCompression:    true,
		IdleConnTimeout:       5 * time.Minute,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
		DialContext:           (&net.Dialer{}).DialContext,
	}}
}

func probeEndpoint(ctx context.Context, t *Target) cluster.Result {
	node := "vip"
	if t.Controller != nil {
		node = t.Controller.Name
	}
	res := cluster.EndpointResult{Service: t.Service.Name, Node: node, URL: cluster.RedactURL(t.URL)}
	client, err := t.Deps.HTTP.For(t.Cluster, t.Service)
	if err == nil {
		err = checkEndpoint(ctx, client, t.URL, &res, &t.Deps.HTTP.versions)
	}
	if err != nil {
		res.Error = err.Error()
	}
	threshold := t.Service.SlowThreshold
	if threshold == 0 {
		threshold = DefaultSlowThreshold
	}
	res.Slow = res.OK && res.Latency > threshold
	// An endpoint that answers wrongly is a finding about the service, not a
	// failure of the source: the source failed only if nothing came back.
	r := cluster.Result{Endpoint: &res}
	if res.StatusCode == 0 && res.Error != "" {
		r.Err = res.Error
	}
	return r
}

// CheckEndpoint GETs url and fills res: status, latency, TLS days left, the
// CURRENT OpenStack version, and oslo.middleware healthcheck text.
func CheckEndpoint(ctx context.Context, client *http.Client, rawURL string, res *cluster.EndpointResult) error {
	return checkEndpoint(ctx, client, rawURL, res, nil)
}

// checkEndpoint is CheckEndpoint with a memo of decoded version documents.
func checkEndpoint(ctx context.Context, client *http.Client, rawURL string, res *cluster.EndpointResult, memo *versionMemo) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return fmt.Errorf("bad URL: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		res.Latency = time.Since(start)
		return describeHTTPError(err)
	}
	defer resp.Body.Close()
	res.StatusCode = resp.StatusCode
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		res.TLS = true
		res.TLSDaysLeft = int(time.Until(resp.TLS.PeerCertificates[0].NotAfter).Hours() / 24)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	res.Latency = time.Since(start)
	if err != nil {
		return fmt.Errorf("HTTP %d, body read failed: %s", resp.StatusCode, describeHTTPError(err))
	}
	if len(body) > MaxBody {
		return fmt.Errorf("HTTP %d, body larger than 1 MiB: cut, not an API answer", resp.StatusCode)
	}
	isHealth := strings.HasSuffix(strings.TrimRight(req.URL.Path, "/"), "/healthcheck")
	if isHealth {
		res.Health = firstLine(string(body), 120)
	}
	res.OK = (resp.StatusCode >= 200 && resp.StatusCode < 300) || resp.StatusCode == http.StatusMultipleChoices
	if !res.OK {
		if isHealth && res.Health != "" {
			return fmt.Errorf("healthcheck HTTP %d: %s", resp.StatusCode, res.Health)
		}
		return fmt.Errorf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	res.Version = memo.current(body)
	return nil
}

// describeHTTPError says what went wrong in the words an operator uses.
func describeHTTPError(err error) error {
	var ne net.Error
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()):
		return errors.New("timed out")
	case errors.Is(err, context.Canceled):
		return errors.New("cancelled")
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "connection refused"):
		return errors.New("connection refused")
	case strings.Contains(msg, "certificate"):
		return fmt.Errorf("TLS: %s", msg)
	}
	return err
}

func firstLine(s string, max int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > max {
		s = s[:max]
	}
	return s
}

type versionDoc struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// CurrentVersion finds the CURRENT (or stable) version id in an OpenStack
// version document, whichever of its three shapes the service uses.
func CurrentVersion(body []byte) string {
	var doc struct {
		Versions json.RawMessage `json:"versions"`
		Version  *versionDoc     `json:"version"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return ""
	}
	if doc.Version != nil {
		return doc.Version.ID
	}
	var list []versionDoc
	if json.Unmarshal(doc.Versions, &list) != nil {
		var wrapped struct {
			Values []versionDoc `json:"values"`
		}
		if json.Unmarshal(doc.Versions, &wrapped) != nil {
			return ""
		}
		list = wrapped.Values
	}
	for _, v := range list {
		if strings.EqualFold(v.Status, "CURRENT") || strings.EqualFold(v.Status, "stable") {
			return v.ID
		}
	}
	return ""
}
