package app

import (
	"testing"

	"github.com/hacon/hacon/config"
)

// Only a config that reads planes from Prometheus gets the lower GOGC: a
// directly polled fleet keeps the default (its collections cost CPU).
func TestReadsPrometheus(t *testing.T) {
	t.Parallel()
	direct, err := config.Parse("direct.yaml", []byte("clusters:\n  - name: a\n    controllers: [{name: c0, address: 127.0.0.1}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	prom, err := config.Parse("prom.yaml", []byte("prometheus: {url: 'http://127.0.0.1:9090'}\nclusters:\n  - name: a\n    controllers: [{name: c0, address: 127.0.0.1}]\n    prometheus: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if readsPrometheus(direct) || readsPrometheus(nil) || !readsPrometheus(prom) {
		t.Errorf("direct %v, nil %v, prometheus %v; want false, false, true",
			readsPrometheus(direct), readsPrometheus(nil), readsPrometheus(prom))
	}
}
