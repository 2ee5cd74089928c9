package provider

import (
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/authd/authd/models"
)

// NewAuthRequest is what op parsed from an authorize call, as authd stores it: its ID
// drawn by the caller, alive for ttl from now. Only PKCE's S256 is kept ("plain" is
// refused before a request is stored). A login_hint that could be no address (not
// UTF-8, a control character, too long) is dropped: it is only a hint.
func NewAuthRequest(id string, in *oidc.AuthRequest, now time.Time, ttl time.Duration) *models.AuthRequest {
	r := &models.AuthRequest{ID: id, ClientID: in.ClientID, RedirectURI: in.RedirectURI,
		ResponseMode: string(in.ResponseMode), Scopes: nonNil(in.Scopes), State: in.State, Nonce: in.Nonce,
		Prompt: nonNil(in.Prompt), AMR: []string{}, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if plainText(in.LoginHint, models.MaxEmailLen) {
		r.LoginHint = in.LoginHint
	}
	if r.ResponseMode == "" {
		r.ResponseMode = string(oidc.ResponseModeQuery)
	}
	if in.CodeChallenge != "" {
		r.CodeChallenge, r.CodeChallengeMethod = in.CodeChallenge, string(in.CodeChallengeMethod)
	}
	if in.MaxAge != nil {
		age := int(min(*in.MaxAge, uint(1<<31-1)))
		r.MaxAgeSeconds = &age
	}
	return r
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return slices.Clone(v)
}
