// Package wait is perflab's one waiter: a list-watch (list once, then watch)
// over the objects of interest that keeps ready-or-not per object, not the
// object (kube.Sink), and a readiness predicate per kind, bounded by the
// caller's context. Kinds differ only by their predicate, kept as a table.
package wait
