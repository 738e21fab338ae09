package demo

import (
	"bytes"
	"fmt"
	"html"
	"strings"
	"time"
)

// crmMonXML renders the simulated cluster exactly in the shape Pacemaker
// 2.1's `crm_mon --one-shot --inactive --output-as=xml` prints.
func (s *sim) crmMonXML() []byte {
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	dc := s.firstOnline()
	w("<pacemaker-result api-version=\"2.25\" request=\"crm_mon --one-shot --inactive --output-as=xml\">\n  <summary>\n")
	w("    <stack type=\"corosync\"/>\n")
	w("    <current_dc present=\"%t\" version=\"2.1.5-a3f44794f94\" name=\"%s\" id=\"%d\" with_quorum=\"%t\" mixed_version=\"false\"/>\n", dc != "", dc, nodeID(dc), s.quorum())
	w("    <last_update time=\"%s\"/>\n", time.Now().Format(time.ANSIC))
	w("    <last_change time=\"%s\" user=\"hacluster\" client=\"crmd\" origin=\"%s\"/>\n", s.lastChange.Format(time.ANSIC), dc)
	w("    <nodes_configured number=\"%d\"/>\n    <resources_configured number=\"%d\" disabled=\"0\" blocked=\"0\"/>\n", len(NodeNames), 40)
	w("    <cluster_options stonith-enabled=\"true\" symmetric-cluster=\"true\" no-quorum-policy=\"stop\" maintenance-mode=\"false\" stop-all-resources=\"false\" stonith-timeout-ms=\"60000\" priority-fencing-delay-ms=\"0\"/>\n  </summary>\n  <nodes>\n")
	for _, n := range NodeNames {
		on := s.powered[n]
		running := 0
		if on {
			running = 10
		}
		w("    <node name=\"%s\" id=\"%d\" online=\"%t\" standby=\"%t\" standby_onfail=\"false\" maintenance=\"false\" pending=\"false\" unclean=\"false\" health=\"green\" feature_set=\"3.16.2\" shutdown=\"false\" expected_up=\"%t\" is_dc=\"%t\" resources_running=\"%d\" type=\"member\"/>\n",
			n, nodeID(n), on, s.standby[n], on, n == dc, running)
	}
	w("  </nodes>\n  <resources>\n")
	for _, sp := range specs {
		s.writeResource(&b, sp)
	}
	for _, v := range vipSpecs {
		s.writePrimitive(&b, "    ", v.Resource, "ocf:heartbeat:IPaddr2", s.placement[v.Resource], "Started", false)
	}
	for i, n := range NodeNames {
		// Each fence device runs anywhere but on the node it fences.
		s.writePrimitive(&b, "    ", "stonith-fence_redfish-"+n, "stonith:fence_redfish", s.firstOnlineExcept(n), "Started", false)
		_ = i
	}
	w("  </resources>\n")
	s.writeFailures(&b)
	s.writeBans(&b)
	s.writeFenceHistory(&b)
	w("  <status code=\"0\" message=\"OK\"/>\n</pacemaker-result>\n")
	return b.Bytes()
}

func nodeID(n string) int {
	for i, name := range NodeNames {
		if name == n {
			return i + 1
		}
	}
	return 0
}

func (s *sim) firstOnlineExcept(x string) string {
	for _, n := range NodeNames {
		if n != x && s.powered[n] {
			return n
		}
	}
	return ""
}

func (s *sim) writeResource(b *bytes.Buffer, sp svcSpec) {
	switch sp.Kind {
	case "primitive":
		node := s.placement[sp.Resource]
		s.writePrimitive(b, "    ", sp.Prim, sp.Agent, node, "Started", s.stopped[cellKey{sp.Name, node}])
	case "clone", "promotable":
		fmt.Fprintf(b, "    <clone id=\"%s\" multi_state=\"%t\" unique=\"false\" managed=\"true\" disabled=\"false\" failed=\"false\" failure_ignored=\"false\">\n", sp.Resource, sp.Kind == "promotable")
		for _, n := range NodeNames {
			if !s.eligible(sp.Resource, n) {
				s.writePrimitive(b, "      ", sp.Prim, sp.Agent, "", "Stopped", false)
				continue
			}
			role := "Started"
			if sp.Kind == "promotable" {
				role = "Unpromoted"
				if sp.MaxProm > 1 || s.placement[sp.Resource] == n {
					role = "Promoted"
				}
			}
			s.writePrimitive(b, "      ", sp.Prim, sp.Agent, n, role, s.stopped[cellKey{sp.Name, n}])
		}
		b.WriteString("    </clone>\n")
	}
}

func (s *sim) writePrimitive(b *bytes.Buffer, indent, id, agent, node, role string, failed bool) {
	if node == "" {
		fmt.Fprintf(b, "%s<resource id=\"%s\" resource_agent=\"%s\" role=\"Stopped\" active=\"false\" orphaned=\"false\" blocked=\"false\" managed=\"true\" failed=\"false\" failure_ignored=\"false\" nodes_running_on=\"0\"/>\n", indent, id, agent)
		return
	}
	fmt.Fprintf(b, "%s<resource id=\"%s\" resource_agent=\"%s\" role=\"%s\" active=\"true\" orphaned=\"false\" blocked=\"false\" managed=\"true\" failed=\"%t\" failure_ignored=\"false\" nodes_running_on=\"1\">\n%s  <node name=\"%s\" id=\"%d\" cached=\"true\"/>\n%s</resource>\n",
		indent, id, agent, role, failed, indent, node, nodeID(node), indent)
}

func (s *sim) writeFailures(b *bytes.Buffer) {
	var rows []string
	for _, sp := range specs {
		for _, n := range NodeNames {
			k := cellKey{sp.Name, n}
			if !s.stopped[k] || !s.powered[n] {
				continue
			}
			rows = append(rows, fmt.Sprintf("    <failure op_key=\"%s_monitor_60000\" node=\"%s\" exitstatus=\"not running\" exitreason=\"process not running\" exitcode=\"7\" call=\"%d\" status=\"complete\" last-rc-change=\"%s\" queued=\"0\" exec=\"0\" interval=\"60000\" task=\"monitor\"/>\n",
				sp.Prim, n, 100+s.failcounts[k], s.lastChange.UTC().Format("2006-01-02 15:04:05Z")))
		}
	}
	if len(rows) == 0 {
		return
	}
	b.WriteString("  <failures>\n" + strings.Join(rows, "") + "  </failures>\n")
}

func (s *sim) writeBans(b *bytes.Buffer) {
	var rows []string
	for _, c := range s.constraints {
		if c.Kind == "cli-ban" {
			rows = append(rows, fmt.Sprintf("    <ban id=\"%s\" resource=\"%s\" node=\"%s\" weight=\"-1000000\" promoted-only=\"false\" master_only=\"false\"/>\n", c.ID, c.Resource, c.Node))
		}
	}
	if len(rows) > 0 {
		b.WriteString("  <bans>\n" + strings.Join(rows, "") + "  </bans>\n")
	}
}

func (s *sim) writeFenceHistory(b *bytes.Buffer) {
	if len(s.fences) == 0 {
		return
	}
	b.WriteString("  <fence_history>\n")
	for i := len(s.fences) - 1; i >= 0; i-- {
		f := s.fences[i]
		fmt.Fprintf(b, "    <fence_event status=\"%s\" extended-status=\"\" delegate=\"%s\" action=\"%s\" target=\"%s\" client=\"%s\" origin=\"%s\" completed=\"%s\"/>\n",
			f.Status, f.Delegate, f.Action, f.Target, html.EscapeString(f.Client), f.Origin, f.Completed)
	}
	b.WriteString("  </fence_history>\n")
}

// DemoFencePassword is the demo fence devices' password parameter, for
// tests that prove it never reaches any output.
const DemoFencePassword = "demo-fence-secret-0451"

// cibResources is `cibadmin --query --scope resources`: enough of the CIB
// for promoted-max to be read.
func (s *sim) cibResources() []byte {
	var b bytes.Buffer
	b.WriteString("<resources>\n")
	for _, sp := range specs {
		parts := strings.SplitN(sp.Agent, ":", 3)
		prim := fmt.Sprintf("<primitive id=\"%s\" class=\"%s\" type=\"%s\"/>", sp.Prim, parts[0], parts[len(parts)-1])
		switch sp.Kind {
		case "primitive":
			b.WriteString("  " + prim + "\n")
		case "clone":
			fmt.Fprintf(&b, "  <clone id=\"%s\">%s</clone>\n", sp.Resource, prim)
		case "promotable":
			fmt.Fprintf(&b, "  <clone id=\"%s\"><meta_attributes id=\"%s-meta\"><nvpair id=\"%s-p\" name=\"promotable\" value=\"true\"/><nvpair id=\"%s-pm\" name=\"promoted-max\" value=\"%d\"/></meta_attributes>%s</clone>\n",
				sp.Resource, sp.Resource, sp.Resource, sp.Resource, sp.MaxProm, prim)
		}
	}
	for _, v := range vipSpecs {
		fmt.Fprintf(&b, "  <primitive id=\"%s\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\"><instance_attributes id=\"%s-ia\"><nvpair id=\"%s-ip\" name=\"ip\" value=\"%s\"/></instance_attributes></primitive>\n", v.Resource, v.Resource, v.Resource, v.Address)
	}
	for _, n := range NodeNames {
		// The password is there as in a real CIB: hacon must never show it.
		id := "stonith-fence_redfish-" + n
		fmt.Fprintf(&b, "  <primitive id=\"%s\" class=\"stonith\" type=\"fence_redfish\"><instance_attributes id=\"%s-ia\"><nvpair id=\"%s-hl\" name=\"pcmk_host_list\" value=\"%s\"/><nvpair id=\"%s-pw\" name=\"password\" value=\"%s\"/></instance_attributes></primitive>\n", id, id, id, n, id, DemoFencePassword)
	}
	b.WriteString("</resources>\n")
	return b.Bytes()
}

// cibConstraints is `cibadmin --query --scope constraints`.
func (s *sim) cibConstraints() []byte {
	var b bytes.Buffer
	b.WriteString("<constraints>\n")
	for _, c := range s.constraints {
		score := "INFINITY"
		if c.Kind == "cli-ban" {
			score = "-INFINITY"
		}
		fmt.Fprintf(&b, "  <rsc_location id=\"%s\" rsc=\"%s\" role=\"Started\" node=\"%s\" score=\"%s\"/>\n", c.ID, c.Resource, c.Node, score)
	}
	b.WriteString("</constraints>\n")
	return b.Bytes()
}
