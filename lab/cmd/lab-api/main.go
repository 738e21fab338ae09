// Command lab-api is the lab's fake OpenStack API servers: lab/lib/node-init
// runs one per controller namespace. It serves every demo service's healthy
// version document on each --listen address until SIGTERM/SIGINT. It is a
// command of the lab, not a subcommand of hacon, so the product binary
// carries no test fixture.
package main

import (
	"context"
	"errors"
	"flag"
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

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr))
}

// listenFlags collects repeated --listen values.
type listenFlags []string

func (l *listenFlags) String() string     { return strings.Join(*l, ",") }
func (l *listenFlags) Set(v string) error { *l = append(*l, v); return nil }

// run serves until ctx ends or a server fails, and returns the exit code.
func run(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("lab-api", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var listen listenFlags
	fs.Var(&listen, "listen", "host:port to serve on (repeatable)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || len(listen) == 0 {
		fmt.Fprintln(stderr, "lab-api: usage: lab-api --listen host:port [--listen host:port ...]")
		return 2
	}
	h := demo.StaticAPIHandler()
	errc := make(chan error, len(listen))
	var servers []*http.Server
	for _, addr := range listen {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			fmt.Fprintf(stderr, "lab-api: %v\n", err)
			shutdown(servers)
			return 1
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
		servers = append(servers, srv)
		go func() { errc <- srv.Serve(ln) }()
	}
	fmt.Fprintf(stderr, "lab-api: serving on %s\n", listen.String())
	code := 0
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stderr, "lab-api: %v\n", err)
			code = 1
		}
	}
	shutdown(servers)
	return code
}

func shutdown(servers []*http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	for _, s := range servers {
		_ = s.Shutdown(ctx)
	}
}
