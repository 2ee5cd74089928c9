package handlers

import (
	"errors"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/authd/authd/models"
	"github.com/authd/authd/provider"
)

// appOf authenticates the registered app a token request names (nil when named is
// false: the caller is no app).
func (h *Handler) appOf(r *http.Request, id, secret string, named bool) (*models.Client, error) {
	if !named {
		return nil, nil
	}
	return h.provider.AuthenticateApp(r.Context(), provider.ClientAuth{ID: id, Secret: secret, HasSecret: secret != ""})
}

// exchangeCode is grant_type=authorization_code: a registered app (authenticated when
// confidential) trades its code, redirect URI and PKCE verifier for an access token,
// an ID token and, with offline access, a refresh token.
func (h *Handler) exchangeCode(w http.ResponseWriter, r *http.Request, id, secret string, hasClient bool) error {
	if !hasClient || !provider.IsApp(id) {
		return &models.Error{Kind: models.KindUnauthorized, Code: "invalid_client", Public: "client authentication failed"}
	}
	app, err := h.appOf(r, id, secret, true)
	if err != nil {
		return err
	}
	f, c := r.PostForm, h.clientOf(r)
	out, err := h.provider.ExchangeCode(r.Context(), app, f.Get("code"), f.Get("redirect_uri"), f.Get("code_verifier"), c.IP, c.UserAgent)
	var ee *provider.ExchangeError
	if errors.As(err, &ee) {
		return &models.Error{Kind: models.KindInvalid, Code: "invalid_grant", Public: ee.Description, Cause: err}
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, oidc.AccessTokenResponse{AccessToken: out.AccessToken, TokenType: oidc.BearerToken,
		RefreshToken: out.RefreshToken, ExpiresIn: uint64(out.ExpiresAt.Sub(h.o.Now()).Seconds()), IDToken: out.IDToken,
		Scope: oidc.SpaceDelimitedArray(out.Scopes)})
}

// bodyToken lets POST /userinfo carry its access token as the form field access_token
// (RFC 6750 2.2) instead of the Authorization header; sending both is refused.
func (h *Handler) bodyToken(next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if r.Header.Get("Content-Type") == "" {
			return next(w, r)
		}
		if err := h.parseForm(w, r); err != nil {
			return err
		}
		if t := r.PostForm.Get("access_token"); t != "" {
			if r.Header.Get("Authorization") != "" {
				return models.Invalid("send the access token once: Authorization header or access_token, not both")
			}
			r.Header.Set("Authorization", "Bearer "+t)
		}
		return next(w, r)
	}
}
