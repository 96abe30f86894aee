package tap

import (
	"net/url"
	"time"

	"k8s.io/apimachinery/pkg/types"
	auditv1 "k8s.io/apiserver/pkg/apis/audit/v1"
)

// auditConverter turns the API server's audit events (JSON lines, one per
// stage) into Records: one per request, at its ResponseComplete or Panic
// stage. A long-running request (watch) also logs ResponseStarted, which
// gives its first byte; other requests have no first-byte time (0).
// Audit events carry no byte counts and no watch event counts.
type auditConverter struct {
	started map[types.UID]time.Time
}

func newAuditConverter() *auditConverter {
	return &auditConverter{started: map[types.UID]time.Time{}}
}

func (c *auditConverter) convert(e *auditv1.Event) (Record, bool) {
	switch e.Stage {
	case auditv1.StageResponseStarted:
		c.started[e.AuditID] = e.StageTimestamp.Time
		return Record{}, false
	case auditv1.StageResponseComplete, auditv1.StagePanic:
	default:
		return Record{}, false
	}
	start := e.RequestReceivedTimestamp.Time
	r := Record{
		Start:     start,
		Source:    SourceAudit,
		User:      e.User.Username,
		UserAgent: e.UserAgent,
		Verb:      e.Verb,
		LastByte:  e.StageTimestamp.Sub(start),
	}
	if t, ok := c.started[e.AuditID]; ok {
		r.FirstByte = t.Sub(start)
		delete(c.started, e.AuditID)
	}
	if len(e.SourceIPs) > 0 {
		r.Client = e.SourceIPs[0]
	}
	if o := e.ObjectRef; o != nil {
		r.Group, r.Version, r.Resource, r.Subresource = o.APIGroup, o.APIVersion, o.Resource, o.Subresource
		r.Namespace, r.Name = o.Namespace, o.Name
	}
	if r.Resource == "" {
		r.Path = e.RequestURI
		if u, err := url.ParseRequestURI(e.RequestURI); err == nil {
			r.Path = u.Path
		}
	}
	if s := e.ResponseStatus; s != nil {
		r.Status = int(s.Code)
		if r.Status >= 400 {
			r.Error = s.Message
		}
	}
	if e.Stage == auditv1.StagePanic && r.Status == 0 {
		r.Status = 500
		r.Error = "the API server panicked serving the request"
	}
	return r, true
}
