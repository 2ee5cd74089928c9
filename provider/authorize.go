package provider

import (
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/authd/authd/clients"
	"github.com/authd/authd/models"
)

// PKCE policies (oauth.require_pkce): every app, or public apps only.
const (
	PKCEAll    = "all"
	PKCEPublic = "public"
)

// AuthorizeError is a refused authorization request. Without Redirect the request
// could not be tied to a registered app and one of its redirect URIs, so authd shows
// an error page and redirects nowhere (RFC 6749 4.1.2.1); with it the error goes back
// to the app's redirect URI, with the request's state unless BadState (a state authd
// refused is not echoed).
type AuthorizeError struct {
	Code, Description  string
	Redirect, BadState bool
}

// maxEchoed bounds the state and nonce, which authd stores with a pending request and
// hands back unchanged: room for an app's own redirect path in its state, no more.
const maxEchoed = 4096

// validState is RFC 6749 A.5's state: VSCHAR, printable ASCII.
func validState(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return len(s) <= maxEchoed
}

// plainText is UTF-8 without control characters (a NUL included), at most max bytes:
// what every store keeps and every page shows as it came.
func plainText(s string, max int) bool {
	if len(s) > max || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

func (e *AuthorizeError) Error() string { return e.Code + ": " + e.Description }

func pageError(desc string) error { return &AuthorizeError{Code: "invalid_request", Description: desc} }

func backError(code, desc string) error {
	return &AuthorizeError{Code: code, Description: desc, Redirect: true}
}

// CheckAuthorize applies authd's rules to an authorization request of app c (nil: no
// such app) before anyone logs in, and returns the scopes it grants: those asked for
// that the app registered (others are dropped, OpenID Connect Core 3.1.2.1). hasRequestURI
// reports a request_uri parameter, which authd does not take. Only response_type code
// (no implicit, no hybrid), response modes query and form_post, PKCE with S256 only
// (required of public apps, and of all apps under PKCEAll), openid required,
// prompt=none alone, and a state and nonce authd can store and hand back unchanged.
func CheckAuthorize(c *models.Client, in *oidc.AuthRequest, hasRequestURI bool, pkce string) ([]string, error) {
	if c == nil {
		return nil, pageError("unknown client_id")
	}
	if !clients.RedirectAllowed(c, in.RedirectURI) {
		return nil, pageError("redirect_uri is not registered for this app")
	}
	switch {
	case !validState(in.State):
		return nil, &AuthorizeError{Code: "invalid_request", Description: "state must be printable ASCII, at most 4096 bytes",
			Redirect: true, BadState: true}
	case !plainText(in.Nonce, maxEchoed):
		return nil, backError("invalid_request", "nonce must be UTF-8 without control characters, at most 4096 bytes")
	case in.RequestParam != "":
		return nil, backError("request_not_supported", "request objects are not supported")
	case hasRequestURI:
		return nil, backError("request_uri_not_supported", "request_uri is not supported")
	case in.ResponseType == "":
		return nil, backError("invalid_request", "response_type is required")
	case in.ResponseType != oidc.ResponseTypeCode:
		return nil, backError("unsupported_response_type", "only response_type=code is supported")
	case in.ResponseMode != "" && in.ResponseMode != oidc.ResponseModeQuery && in.ResponseMode != oidc.ResponseModeFormPost:
		return nil, backError("invalid_request", "response_mode must be query or form_post")
	case slices.Contains(in.Prompt, oidc.PromptNone) && len(in.Prompt) > 1:
		return nil, backError("invalid_request", "prompt=none cannot be combined with other values")
	}
	if err := checkPKCE(c, in, pkce); err != nil {
		return nil, err
	}
	if !slices.Contains(in.Scopes, clients.ScopeOpenID) {
		return nil, backError("invalid_scope", "the openid scope is required")
	}
	var granted []string
	for _, s := range in.Scopes {
		if slices.Contains(c.Scopes, s) && !slices.Contains(granted, s) {
			granted = append(granted, s)
		}
	}
	return granted, nil
}

// checkPKCE: S256 only ("plain" would let an intercepted code be redeemed), required of
// public apps always and of confidential ones under PKCEAll.
func checkPKCE(c *models.Client, in *oidc.AuthRequest, policy string) error {
	if in.CodeChallenge == "" {
		if !c.Confidential() || policy != PKCEPublic {
			return backError("invalid_request", "code_challenge (PKCE, S256) is required")
		}
		return nil
	}
	if in.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return backError("invalid_request", "code_challenge_method must be S256")
	}
	if d, err := base64.RawURLEncoding.DecodeString(in.CodeChallenge); err != nil || len(d) != sha256.Size { // RFC 7636 4.2
		return backError("invalid_request", "code_challenge must be the base64url SHA-256 of the verifier")
	}
	return nil
}
