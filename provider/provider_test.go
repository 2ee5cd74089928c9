package provider

import (
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/authd/authd/models"
)

func TestClientAsOPSeesIt(t *testing.T) {
	web := NewClient(&models.Client{ID: "authd_app_w", Type: models.ClientWeb, RedirectURIs: []string{"https://a.example.com/cb"},
		Scopes: []string{"openid", "email"}, GrantTypes: []string{"authorization_code", "refresh_token"}}, time.Hour, "/login")
	spa := NewClient(&models.Client{ID: "authd_app_s", Type: models.ClientSPA, GrantTypes: []string{"authorization_code"}}, time.Hour, "/login")
	native := NewClient(&models.Client{ID: "authd_app_n", Type: models.ClientNative}, time.Hour, "/login")
	for _, tc := range []struct {
		c      Client
		typ    op.ApplicationType
		method oidc.AuthMethod
	}{
		{web, op.ApplicationTypeWeb, oidc.AuthMethodBasic},
		{spa, op.ApplicationTypeUserAgent, oidc.AuthMethodNone},
		{native, op.ApplicationTypeNative, oidc.AuthMethodNone},
	} {
		if tc.c.ApplicationType() != tc.typ || tc.c.AuthMethod() != tc.method {
			t.Errorf("%s: %v %v", tc.c.GetID(), tc.c.ApplicationType(), tc.c.AuthMethod())
		}
		if rt := tc.c.ResponseTypes(); len(rt) != 1 || rt[0] != oidc.ResponseTypeCode {
			t.Errorf("%s: response types %v, want code only", tc.c.GetID(), rt)
		}
		if tc.c.AccessTokenType() != op.AccessTokenTypeJWT {
			t.Errorf("%s: opaque access tokens", tc.c.GetID())
		}
	}
	if g := web.GrantTypes(); len(g) != 2 || g[1] != oidc.GrantTypeRefreshToken {
		t.Errorf("grant types: %v", g)
	}
	if !web.IsScopeAllowed("email") || web.IsScopeAllowed("profile") || web.IsScopeAllowed("admin") {
		t.Error("scopes beyond the registered ones allowed")
	}
	if web.LoginURL("r1") != "/login?authRequestID=r1" || web.IDTokenLifetime() != time.Hour {
		t.Errorf("login URL %q, ID token lifetime %s", web.LoginURL("r1"), web.IDTokenLifetime())
	}
	// op refuses a redirect URI that is not registered exactly, whatever DevMode says.
	if err := op.ValidateAuthReqRedirectURI(web, "https://a.example.com/cb", oidc.ResponseTypeCode); err != nil {
		t.Errorf("the registered URI: %v", err)
	}
	for _, uri := range []string{"https://a.example.com/cb/", "https://a.example.com/cb?x=1", "https://evil.example.com/cb"} {
		if err := op.ValidateAuthReqRedirectURI(web, uri, oidc.ResponseTypeCode); err == nil {
			t.Errorf("%s accepted", uri)
		}
	}
}

func TestAuthRequestRoundTrip(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	age := uint(300)
	in := &oidc.AuthRequest{ClientID: "authd_app_w", RedirectURI: "https://a.example.com/cb", Scopes: []string{"openid", "email"},
		State: "xyz", Nonce: "n-1", ResponseMode: oidc.ResponseModeFormPost, Prompt: []string{"login"}, MaxAge: &age,
		LoginHint: "ada@example.com", CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", CodeChallengeMethod: oidc.CodeChallengeMethodS256}
	r := NewAuthRequest("req-1", in, now, 10*time.Minute)
	if r.ExpiresAt != now.Add(10*time.Minute) || *r.MaxAgeSeconds != 300 || r.ResponseMode != "form_post" || r.LoginHint != "ada@example.com" {
		t.Fatalf("stored: %+v", r)
	}
	a := WrapAuthRequest(r)
	if a.Done() || a.GetACR() != "" || !a.GetAuthTime().IsZero() || a.GetSubject() != "" {
		t.Errorf("before the login: done %v acr %q", a.Done(), a.GetACR())
	}
	if cc := a.GetCodeChallenge(); cc == nil || cc.Method != oidc.CodeChallengeMethodS256 || cc.Challenge != in.CodeChallenge {
		t.Errorf("PKCE: %+v", cc)
	}
	if a.GetState() != "xyz" || a.GetNonce() != "n-1" || a.GetAudience()[0] != "authd_app_w" || a.GetResponseType() != oidc.ResponseTypeCode {
		t.Errorf("fields: %+v", a)
	}
	at := now.Add(time.Minute)
	r.UserID, r.SessionID, r.AuthTime, r.AMR = "u-1", "s-1", &at, []string{"otp"}
	if !a.Done() || a.GetSubject() != "u-1" || !a.GetAuthTime().Equal(at) || a.GetACR() != ACREmailCode || a.GetAMR()[0] != "otp" {
		t.Errorf("after the login: %+v", a)
	}
	bare := NewAuthRequest("req-2", &oidc.AuthRequest{ClientID: "c"}, now, time.Minute)
	if bare.ResponseMode != "query" || bare.Scopes == nil || bare.Prompt == nil || WrapAuthRequest(bare).GetCodeChallenge() != nil {
		t.Errorf("defaults: %+v", bare)
	}
}
