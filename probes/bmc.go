package probes

import (
	"context"

	"github.com/hacon/hacon/cluster"
)

// probeBMC asks the bmc package for one controller's power state. A BMC that
// answers with an error (wrong password, unreachable) is a failed source.
func probeBMC(ctx context.Context, t *Target) cluster.Result {
	st := t.Deps.BMC.Poll(ctx, t.ID.Cluster, *t.Controller)
	r := cluster.Result{BMC: &st, Skipped: st.Skipped}
	if st.Skipped {
		// The BMC is still busy with an earlier call: this is not a fresh
		// answer, so the source's age keeps growing.
		r.Err = st.Error
		return r
	}
	if !st.Reachable || !st.AuthOK {
		r.Err = st.Error
		if r.Err == "" {
			r.Err = "BMC did not answer"
		}
	}
	return r
}
