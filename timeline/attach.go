package timeline

import (
	"slices"
	"time"
)

// attachSlack is how far before an incident opened (or after it ended) an
// action still counts as part of it: an operator acts just before the
// trouble (a fence) or just after it ends (a cleanup).
const attachSlack = 2 * time.Minute

// AttachActions puts actions read from the audit log into the incidents
// read from the events log: into the incident that already names the
// action (by its action_id), else into one of the same cluster that
// shares a node, service or VIP and was open around the action's time.
// The audit log's record wins over the events log's. It returns the
// actions that belong to no incident. incs is changed in place.
func AttachActions(clusterName string, incs []*Incident, acts []Action) (loose []Action) {
	for _, a := range acts {
		if inc, k := byActionID(incs, a.ID); inc != nil {
			a.Keys = inc.Actions[k].Keys
			inc.Actions[k] = a
			continue
		}
		if inc := aroundAction(clusterName, incs, a); inc != nil {
			inc.Actions = append(inc.Actions, a)
			slices.SortStableFunc(inc.Actions, func(x, y Action) int { return x.Time.Compare(y.Time) })
			continue
		}
		loose = append(loose, a)
	}
	return loose
}

func byActionID(incs []*Incident, id string) (*Incident, int) {
	if id == "" {
		return nil, 0
	}
	for _, inc := range incs {
		for k, a := range inc.Actions {
			if a.ID == id {
				return inc, k
			}
		}
	}
	return nil, 0
}

func aroundAction(clusterName string, incs []*Incident, a Action) *Incident {
	for _, inc := range incs {
		if inc.Cluster != clusterName {
			continue
		}
		end := firstNonZero(inc.Closed, inc.Seen, inc.Cleared)
		if a.Time.Before(inc.Opened.Add(-attachSlack)) || (!end.IsZero() && a.Time.After(end.Add(attachSlack))) {
			continue
		}
		for _, k := range a.Keys {
			if inc.Keys[k] {
				return inc
			}
		}
	}
	return nil
}

func firstNonZero(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
