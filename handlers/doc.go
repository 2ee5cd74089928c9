// Package handlers is authd's HTTP layer and nothing more: the router, the
// middleware that wraps every response (request IDs, security headers, panics, 404
// and 405), strict JSON decoding, and one small file per API area whose handlers
// decode a request, call one use case and encode the answer.
//
// It is the only package that knows HTTP statuses: errors.go maps models.Kind to a
// status and writes the x-error / x-error-id headers and JSON body of API.md.
package handlers
