package cilium

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/perflab/perflab/results"
)

// Row names exactly as `cilium-dbg status --verbose` prints them
// (pkg/status/status_collector.go getBPFMapStatus).
const (
	RowAuth        = "Auth"
	RowCTAny       = "Non-TCP connection tracking"
	RowCTTCP       = "TCP connection tracking"
	RowEndpoints   = "Endpoints"
	RowIPCache     = "IP cache"
	RowMasq4       = "IPv4 masquerading agent"
	RowMasq6       = "IPv6 masquerading agent"
	RowFragments   = "IPv4 fragmentation"
	RowSvc4        = "IPv4 service"
	RowSvc6        = "IPv6 service"
	RowBackend4    = "IPv4 service backend"
	RowBackend6    = "IPv6 service backend"
	RowRevNat4     = "IPv4 service reverse NAT"
	RowRevNat6     = "IPv6 service reverse NAT"
	RowMetrics     = "Metrics"
	RowRatelimit   = "Ratelimit metrics"
	RowNAT         = "NAT"
	RowNeigh       = "Neighbor table"
	RowPolicy      = "Endpoint policy"
	RowPolicyStats = "Policy stats"
	RowAffinity    = "Session affinity"
	RowSockRev     = "Sock reverse NAT"
)

// MapRow is one line of the table.
type MapRow struct {
	Name    string `json:"name"`
	Size    int    `json:"size"`
	Dynamic bool   `json:"dynamic"`
}

// Rows returns the table in the agent's order.
func (s *MapSizes) Rows() []MapRow {
	rows := []MapRow{
		{RowAuth, s.Auth, false},
		{RowCTAny, s.CTAny, false},
		{RowCTTCP, s.CTTCP, false},
		{RowEndpoints, EndpointsMapEntries, false},
		{RowIPCache, IPCacheMapEntries, false},
		{RowMasq4, IPMasqMapEntriesIPv4, false},
		{RowMasq6, IPMasqMapEntriesIPv6, false},
		{RowFragments, s.Fragments, false},
		{RowSvc4, s.LBService, false},
		{RowSvc6, s.LBService, false},
		{RowBackend4, s.LBBackend, false},
		{RowBackend6, s.LBBackend, false},
		{RowRevNat4, s.LBRevNat, false},
		{RowRevNat6, s.LBRevNat, false},
		{RowMetrics, MetricsMapEntries, false},
		{RowRatelimit, RatelimitMetricsMapEntries, false},
		{RowNAT, s.NAT, false},
		{RowNeigh, s.Neigh, false},
		{RowPolicy, s.Policy, false},
		{RowPolicyStats, s.PolicyStats, false},
		{RowAffinity, s.LBAffinity, false},
		{RowSockRev, s.SockRev, false},
	}
	for i := range rows {
		rows[i].Dynamic = s.Dynamic[rows[i].Name]
	}
	return rows
}

// Size returns the size of the row called name, or 0.
func (s *MapSizes) Size(name string) int {
	for _, r := range s.Rows() {
		if r.Name == name {
			return r.Size
		}
	}
	return 0
}

// WriteTable prints the "BPF Maps" block as pkg/client/client.go
// FormatStatusResponse does: the header line through the status command's
// tabwriter (minwidth 2, padding 3: "BPF Maps:" plus three blanks, as it is
// the block's only line here) and the rows with three blanks between the
// columns, left-aligned, each line indented by two spaces.
func (s *MapSizes) WriteTable(w io.Writer) error {
	status := "off"
	if r := s.DynamicSizeRatio; 0.0 < r && r <= 1.0 {
		status = fmt.Sprintf("on (ratio: %f)", r)
	}
	t := results.Table{
		Title:  "BPF Maps:   dynamic sizing: " + status,
		Header: []string{"Name", "Size"},
		Indent: "  ", Sep: "   ", Plain: true,
	}
	for _, r := range s.Rows() {
		t.Add(r.Name, r.Size)
	}
	return t.Render(w)
}

// mapsJSON is the --json document.
type mapsJSON struct {
	Node             Node     `json:"node"`
	DynamicSizeRatio float64  `json:"dynamicSizeRatio"`
	DistributedLRU   bool     `json:"distributedLRU"`
	MemoryForMaps    int      `json:"memoryForMapsBytes"`
	Maps             []MapRow `json:"maps"`
	Warnings         []string `json:"warnings,omitempty"`
}

// WriteJSON prints the sizes as one JSON document.
func (s *MapSizes) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(mapsJSON{
		Node: s.Node, DynamicSizeRatio: s.DynamicSizeRatio, DistributedLRU: s.DistributedLRU,
		MemoryForMaps: s.MemoryForMaps, Maps: s.Rows(), Warnings: s.Warnings,
	})
}
