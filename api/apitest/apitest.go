// Package apitest validates real HTTP responses against api/openapi.yaml with
// kin-openapi, so a response that drifts from the documented contract fails a test.
package apitest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/authd/authd/api"
)

// Validator checks responses against the spec.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
}

// NewValidator loads and validates the spec itself.
func NewValidator(t testing.TB) *Validator {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.Spec())
	if err != nil {
		t.Fatalf("apitest: load openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("apitest: openapi.yaml is invalid: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatalf("apitest: router: %v", err)
	}
	return &Validator{doc: doc, router: router}
}

// Check validates one response to req: the route and status must be declared, and
// headers and body must match. It reports through t.Errorf.
func (v *Validator) Check(t testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	// Route by method and path alone: the spec's server is "/", any host.
	probe := req.Clone(context.Background())
	probe.URL = &url.URL{Path: req.URL.Path, RawPath: req.URL.RawPath, RawQuery: req.URL.RawQuery}
	probe.Host = ""
	route, params, err := v.router.FindRoute(probe)
	if err != nil {
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
			v.checkError(t, req, status, header, body)
			return
		}
		t.Errorf("apitest: %s %s is not in openapi.yaml: %v", req.Method, req.URL.Path, err)
		return
	}
	in := &openapi3filter.RequestValidationInput{
		Request: probe, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true},
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: status, Header: header,
		Body: io.NopCloser(bytes.NewReader(body)), Options: in.Options,
	}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("apitest: %s %s -> %d does not match openapi.yaml: %v\nbody: %s", req.Method, req.URL.Path, status, err, body)
	}
}

// checkError validates a 404 or 405 for a path the spec does not route (an unknown
// path or method) against the shared Error response.
func (v *Validator) checkError(t testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	ref := v.doc.Components.Responses["Error"]
	if ref == nil || ref.Value == nil {
		t.Errorf("apitest: openapi.yaml has no Error response")
		return
	}
	op := openapi3.NewOperation()
	op.Responses = openapi3.NewResponses()
	op.Responses.Set("default", ref)
	route := &routers.Route{Spec: v.doc, Path: req.URL.Path, Method: req.Method, Operation: op}
	in := &openapi3filter.RequestValidationInput{Request: req, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header,
		Body: io.NopCloser(bytes.NewReader(body)), Options: in.Options}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("apitest: %s %s -> %d is not an Error response: %v\nbody: %s", req.Method, req.URL.Path, status, err, body)
	}
}
