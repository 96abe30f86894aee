package main

import "errors"

// closeInto is for defer in a function with a named error result: it runs
// close and joins its error, if any, into *err, so a failure to stop what
// a command started (an embedded cluster, a managed Prometheus, a tap's
// recording) is reported instead of dropped. An error *err already holds
// (a second Stop or Close of a once-closer, after the command checked the
// first) is not added twice.
func closeInto(err *error, close func() error) {
	if cerr := close(); cerr != nil && !errors.Is(*err, cerr) {
		*err = errors.Join(*err, cerr)
	}
}
