// Package progress prints the one periodic progress line of long operations:
// done/total, achieved rate and, when known, how many objects are ready.
package progress
