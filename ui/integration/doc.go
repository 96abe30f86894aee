// Package integration tests the live view against the embedded cluster in a
// real browser (Debian's chromium, headless, driven over the DevTools
// protocol). It is a separate package so that package ui does not link the
// control plane.
package integration
