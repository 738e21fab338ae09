package probes

import (
	"context"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	promconfig "github.com/prometheus/common/config"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/config"
)

func endpointTarget(url string, svc *config.Service, cc *config.Cluster, timeout time.Duration) *Target {
	if cc == nil {
		cc = &config.Cluster{Name: "c"}
	}
	return &Target{ID: cluster.SourceID{Cluster: cc.Name, Kind: cluster.KindEndpoint, Name: svc.Name + "@vip"},
		Timeout: timeout, Interval: time.Second, Cluster: cc, Service: svc, URL: url, Deps: &Deps{HTTP: NewHTTPClients()}}
}

func TestEndpointAgainstRealListeners(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/v3", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"version":{"id":"v3.14","status":"stable"}}`))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(http.StatusMultipleChoices)
		w.Write([]byte(`{"versions":{"values":[{"id":"v3.14","status":"stable"}]}}`))
	})
	mux.HandleFunc("/healthcheck", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("DISABLED BY FILE\n"))
	})
	mux.HandleFunc("/garbage", func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 64<<10))
		for i := 0; i < 160; i++ { // 10 MiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	cases := []struct {
		path    string
		ok      bool
		code    int
		version string
		errHas  string
	}{
		{"/v3", true, 200, "v3.14", ""},
		{"/", true, 300, "v3.14", ""},
		{"/healthcheck", false, 503, "", "healthcheck HTTP 503: DISABLED BY FILE"},
		{"/garbage", false, 200, "", "body larger than 1 MiB"},
		{"/nope", false, 404, "", "HTTP 404"},
	}
	for _, tc := range cases {
		r := DefaultProbers().Poll(context.Background(), endpointTarget(srv.URL+tc.path, &config.Service{Name: "keystone"}, nil, 2*time.Second))
		e := r.Endpoint
		if e == nil || e.OK != tc.ok || e.StatusCode != tc.code || e.Version != tc.version || !strings.Contains(e.Error, tc.errHas) {
			t.Errorf("%s: got %+v", tc.path, e)
		}
		if r.Err != "" {
			t.Errorf("%s: an answer is not a source failure: %q", tc.path, r.Err)
		}
	}
}

func TestEndpointAcceptsButNeverAnswers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // hold it open, say nothing
		}
	}()
	// "timed out" is the words for the poll's own deadline, so the timeout
	// (not the peer) ended it; a probe that ignored it would hang the test.
	r := DefaultProbers().Poll(context.Background(), endpointTarget("http://"+ln.Addr().String()+"/", &config.Service{Name: "nova"}, nil, 300*time.Millisecond))
	if r.Endpoint.OK || r.Endpoint.Error != "timed out" || r.Err != "timed out" {
		t.Errorf("got %+v / %q", r.Endpoint, r.Err)
	}
}

func TestEndpointConnectionRefused(t *testing.T) {
	t.Parallel()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	r := DefaultProbers().Poll(context.Background(), endpointTarget("http://"+addr+"/", &config.Service{Name: "nova"}, nil, time.Second))
	if r.Endpoint.OK || r.Endpoint.Error != "connection refused" {
		t.Errorf("got %+v", r.Endpoint)
	}
}

func TestEndpointTLSNeedsCA(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"versions":[{"id":"v2.0","status":"CURRENT"}]}`))
	}))
	defer srv.Close()
	r := DefaultProbers().Poll(context.Background(), endpointTarget(srv.URL+"/", &config.Service{Name: "neutron"}, nil, 2*time.Second))
	if r.Endpoint.OK || !strings.Contains(r.Endpoint.Error, "TLS") {
		t.Errorf("self-signed cert accepted without CA: %+v", r.Endpoint)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	svc := &config.Service{Name: "neutron", HTTP: &promconfig.HTTPClientConfig{TLSConfig: promconfig.TLSConfig{CAFile: caFile}}}
	r = DefaultProbers().Poll(context.Background(), endpointTarget(srv.URL+"/", svc, nil, 2*time.Second))
	if !r.Endpoint.OK || r.Endpoint.Version != "v2.0" || !r.Endpoint.TLS || r.Endpoint.TLSDaysLeft <= 0 {
		t.Errorf("with CA: %+v", r.Endpoint)
	}
	// Cluster-wide settings apply when the service has none.
	cc := &config.Cluster{Name: "c", HTTP: &promconfig.HTTPClientConfig{TLSConfig: promconfig.TLSConfig{InsecureSkipVerify: true}}}
	r = DefaultProbers().Poll(context.Background(), endpointTarget(srv.URL+"/", &config.Service{Name: "neutron"}, cc, 2*time.Second))
	if !r.Endpoint.OK {
		t.Errorf("cluster insecure_skip_verify not used: %+v", r.Endpoint)
	}
}

func TestCurrentVersionShapes(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"versions":{"values":[{"id":"v2.0","status":"deprecated"},{"id":"v3.14","status":"stable"}]}}`: "v3.14",
		`{"versions":[{"id":"v2.1","status":"CURRENT"}]}`:                                                "v2.1",
		`{"version":{"id":"v3.14","status":"stable"}}`:                                                   "v3.14",
		`<html>`: "",
	} {
		if got := CurrentVersion([]byte(body)); got != want {
			t.Errorf("%s → %q, want %q", body, got, want)
		}
	}
}
