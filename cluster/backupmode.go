package cluster

// haproxyActivePassive makes a service with no mode and no Pacemaker
// resource active/passive when HAProxy alone says so: one or more active
// servers and the others marked backup (kolla's MariaDB behind HAProxy).
// Such a service serves where its active server is UP; when none is,
// HAProxy sends traffic to a backup, which then serves it. A service
// configured active-passive without a resource is counted the same way
// (hacon discover writes the mode it saw).
func haproxyActivePassive(svc *Service, configuredMode string, res *Resource) {
	if res != nil || (configuredMode != "" && configuredMode != ModeActivePassive) {
		return
	}
	active, backup := 0, 0
	for _, c := range svc.Cells {
		if len(c.LB) == 0 {
			continue
		}
		if c.Backup() {
			backup++
		} else {
			active++
		}
	}
	if active == 0 || backup == 0 {
		return
	}
	svc.Mode, svc.Expected = ModeActivePassive, 1
	countActivePassive(svc)
}

// backupServed reports whether HAProxy's backup flags decide where an
// active/passive service without a Pacemaker resource serves.
func backupServed(svc *Service) bool {
	if svc.Mode != ModeActivePassive || svc.Resource != "" {
		return false
	}
	for _, c := range svc.Cells {
		if c.Backup() {
			return true
		}
	}
	return false
}

// countActivePassive counts such a service: one instance, served by its
// active server when that one serves, else by a backup that does.
func countActivePassive(svc *Service) {
	svc.Serving = 0
	backupServing := false
	for _, c := range svc.Cells {
		switch {
		case !c.Serving():
		case c.Backup():
			backupServing = true
		default:
			svc.Serving++
		}
	}
	if svc.Serving == 0 && backupServing {
		svc.Serving = 1
	}
}
