// Package wait is perflab's one waiter: an informer (list once, then watch)
// over the objects of interest and a readiness predicate per kind, bounded by
// the caller's context. Kinds differ only by their predicate, kept as a table.
package wait
