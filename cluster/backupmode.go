package cluster

// haproxyActivePassive makes a service with no mode and no Pacemaker
// resource active/passive when HAProxy alone says so: one or more active
// servers and the others marked backup (kolla's MariaDB behind HAProxy).
// Such a service serves where its active server is UP; when none is,
// HAProxy sends traffic to a backup, which then serves it.
func haproxyActivePassive(svc *Service, configuredMode string, res *Resource) {
	if configuredMode != "" || res != nil {
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
	svc.Mode, svc.Expected, svc.Serving = ModeActivePassive, 1, 0
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
