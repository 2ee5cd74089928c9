package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

type discoveryDoc struct {
	Issuer                 string   `json:"issuer"`
	AuthorizationEndpoint  string   `json:"authorization_endpoint"`
	TokenEndpoint          string   `json:"token_endpoint"`
	UserinfoEndpoint       string   `json:"userinfo_endpoint"`
	JwksURI                string   `json:"jwks_uri"`
	EndSessionEndpoint     string   `json:"end_session_endpoint"`
	ScopesSupported        []string `json:"scopes_supported"`
	ResponseTypesSupported []string `json:"response_types_supported"`
	ResponseModes          []string `json:"response_modes_supported"`
	SubjectTypesSupported  []string `json:"subject_types_supported"`
	IDTokenAlgs            []string `json:"id_token_signing_alg_values_supported"`
	ClaimsSupported        []string `json:"claims_supported"`
	CodeChallengeMethods   []string `json:"code_challenge_methods_supported"`
	RequestURIParameter    *bool    `json:"request_uri_parameter_supported"`
	GrantTypes             []string `json:"grant_types_supported"`
	AuthMethods            []string `json:"token_endpoint_auth_methods_supported"`
}

// TestOIDCCConfigOP runs the Config OP plan's module on SQLite and Postgres:
// oidcc-discovery-endpoint-verification checks the discovery document against the
// issuer, every endpoint, the JWKS and what an OpenID Provider must declare.
func TestOIDCCConfigOP(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		t.Run("oidcc-discovery-endpoint-verification", func(t *testing.T) {
			var d discoveryDoc
			getJSON(t, e.srv.URL+"/.well-known/openid-configuration", &d)
			if d.Issuer != e.srv.URL {
				t.Errorf("issuer %q, want %q", d.Issuer, e.srv.URL)
			}
			for name, u := range map[string]string{"authorization": d.AuthorizationEndpoint, "token": d.TokenEndpoint,
				"userinfo": d.UserinfoEndpoint, "jwks": d.JwksURI, "end_session": d.EndSessionEndpoint} {
				if !strings.HasPrefix(u, d.Issuer+"/") {
					t.Errorf("%s endpoint %q is not under the issuer", name, u)
				}
			}
			must := map[string][]string{
				"scopes_supported": d.ScopesSupported, "response_types_supported": d.ResponseTypesSupported,
				"subject_types_supported": d.SubjectTypesSupported, "id_token_signing_alg_values_supported": d.IDTokenAlgs,
				"code_challenge_methods_supported": d.CodeChallengeMethods, "response_modes_supported": d.ResponseModes,
				"grant_types_supported": d.GrantTypes, "token_endpoint_auth_methods_supported": d.AuthMethods,
			}
			want := map[string][]string{
				"scopes_supported": {"openid", "profile", "email", "offline_access"}, "response_types_supported": {"code"},
				"subject_types_supported": {"public"}, "id_token_signing_alg_values_supported": {"RS256", "ES256"},
				"code_challenge_methods_supported": {"S256"}, "response_modes_supported": {"query", "form_post"},
				"grant_types_supported":                 {"authorization_code", "refresh_token"},
				"token_endpoint_auth_methods_supported": {"client_secret_basic", "client_secret_post", "none"},
			}
			for field, values := range want {
				for _, v := range values {
					if !slices.Contains(must[field], v) {
						t.Errorf("%s %v lacks %q", field, must[field], v)
					}
				}
			}
			if slices.Contains(d.ResponseTypesSupported, "token") || slices.Contains(d.CodeChallengeMethods, "plain") {
				t.Errorf("implicit or plain PKCE offered: %+v", d)
			}
			if d.RequestURIParameter == nil || *d.RequestURIParameter {
				t.Error("request_uri_parameter_supported must say false (its default is true)")
			}
			for _, c := range []string{"sub", "iss", "auth_time", "email", "name", "preferred_username"} {
				if !slices.Contains(d.ClaimsSupported, c) {
					t.Errorf("claims_supported lacks %s", c)
				}
			}
			var jwks struct {
				Keys []struct{ Kid, Alg, Use, Kty string } `json:"keys"`
			}
			getJSON(t, d.JwksURI, &jwks)
			algs := map[string]bool{}
			for _, k := range jwks.Keys {
				if k.Kid == "" || k.Alg == "" {
					t.Errorf("a key without kid or alg: %+v", k)
				}
				algs[k.Alg] = true
			}
			if !algs["RS256"] || !algs["ES256"] {
				t.Errorf("the JWKS lacks an RS256 or an ES256 key: %+v", jwks.Keys)
			}
		})
	})
}

// logoutModules are the RP-Initiated Logout OP plan's modules. Each logs in (or
// rides on the browser session), then sends its logout request.
var logoutModules = []struct {
	name string
	run  func(t *testing.T, o *rp, idToken string)
}{
	{"oidcc-rp-initiated-logout", func(t *testing.T, o *rp, id string) {
		to := o.b.callback(o.logout("id_token_hint", id, "post_logout_redirect_uri", o.afterLogout(), "state", "st-1"))
		if to.Path != "/cb/logged-out" || to.Query().Get("state") != "st-1" {
			t.Errorf("back to %s", to)
		}
		o.wantLoggedOut(true)
	}},
	{"oidcc-rp-initiated-logout-bad-post-logout-redirect-uri", func(t *testing.T, o *rp, id string) {
		p := o.logout("id_token_hint", id, "post_logout_redirect_uri", "https://evil.example/after", "state", "st-2")
		if p.Location != "" || p.Status != 200 {
			t.Errorf("an unregistered post_logout_redirect_uri: %d %q", p.Status, p.Location)
		}
	}},
	{"oidcc-rp-initiated-logout-modified-id-token-hint", func(t *testing.T, o *rp, id string) {
		parts := strings.Split(id, ".")
		parts[2] = strings.Repeat("A", len(parts[2]))
		p := o.logout("id_token_hint", strings.Join(parts, "."), "post_logout_redirect_uri", o.afterLogout(), "state", "st-3")
		if p.Status != 400 || p.Location != "" {
			t.Errorf("a forged id_token_hint: %d %q", p.Status, p.Location)
		}
		o.wantLoggedOut(false)
	}},
	{"oidcc-rp-initiated-logout-no-id-token-hint", func(t *testing.T, o *rp, id string) {
		p := o.logout("post_logout_redirect_uri", o.afterLogout(), "state", "st-4")
		if p.Location != "" || !strings.Contains(p.Body, `name="confirm"`) {
			t.Fatalf("a logout without proof did not ask first: %d %q", p.Status, p.Location)
		}
		o.wantLoggedOut(false)
		p = o.b.submit(p, "/logout", nil) // the person confirms
		if p.Status != 200 || !strings.Contains(p.Body, "signed out") {
			t.Errorf("after confirming: %d %q", p.Status, p.Location)
		}
		o.wantLoggedOut(true)
	}},
	{"oidcc-rp-initiated-logout-no-params", func(t *testing.T, o *rp, id string) {
		p := o.logout()
		if !strings.Contains(p.Body, `name="confirm"`) {
			t.Fatalf("a bare logout did not ask first: %d", p.Status)
		}
		if p = o.b.submit(p, "/logout", nil); !strings.Contains(p.Body, "signed out") {
			t.Errorf("after confirming: %d", p.Status)
		}
		o.wantLoggedOut(true)
	}},
	{"oidcc-rp-initiated-logout-no-post-logout-redirect-uri", func(t *testing.T, o *rp, id string) {
		p := o.logout("id_token_hint", id, "state", "st-5")
		if p.Status != 200 || p.Location != "" || !strings.Contains(p.Body, "signed out") {
			t.Errorf("no post_logout_redirect_uri: %d %q", p.Status, p.Location)
		}
		o.wantLoggedOut(true)
	}},
	{"oidcc-rp-initiated-logout-no-state", func(t *testing.T, o *rp, id string) {
		to := o.b.callback(o.logout("id_token_hint", id, "post_logout_redirect_uri", o.afterLogout()))
		if to.Path != "/cb/logged-out" || to.Query().Has("state") {
			t.Errorf("back to %s", to)
		}
		o.wantLoggedOut(true)
	}},
	{"oidcc-rp-initiated-logout-only-state", func(t *testing.T, o *rp, id string) {
		p := o.logout("id_token_hint", id, "state", "st-6")
		if p.Location != "" || !strings.Contains(p.Body, "signed out") {
			t.Errorf("state alone: %d %q", p.Status, p.Location)
		}
		o.wantLoggedOut(true)
	}},
}

func (o *rp) afterLogout() string { return o.redirect + "/logged-out" }

func (o *rp) logout(params ...string) page {
	o.t.Helper()
	q := url.Values{}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	return o.b.get(o.e.srv.URL + "/logout?" + q.Encode())
}

// wantLoggedOut checks the browser session with prompt=none: ended, or still there.
func (o *rp) wantLoggedOut(ended bool) {
	o.t.Helper()
	a, _ := o.authorize(o.request("prompt", "none"))
	if got := a.Get("error") == "login_required"; got != ended {
		o.t.Errorf("browser session ended = %v, want %v (%v)", got, ended, a)
	}
}

// TestOIDCCRPInitiatedLogoutOP runs the RP-Initiated Logout OP plan on SQLite and
// Postgres; each module starts from a fresh login in a fresh browser.
func TestOIDCCRPInitiatedLogoutOP(t *testing.T) {
	eachBackendWith(t, manyLogins, func(t *testing.T, e *env) {
		base := newRP(t, e, false)
		t.Run("oidcc-rp-initiated-logout-discovery-endpoint-verification", func(t *testing.T) {
			var d discoveryDoc
			getJSON(t, e.srv.URL+"/.well-known/openid-configuration", &d)
			if d.EndSessionEndpoint != e.srv.URL+"/logout" {
				t.Errorf("end_session_endpoint %q", d.EndSessionEndpoint)
			}
			if r, _ := http.Get(d.EndSessionEndpoint); r == nil || r.StatusCode != 200 {
				t.Errorf("the end-session endpoint does not answer")
			}
		})
		for _, m := range logoutModules {
			t.Run(m.name, func(t *testing.T) {
				o := *base
				o.t, o.b = t, e.browser()
				tok, _, _ := o.flow()
				m.run(t, &o, tok.IDToken)
			})
		}
	})
}
