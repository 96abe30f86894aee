package tap

import (
	"fmt"
	"time"
)

// Sources of a Record.
const (
	SourceTap   = "tap"   // seen by the proxy
	SourceAudit = "audit" // converted from the API server's audit log
)

// Record is one API request. Durations are in nanoseconds in JSON.
type Record struct {
	Start     time.Time `json:"start"`
	Source    string    `json:"source"`
	Client    string    `json:"client,omitempty"` // client address (tap) or source IP (audit)
	User      string    `json:"user,omitempty"`   // authenticated user (audit only)
	UserAgent string    `json:"userAgent,omitempty"`
	// Verb is the API server's verb: get, list, watch, create, update,
	// patch, delete, deletecollection, proxy; for non-resource paths the
	// lower-case HTTP method.
	Verb        string `json:"verb"`
	Method      string `json:"method,omitempty"`
	Group       string `json:"group,omitempty"`
	Version     string `json:"version,omitempty"`
	Resource    string `json:"resource,omitempty"`
	Subresource string `json:"subresource,omitempty"`
	Namespace   string `json:"namespace,omitempty"`
	Name        string `json:"name,omitempty"`
	// Path is set for non-resource requests (/version, /healthz, discovery).
	Path   string `json:"path,omitempty"`
	Status int    `json:"status"`
	// FirstByte is the time from the request's start to the response
	// header; LastByte to the last response byte. For a watch, LastByte is
	// how long the watch lasted.
	FirstByte     time.Duration `json:"firstByteNs"`
	LastByte      time.Duration `json:"lastByteNs"`
	RequestBytes  int64         `json:"requestBytes"`
	ResponseBytes int64         `json:"responseBytes"`
	// WatchEvents counts the events a watch delivered.
	WatchEvents int64  `json:"watchEvents,omitempty"`
	Error       string `json:"error,omitempty"`
}

// Failed reports whether the call failed: an error status or no response.
func (r Record) Failed() bool { return r.Status >= 400 || r.Status == 0 }

// Latency is the figure summaries rank by: the time to the last byte, or
// for a watch (which lasts as long as the client wants) the time until the
// server answered it.
func (r Record) Latency() time.Duration {
	if r.Verb == "watch" {
		return r.FirstByte
	}
	return r.LastByte
}

// Call names what was called, as kubectl names a resource:
// "pods", "deployments.apps", "pods/status", or the path of a non-resource
// request.
func (r Record) Call() string {
	if r.Resource == "" {
		return r.Path
	}
	s := r.Resource
	if r.Group != "" {
		s += "." + r.Group
	}
	if r.Subresource != "" {
		s += "/" + r.Subresource
	}
	return s
}

func (r Record) String() string {
	return fmt.Sprintf("%s %s %d %s", r.Verb, r.Call(), r.Status, r.LastByte)
}
