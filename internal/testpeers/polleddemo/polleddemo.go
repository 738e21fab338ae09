// Package polleddemo is the embedded demo cluster watched by hacon as the
// console assembles it (internal/app): real probes on a running scheduler,
// the shared BMC pool and the real executor, its audit log in the test's
// directory. The tests of several packages share it.
//
// It is its own package, not part of internal/testpeers, because it
// imports actions and bmc, whose own tests use the ipmi_sim and HAProxy
// peers there.
package polleddemo

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/hacon/hacon/internal/app"
)

// Start starts the demo, polls it every interval (the BMCs too) and
// returns once one full poll has landed. Actions verify within 10s.
// Everything stops when the test ends.
func Start(t testing.TB, interval time.Duration) *app.App {
	t.Helper()
	a, err := app.New(app.Options{
		Demo:          true,
		Interval:      interval,
		AuditLog:      filepath.Join(t.TempDir(), "audit.log"),
		VerifyTimeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	a.Start()
	a.Sched.PollOnce(context.Background())
	return a
}
