package tap

import (
	"net/http/httptest"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		method, url string
		want        Record
	}{
		{"GET", "/api/v1/namespaces/ns1/pods/p1", Record{Verb: "get", Version: "v1", Resource: "pods", Namespace: "ns1", Name: "p1"}},
		{"GET", "/api/v1/namespaces/ns1/pods", Record{Verb: "list", Version: "v1", Resource: "pods", Namespace: "ns1"}},
		{"GET", "/api/v1/pods?watch=true&resourceVersion=5", Record{Verb: "watch", Version: "v1", Resource: "pods"}},
		{"GET", "/api/v1/watch/namespaces/ns1/pods", Record{Verb: "watch", Version: "v1", Resource: "pods", Namespace: "ns1"}},
		{"GET", "/api/v1/namespaces/ns1/configmaps?fieldSelector=metadata.name%3Dc1&watch=1", Record{Verb: "watch", Version: "v1", Resource: "configmaps", Namespace: "ns1", Name: "c1"}},
		{"POST", "/apis/apps/v1/namespaces/ns1/deployments", Record{Verb: "create", Group: "apps", Version: "v1", Resource: "deployments", Namespace: "ns1"}},
		{"PUT", "/api/v1/namespaces/ns1/pods/p1/status", Record{Verb: "update", Version: "v1", Resource: "pods", Subresource: "status", Namespace: "ns1", Name: "p1"}},
		{"PATCH", "/apis/apps/v1/namespaces/ns1/deployments/d1?fieldManager=x", Record{Verb: "patch", Group: "apps", Version: "v1", Resource: "deployments", Namespace: "ns1", Name: "d1"}},
		{"DELETE", "/api/v1/namespaces/ns1/pods/p1", Record{Verb: "delete", Version: "v1", Resource: "pods", Namespace: "ns1", Name: "p1"}},
		{"DELETE", "/api/v1/namespaces/ns1/pods", Record{Verb: "deletecollection", Version: "v1", Resource: "pods", Namespace: "ns1"}},
		{"GET", "/api/v1/namespaces/ns1", Record{Verb: "get", Version: "v1", Resource: "namespaces", Namespace: "ns1", Name: "ns1"}},
		{"POST", "/api/v1/namespaces/ns1/pods/p1/binding", Record{Verb: "create", Version: "v1", Resource: "pods", Subresource: "binding", Namespace: "ns1", Name: "p1"}},
		{"GET", "/api/v1/namespaces/ns1/pods/p1/log", Record{Verb: "get", Version: "v1", Resource: "pods", Subresource: "log", Namespace: "ns1", Name: "p1"}},
		{"GET", "/version", Record{Verb: "get", Path: "/version"}},
		{"GET", "/apis", Record{Verb: "get", Path: "/apis"}},
		{"GET", "/api/v1", Record{Verb: "get", Path: "/api/v1"}},
		{"POST", "/openapi/v3", Record{Verb: "post", Path: "/openapi/v3"}},
	}
	c := newClassifier()
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.url, func(t *testing.T) {
			var got Record
			c.classify(httptest.NewRequest(tt.method, tt.url, nil), &got)
			tt.want.Method = tt.method
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestRecordCall(t *testing.T) {
	tests := []struct {
		r    Record
		want string
	}{
		{Record{Resource: "pods"}, "pods"},
		{Record{Group: "apps", Resource: "deployments"}, "deployments.apps"},
		{Record{Resource: "pods", Subresource: "status"}, "pods/status"},
		{Record{Path: "/version"}, "/version"},
	}
	for _, tt := range tests {
		if got := tt.r.Call(); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.r, got, tt.want)
		}
	}
}
