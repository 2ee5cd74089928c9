package provider

import (
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/authd/authd/models"
)

// AuthRequest is a stored authorization request as op sees it.
type AuthRequest struct{ r *models.AuthRequest }

var _ op.AuthRequest = AuthRequest{}

// WrapAuthRequest adapts a stored request.
func WrapAuthRequest(r *models.AuthRequest) AuthRequest { return AuthRequest{r: r} }

// NewAuthRequest is what op parsed from an authorize call, as authd stores it: its ID
// drawn by the caller, alive for ttl from now. Only PKCE's S256 is kept ("plain" is
// refused before a request is stored).
func NewAuthRequest(id string, in *oidc.AuthRequest, now time.Time, ttl time.Duration) *models.AuthRequest {
	r := &models.AuthRequest{ID: id, ClientID: in.ClientID, RedirectURI: in.RedirectURI,
		ResponseMode: string(in.ResponseMode), Scopes: nonNil(in.Scopes), State: in.State, Nonce: in.Nonce,
		Prompt: nonNil(in.Prompt), LoginHint: in.LoginHint, AMR: []string{}, CreatedAt: now, ExpiresAt: now.Add(ttl)}
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

func (a AuthRequest) GetID() string                      { return a.r.ID }
func (a AuthRequest) GetAMR() []string                   { return slices.Clone(a.r.AMR) }
func (a AuthRequest) GetAudience() []string              { return []string{a.r.ClientID} }
func (a AuthRequest) GetClientID() string                { return a.r.ClientID }
func (a AuthRequest) GetNonce() string                   { return a.r.Nonce }
func (a AuthRequest) GetRedirectURI() string             { return a.r.RedirectURI }
func (a AuthRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseTypeCode }
func (a AuthRequest) GetResponseMode() oidc.ResponseMode { return oidc.ResponseMode(a.r.ResponseMode) }
func (a AuthRequest) GetScopes() []string                { return slices.Clone(a.r.Scopes) }
func (a AuthRequest) GetState() string                   { return a.r.State }
func (a AuthRequest) GetSubject() string                 { return a.r.UserID }
func (a AuthRequest) Done() bool                         { return a.r.Done() }

// GetACR is authd's one authentication context: a code sent by email.
func (a AuthRequest) GetACR() string {
	if !a.r.Done() {
		return ""
	}
	return ACREmailCode
}

// ACREmailCode names the authentication context of a login with an emailed code.
const ACREmailCode = "urn:authd:acr:email-code"

// GetAuthTime is when the person logged in (zero before).
func (a AuthRequest) GetAuthTime() time.Time {
	if a.r.AuthTime == nil {
		return time.Time{}
	}
	return *a.r.AuthTime
}

// GetCodeChallenge is the request's PKCE challenge, nil without one.
func (a AuthRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.r.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.r.CodeChallenge, Method: oidc.CodeChallengeMethod(a.r.CodeChallengeMethod)}
}
