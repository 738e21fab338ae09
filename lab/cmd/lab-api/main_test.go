package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNeedsListen(t *testing.T) {
	var stderr bytes.Buffer
	if code := run(context.Background(), nil, &stderr); code != 2 || !strings.Contains(stderr.String(), "--listen") {
		t.Fatalf("no --listen: exit %d, %q", code, stderr.String())
	}
}

// hacon's endpoint probes ask every controller for keystone's version
// document: it must answer as a healthy keystone (300 Multiple Choices)
// until the context ends.
func TestServesVersionDocuments(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var stderr bytes.Buffer
	go func() { done <- run(ctx, []string{"--listen", addr}, &stderr) }()
	var resp *http.Response
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err = http.Get("http://" + addr + "/keystone/"); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		cancel()
		t.Fatalf("GET /keystone/: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMultipleChoices {
		t.Errorf("GET /keystone/: %s", resp.Status)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d after cancel: %s", code, stderr.String())
	}
}
