package probes

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/hacon/hacon/cluster"
)

// maxRabbitNodes bounds the node lists kept from one answer.
const maxRabbitNodes = 256

// rabbitClusterStatus is the part of `rabbitmqctl cluster_status
// --formatter json` hacon reads (3.8 and later). Partitions is a map from
// a node to the nodes it cannot see; older tools print a list of pairs,
// so it is decoded by hand.
type rabbitClusterStatus struct {
	Running    []string        `json:"running_nodes"`
	Disk       []string        `json:"disk_nodes"`
	Partitions json.RawMessage `json:"partitions"`
	Alarms     []struct {
		Node     string `json:"node"`
		Resource string `json:"resource"`
		Type     string `json:"type"`
	} `json:"alarms"`
}

// ParseRabbitClusterStatus reads rabbitmqctl's JSON cluster status.
func ParseRabbitClusterStatus(r io.Reader, st *cluster.RabbitStatus) error {
	data, err := io.ReadAll(io.LimitReader(r, maxStatefulOutput+1))
	if err != nil {
		return fmt.Errorf("reading cluster_status: %w", err)
	}
	if len(data) > maxStatefulOutput {
		return fmt.Errorf("cluster_status larger than %d KiB", maxStatefulOutput>>10)
	}
	var cs rabbitClusterStatus
	if err := json.Unmarshal(data, &cs); err != nil {
		return fmt.Errorf("cluster_status is not the JSON rabbitmqctl prints: %v", err)
	}
	if cs.Running == nil && cs.Disk == nil {
		return fmt.Errorf("cluster_status has neither running_nodes nor disk_nodes")
	}
	st.Running, st.Disk = capList(cs.Running), capList(cs.Disk)
	for _, a := range cs.Alarms {
		if a.Node != "" && a.Resource != "" && len(st.Alarms) < maxRabbitNodes {
			st.Alarms = append(st.Alarms, cluster.RabbitAlarm{Node: a.Node, Resource: a.Resource})
		}
	}
	parts, err := parsePartitions(cs.Partitions)
	if err != nil {
		return err
	}
	st.Partitions = parts
	return nil
}

func capList(ss []string) []string {
	if len(ss) > maxRabbitNodes {
		ss = ss[:maxRabbitNodes]
	}
	return ss
}

// parsePartitions accepts {"node": ["other", …]} (3.8+) and
// [{"node": …, "partitions": […]}] shapes, and nothing else.
func parsePartitions(raw json.RawMessage) ([]cluster.RabbitPartition, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var byNode map[string][]string
	if err := json.Unmarshal(raw, &byNode); err != nil {
		var list []struct {
			Node       string   `json:"node"`
			Partitions []string `json:"partitions"`
		}
		if err2 := json.Unmarshal(raw, &list); err2 != nil {
			return nil, fmt.Errorf("cluster_status partitions: %v", err)
		}
		byNode = map[string][]string{}
		for _, p := range list {
			byNode[p.Node] = append(byNode[p.Node], p.Partitions...)
		}
	}
	var out []cluster.RabbitPartition
	for node, cut := range byNode {
		if len(cut) == 0 || len(out) >= maxRabbitNodes {
			continue
		}
		cut = capList(append([]string(nil), cut...))
		sort.Strings(cut)
		out = append(out, cluster.RabbitPartition{Node: node, CutFrom: cut})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Node < out[j].Node })
	return out, nil
}
