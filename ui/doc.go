// Package ui is perflab's live cluster view: a local web page that shows
// nodes as boxes and pods as tiles inside them, Pending pods with the
// scheduler's reason, per-node requests and usage, and, during a run, the
// run's progress and the API server's request rate and latency as charts.
//
// Nodes and pods come from client-go informers whose transforms keep only
// what the page shows. Events update a Model; each open page receives a
// coalesced view of it over server-sent events at most once per interval,
// so an event storm costs one rebuild per interval, not one per event.
// Views aggregate: a node shows at most a bounded number of tiles and counts
// beyond them, so 150,000 pods on 5,000 nodes stay responsive.
//
// The server binds 127.0.0.1 by default and refuses a non-loopback address
// without a token. It never serves credentials.
package ui
