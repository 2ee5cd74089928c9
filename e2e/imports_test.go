package e2e

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsPointOneWay holds STYLE.md's table: each package may import only the
// packages of ours listed for it (test files aside).
func TestImportsPointOneWay(t *testing.T) {
	const mod = "github.com/authd/authd/"
	useCase := []string{"models", "issuer", "keys", "claims", "revocation", "authn", "limits", "codes"}
	allowed := map[string][]string{
		"models":     {},
		"config":     {},
		"migrations": {},
		"store":      {"models", "migrations"},
		"keys":       {"models"},
		"mail":       {"models"},
		"claims":     {},
		"issuer":     {"models", "keys", "claims"},
		// Use cases: the shared parts (caches and horizons, limits, who is calling,
		// codes), then one package per aggregate, none of which imports another.
		"revocation": {"models"},
		"limits":     {"models"},
		"authn":      {"models", "issuer", "keys", "claims", "revocation"},
		"codes":      {"models", "issuer", "keys", "claims", "revocation", "authn", "limits"},
		"login":      useCase,
		"emails":     useCase,
		"apikeys":    useCase,
		"directory":  useCase,
		"clients":    useCase, // registered apps
		// The OpenID Provider's glue over zitadel/oidc's op: it may use the use cases.
		"provider": append([]string{"clients", "login"}, useCase...),
		// The hosted pages turn the provider's and login's use cases into HTML.
		"web":        append([]string{"clients", "login", "provider"}, useCase...),
		"handlers":   append([]string{"identity", "login", "emails", "apikeys", "directory", "clients", "provider", "web"}, useCase...),
		"events":     {"models"},
		"changefeed": {"models"},
		"identity":   {"models"},
		// The Stripe and NameScan clients are adapters of identity's ports.
		"identity/stripeapi": {"models", "identity"},
		"identity/namescan":  {"models", "identity"},
		// The one shared wire format (claims) is all a gateway's library takes of ours.
		"verifier": {"claims"},
		"metrics":  {},
	}
	for pkg, ok := range allowed {
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", mod+pkg).Output()
		if err != nil {
			t.Fatalf("go list %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			name, ours := strings.CutPrefix(dep, mod)
			if !ours || name == pkg {
				continue
			}
			permitted := false
			for _, a := range ok {
				permitted = permitted || name == a
			}
			if !permitted {
				t.Errorf("%s imports %s, which STYLE.md does not allow", pkg, name)
			}
		}
	}
	// Only store imports bun itself (models uses it for table tags only).
	for _, pkg := range []string{"handlers", "revocation", "limits", "authn", "codes", "login", "emails", "apikeys", "directory", "issuer", "keys", "app"} {
		out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, mod+pkg).Output()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), "github.com/uptrace/bun") {
			t.Errorf("%s imports bun directly", pkg)
		}
	}
}
