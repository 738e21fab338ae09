package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/hacon/hacon/demo"
)

// listenFlags collects repeated --listen values.
type listenFlags []string

func (l *listenFlags) String() string     { return strings.Join(*l, ",") }
func (l *listenFlags) Set(v string) error { *l = append(*l, v); return nil }

// cmdLabAPI is the hidden `hacon lab-api` subcommand: the fake OpenStack
// API servers of the lab (lab/up runs one per controller namespace). It
// serves every demo service's healthy version document on each address
// until SIGTERM/SIGINT.
func cmdLabAPI(ctx context.Context, args []string, _, stderr io.Writer) int {
	fs := newFlagSet("lab-api", stderr)
	var listen listenFlags
	fs.Var(&listen, "listen", "host:port to serve on (repeatable)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if len(listen) == 0 {
		fmt.Fprintln(stderr, "hacon lab-api: at least one --listen host:port is needed")
		return 2
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	h := demo.StaticAPIHandler()
	errc := make(chan error, len(listen))
	var servers []*http.Server
	for _, addr := range listen {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			fmt.Fprintf(stderr, "hacon lab-api: %v\n", err)
			labAPIShutdown(servers)
			return 1
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
		servers = append(servers, srv)
		go func() { errc <- srv.Serve(ln) }()
	}
	fmt.Fprintf(stderr, "hacon lab-api: serving on %s\n", listen.String())
	code := 0
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stderr, "hacon lab-api: %v\n", err)
			code = 1
		}
	}
	labAPIShutdown(servers)
	return code
}

func labAPIShutdown(servers []*http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, s := range servers {
		_ = s.Shutdown(ctx)
	}
}
