// Package cilium is perflab's Cilium tuning advisor. It answers tuning
// questions before anyone restarts an agent:
//
//   - maps: the "BPF Maps" table of `cilium-dbg status --verbose`, computed
//     with the agent's own sizing algorithm (Cilium v1.18,
//     pkg/option/config.go calculateBPFMapSizes / getDynamicSizeCalculator);
//   - pressure: ranks maps from `cilium metrics list` or Prometheus
//     exposition and says what a full map does and which knob to turn;
//   - plan: forecasts entries per map for a workload, the smallest
//     bpf.mapDynamicSizeRatio that keeps every map under a target pressure,
//     and the conntrack GC interval the agent would settle on;
//   - doctor: kernel facts of this machine (BIG TCP, netkit, eBPF host
//     routing) and a Helm values check against the v1.18 chart;
//   - ces: CiliumEndpointSlice count and watch-event estimates.
//
// Facts (constants, formulas, messages) come from the cilium/cilium v1.18.4
// source tree; every one cites the file it comes from. No Cilium code is
// imported or copied.
package cilium
