// Package api carries authd's OpenAPI description (openapi.yaml), embedded so the
// server can serve it and tests can validate every response against it. Package
// apitest holds the validator.
package api

import (
	"bytes"
	_ "embed"
)

//go:embed openapi.yaml
var spec []byte

// Spec returns a copy of the OpenAPI document.
func Spec() []byte { return bytes.Clone(spec) }
