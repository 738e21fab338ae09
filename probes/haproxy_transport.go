package probes

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/hacon/hacon/cluster"
	"github.com/hacon/hacon/haproxyapi"
)

// fetchHTTP GETs a stats page (CSV or /metrics) and returns its body, read
// up to haproxyapi.MaxReply. Failures are worded like the sockets' ones.
func fetchHTTP(ctx context.Context, client *http.Client, rawURL string) ([]byte, error) {
	return fetchHTTPCapped(ctx, client, rawURL, haproxyapi.MaxReply)
}

func fetchHTTPCapped(ctx context.Context, client *http.Client, rawURL string, limit int64) ([]byte, error) {
	ctx, cancel, budget := haproxyapi.WithDeadline(ctx)
	defer cancel()
	shown := cluster.RedactURL(rawURL)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, &haproxyapi.TransportError{What: "stats page", Addr: shown, Words: "bad URL", Err: err}
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, haproxyapi.NetFailure(ctx, "stats page", shown, budget, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &haproxyapi.TransportError{What: "stats page", Addr: shown,
			Words: fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))}
	}
	body, err := haproxyapi.ReadCapped(resp.Body, limit)
	if err != nil {
		return nil, haproxyapi.NetFailure(ctx, "stats page", shown, budget, err)
	}
	return body, nil
}
