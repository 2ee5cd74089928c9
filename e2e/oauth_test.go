package e2e

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// form posts a form body with optional header pairs.
func (e *env) form(path string, v url.Values, hdr ...string) response {
	e.t.Helper()
	return e.req("POST", path, v.Encode(), append([]string{"Content-Type", "application/x-www-form-urlencoded"}, hdr...)...)
}

func TestGoOIDCVerifiesAccessTokens(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.signup("ada@example.com", "ada")
		ctx := oidc.ClientContext(context.Background(), e.srv.Client())
		ctx = oidc.InsecureIssuerURLContext(ctx, e.cfg.Server.PublicURL) // the test server speaks plain HTTP
		provider, err := oidc.NewProvider(ctx, e.cfg.Server.PublicURL)
		if err != nil {
			t.Fatalf("discovery: %v", err)
		}
		verifier := provider.Verifier(&oidc.Config{ClientID: e.cfg.Tokens.Audience, Now: e.clock.Now})
		tok, err := verifier.Verify(ctx, v.Bearer)
		if err != nil {
			t.Fatalf("go-oidc rejects our access token: %v", err)
		}
		if tok.Subject != e.userID(v.Bearer) {
			t.Errorf("subject %s", tok.Subject)
		}
		if _, err := verifier.Verify(ctx, tamper(v.Bearer)); err == nil {
			t.Error("go-oidc accepted a tampered token")
		}
	})
}

func TestClientCredentials(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada := e.signup("ada@example.com", "ada")
		k := e.createKeyPair(ada.Bearer, "ada@example.com", 30)
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, e.srv.Client())
		cc := clientcredentials.Config{ClientID: k.APIKey, ClientSecret: k.APISecret, TokenURL: e.srv.URL + e.prefix + "/oauth/token"}
		tok, err := cc.Token(ctx)
		if err != nil {
			t.Fatalf("client credentials: %v", err)
		}
		claims := e.verifyWithJWKS(tok.AccessToken)
		if azp, _ := claims.Get("azp"); azp != k.KeyID {
			t.Errorf("azp = %v, want %s", azp, k.KeyID)
		}
		if amr, _ := claims.Get("amr"); strings.Join(toStrings(amr), ",") != "apikey" {
			t.Errorf("amr = %v", amr)
		}
		// The token works where a key pair does, and not where a session is required.
		wantStatus(t, e.req("GET", "/check", nil, bearer(tok.AccessToken)...), 200)
		wantStatus(t, e.req("GET", "/userinfo", nil, bearer(tok.AccessToken)...), 200)
		wantStatus(t, e.req("POST", "/keypair", map[string]any{"name": "x", "days": 1}, bearer(tok.AccessToken)...), 403)

		bad := cc
		bad.ClientSecret = "authd_sk_" + strings.Repeat("A", 43)
		_, err = bad.Token(ctx)
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.Response.StatusCode != 401 || re.ErrorCode != "invalid_client" {
			t.Fatalf("wrong secret: %v", err)
		}
		// Via form fields too; both at once is refused.
		r := e.form("/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {k.APIKey}, "client_secret": {k.APISecret}})
		wantStatus(t, r, 200)
		wantOAuthError(t, e.form("/oauth/token", url.Values{"grant_type": {"password"}}), 400, "unsupported_grant_type")
		wantOAuthError(t, e.form("/oauth/token", url.Values{"grant_type": {"client_credentials"}}), 401, "invalid_client")
		wantOAuthError(t, e.req("POST", "/oauth/token", `{"grant_type":"client_credentials"}`), 415, "invalid_request")

		// Deleting the key pair kills its tokens.
		wantStatus(t, e.req("DELETE", "/keypair/"+k.KeyID, nil, bearer(ada.Bearer)...), 200)
		wantStatus(t, e.req("GET", "/check", nil, bearer(tok.AccessToken)...), 401)
	})
}

func TestRefreshGrantRevokeIntrospectUserinfo(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada, _ := e.admin("ada@example.com", "ada")
		bob := e.signup("bob@example.com", "bob")

		r := e.form("/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {bob.RefreshToken}})
		wantStatus(t, r, 200)
		var tok struct{ AccessToken, RefreshToken string }
		r.json(t, &struct {
			AccessToken  *string `json:"access_token"`
			RefreshToken *string `json:"refresh_token"`
		}{&tok.AccessToken, &tok.RefreshToken})
		if tok.RefreshToken == "" || tok.RefreshToken == bob.RefreshToken {
			t.Fatalf("refresh grant: %s", r.Body)
		}
		wantOAuthError(t, e.form("/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"rft_nope"}}), 400, "invalid_grant")

		introspect := func(token string, cred ...string) map[string]any {
			r := e.form("/oauth/introspect", url.Values{"token": {token}}, cred...)
			wantStatus(t, r, 200)
			var out map[string]any
			r.json(t, &out)
			return out
		}
		wantOAuthError(t, e.form("/oauth/introspect", url.Values{"token": {tok.AccessToken}}, bearer(bob.Bearer)...), 403, "insufficient_scope")
		if got := introspect(tok.AccessToken, bearer(ada.Bearer)...); got["active"] != true || got["sub"] != e.userID(bob.Bearer) {
			t.Fatalf("introspect: %v", got)
		}
		if got := introspect(tok.RefreshToken, bearer(ada.Bearer)...); got["active"] != true || got["token_type"] != "refresh_token" {
			t.Fatalf("introspect refresh: %v", got)
		}

		var ui map[string]any
		e.req("GET", "/userinfo", nil, bearer(tok.AccessToken)...).json(t, &ui)
		if ui["preferred_username"] != "bob" || ui["email"] != "bob@example.com" || ui["email_verified"] != true {
			t.Errorf("userinfo: %v", ui)
		}

		// Revoking the refresh token closes the session: everything goes inactive.
		wantStatus(t, e.form("/oauth/revoke", url.Values{"token": {tok.RefreshToken}}), 200)
		wantStatus(t, e.form("/oauth/revoke", url.Values{"token": {"unknown"}}), 200)
		if got := introspect(tok.AccessToken, bearer(ada.Bearer)...); got["active"] != false || len(got) != 1 {
			t.Errorf("introspection after revocation: %v", got)
		}
		wantStatus(t, e.req("GET", "/userinfo", nil, bearer(tok.AccessToken)...), 401)
	})
}

// wantOAuthError checks an RFC 6749 5.2 error that also carries x-error and x-error-id.
func wantOAuthError(t *testing.T, r response, status int, code string) {
	t.Helper()
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	r.json(t, &body)
	if r.Status != status || body.Error != code || body.Description != r.Header.Get("x-error") || len(r.Header.Get("x-error-id")) != 36 {
		t.Fatalf("got %d %s x-error=%q x-error-id=%q; want %d %s", r.Status, r.Body, r.Header.Get("x-error"), r.Header.Get("x-error-id"), status, code)
	}
}
