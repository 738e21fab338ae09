package demo

import (
	"fmt"
	"net/http"
	"strings"
)

// StaticAPIHandler serves, for every demo service with an endpoint path,
// its healthy version document (the status and body a real, healthy
// service answers). The lab runs it on each controller as the fake
// OpenStack APIs behind the real HAProxies; it has no faults and no state.
func StaticAPIHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, sp := range specs {
			if sp.Path == "" || !strings.HasPrefix(r.URL.Path, strings.TrimSuffix(sp.Path, "/")) {
				continue
			}
			if strings.HasSuffix(sp.Doc, "}") {
				w.Header().Set("Content-Type", "application/json")
			} else {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
			}
			w.WriteHeader(sp.Status)
			if r.Method != http.MethodHead {
				fmt.Fprint(w, sp.Doc)
			}
			return
		}
		http.NotFound(w, r)
	})
}
