package tap

import (
	"net/http"
	"strings"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apiserver/pkg/endpoints/request"
)

// classifier names requests the way the API server does, with its own
// resolver, so verbs match the audit log and the API server's metrics.
type classifier struct{ f *request.RequestInfoFactory }

func newClassifier() classifier {
	return classifier{&request.RequestInfoFactory{
		APIPrefixes:          sets.NewString("api", "apis"),
		GrouplessAPIPrefixes: sets.NewString("api"),
	}}
}

// classify fills the request fields of a Record.
func (c classifier) classify(req *http.Request, rec *Record) {
	rec.Method = req.Method
	info, err := c.f.NewRequestInfo(req)
	if err != nil || !info.IsResourceRequest {
		rec.Verb = strings.ToLower(req.Method)
		rec.Path = req.URL.Path
		return
	}
	rec.Verb = info.Verb
	rec.Group = info.APIGroup
	rec.Version = info.APIVersion
	rec.Resource = info.Resource
	rec.Subresource = info.Subresource
	rec.Namespace = info.Namespace
	rec.Name = info.Name
}
