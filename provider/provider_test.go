package provider

import (
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
)

// TestNewAuthRequest: what op parsed, as authd stores it, with its defaults.
func TestNewAuthRequest(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	age := uint(300)
	in := &oidc.AuthRequest{ClientID: "authd_app_w", RedirectURI: "https://a.example.com/cb", Scopes: []string{"openid", "email"},
		State: "xyz", Nonce: "n-1", ResponseMode: oidc.ResponseModeFormPost, Prompt: []string{"login"}, MaxAge: &age,
		LoginHint: "ada@example.com", CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", CodeChallengeMethod: oidc.CodeChallengeMethodS256}
	r := NewAuthRequest("req-1", in, now, 10*time.Minute)
	if r.ExpiresAt != now.Add(10*time.Minute) || *r.MaxAgeSeconds != 300 || r.ResponseMode != "form_post" || r.LoginHint != "ada@example.com" {
		t.Fatalf("stored: %+v", r)
	}
	if r.CodeChallenge != in.CodeChallenge || r.CodeChallengeMethod != "S256" || r.State != "xyz" || r.Nonce != "n-1" ||
		r.Done() || len(r.AMR) != 0 || r.AMR == nil {
		t.Errorf("fields: %+v", r)
	}
	bare := NewAuthRequest("req-2", &oidc.AuthRequest{ClientID: "c"}, now, time.Minute)
	if bare.ResponseMode != "query" || bare.Scopes == nil || bare.Prompt == nil || bare.CodeChallenge != "" || bare.MaxAgeSeconds != nil {
		t.Errorf("defaults: %+v", bare)
	}
}
