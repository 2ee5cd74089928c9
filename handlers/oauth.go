package handlers

import (
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
	"github.com/authd/authd/provider"
)

// OAuth 2.0 endpoints take form-encoded bodies and answer errors in RFC 6749 5.2's
// shape ({"error", "error_description"}), still with x-error and x-error-id.

type oauthErrorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// writeOAuthError renders err in RFC 6749 5.2's shape through the one error path, so
// status, x-error, x-error-id and the log line are those of every other error.
func writeOAuthError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	if codeOf(err) == "invalid_client" {
		w.Header().Set("WWW-Authenticate", `Basic realm="authd"`)
	}
	renderError(w, r, log, err, func(e *models.Error, _ int, public, _ string) any {
		return oauthErrorBody{Error: codeOf(e), Description: public}
	})
}

// codeOf is err's OAuth error code: its own, or one derived from its kind.
func codeOf(err error) string {
	var e *models.Error
	if !errors.As(err, &e) {
		return "server_error"
	}
	if e.Code != "" {
		return e.Code
	}
	switch e.Kind {
	case models.KindInvalid, models.KindTooLarge, models.KindUnsupportedMedia:
		return "invalid_request"
	case models.KindUnauthorized:
		return "invalid_token"
	case models.KindForbidden:
		return "insufficient_scope"
	case models.KindTooMany:
		return "slow_down"
	case models.KindUnavailable:
		return "temporarily_unavailable"
	}
	return "server_error"
}

// credentialError says a credential is wrong (RFC 6749 5.2's code, as kind) only when
// the use case found it wrong. Any other class survives: an unreachable database stays
// 503 temporarily_unavailable and a rate limit stays 429, so a client never discards a
// good refresh token or key pair because of an outage.
func credentialError(err error, kind models.Kind, code, public string) error {
	switch models.KindOf(err) {
	case models.KindUnauthorized, models.KindInvalid, models.KindNotFound:
		return &models.Error{Kind: kind, Code: code, Public: public, Cause: err}
	}
	return err
}

func (h *Handler) oauth(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			writeOAuthError(w, r, h.log, err)
		}
	})
}

// parseForm reads a form body within the size limit.
func (h *Handler) parseForm(w http.ResponseWriter, r *http.Request) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return models.E(models.KindUnsupportedMedia, "Content-Type must be application/x-www-form-urlencoded")
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.o.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return models.E(models.KindTooLarge, "request body is too large")
		}
		return models.Wrap(models.KindInvalid, "malformed form body", err)
	}
	return nil
}

// clientCredentials reads the client's key pair from HTTP Basic or the form, not both.
func clientCredentials(r *http.Request) (id, secret string, ok bool, err error) {
	bid, bsecret, basic := r.BasicAuth()
	fid, fsecret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	switch {
	case basic && (fid != "" || fsecret != ""):
		return "", "", false, models.Invalid("send client credentials once: HTTP Basic or form, not both")
	case basic:
		return bid, bsecret, true, nil
	case fid != "" || fsecret != "":
		return fid, fsecret, true, nil
	}
	return "", "", false, nil
}

// POST {prefix}/oauth/token: grant_type authorization_code (registered apps),
// refresh_token or client_credentials (API key pairs).
func (h *Handler) oauthToken(w http.ResponseWriter, r *http.Request) error {
	if err := h.parseForm(w, r); err != nil {
		return err
	}
	id, secret, hasClient, err := clientCredentials(r)
	if err != nil {
		return err
	}
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		if !hasClient {
			return &models.Error{Kind: models.KindUnauthorized, Code: "invalid_client", Public: "client authentication failed"}
		}
		token, exp, err := h.keyPairs.ClientCredentials(r.Context(), id, secret, h.clientOf(r))
		if err != nil {
			return credentialError(err, models.KindUnauthorized, "invalid_client", "client authentication failed")
		}
		return writeJSON(w, http.StatusOK, oidc.AccessTokenResponse{AccessToken: token, TokenType: oidc.BearerToken,
			ExpiresIn: uint64(exp.Sub(h.o.Now()).Seconds())})
	case "refresh_token":
		app, err := h.appOf(r, id, secret, hasClient && provider.IsApp(id))
		if err != nil {
			return err
		}
		clientID, ttl := "", time.Duration(0)
		if app != nil {
			clientID, ttl = app.ID, time.Duration(app.AccessTTLSeconds)*time.Second
		}
		out, err := h.login.RefreshFor(r.Context(), r.PostForm.Get("refresh_token"), clientID, ttl)
		if err != nil {
			return credentialError(err, models.KindInvalid, "invalid_grant", "invalid or expired refresh token")
		}
		return writeJSON(w, http.StatusOK, oidc.AccessTokenResponse{AccessToken: out.Bearer, TokenType: oidc.BearerToken,
			RefreshToken: out.RefreshToken, ExpiresIn: uint64(out.ExpiresAt.Sub(h.o.Now()).Seconds())})
	case "authorization_code":
		return h.exchangeCode(w, r, id, secret, hasClient)
	case "":
		return models.Invalid("grant_type is required")
	}
	return &models.Error{Kind: models.KindInvalid, Code: "unsupported_grant_type", Public: "grant_type must be authorization_code, refresh_token or client_credentials"}
}

// POST {prefix}/oauth/revoke (RFC 7009): always 200 for a well-formed request.
func (h *Handler) oauthRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := h.parseForm(w, r); err != nil {
		return err
	}
	token := r.PostForm.Get("token")
	if token == "" {
		return models.Invalid("token is required")
	}
	if err := h.login.RevokeToken(r.Context(), token, h.clientOf(r)); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, acknowledged)
}

type introspectionResponse struct {
	Active    bool     `json:"active"`
	TokenType string   `json:"token_type,omitempty"`
	Subject   string   `json:"sub,omitempty"`
	SessionID string   `json:"sid,omitempty"`
	KeyID     string   `json:"azp,omitempty"`
	TokenID   string   `json:"jti,omitempty"`
	Issuer    string   `json:"iss,omitempty"`
	Exp       int64    `json:"exp,omitempty"`
	Iat       int64    `json:"iat,omitempty"`
	Roles     []string `json:"roles,omitempty"`
	Groups    []string `json:"groups,omitempty"`
	Verified  bool     `json:"verified,omitempty"`
}

// POST {prefix}/oauth/introspect (RFC 7662): the caller authenticates (gateway or admin).
func (h *Handler) oauthIntrospect(w http.ResponseWriter, r *http.Request) error {
	if err := h.parseForm(w, r); err != nil {
		return err
	}
	if err := h.introspector(r); err != nil {
		return err
	}
	in, err := h.login.Introspect(r.Context(), r.PostForm.Get("token"))
	if err != nil {
		return err
	}
	if !in.Active {
		return writeJSON(w, http.StatusOK, introspectionResponse{})
	}
	out := introspectionResponse{Active: true, TokenType: in.TokenType, Subject: in.Subject, SessionID: in.SessionID,
		KeyID: in.KeyID, TokenID: in.TokenID, Issuer: h.o.PublicURL, Exp: in.ExpiresAt.Unix(), Roles: in.Roles,
		Groups: in.Groups, Verified: in.Verified}
	if !in.IssuedAt.IsZero() {
		out.Iat = in.IssuedAt.Unix()
	}
	return writeJSON(w, http.StatusOK, out)
}

// introspector authenticates the caller of introspection: a key pair as client
// credentials, or any credential header, whose owner holds gateway or admin now.
func (h *Handler) introspector(r *http.Request) error {
	var (
		p   *authn.Principal
		err error
	)
	ip := clientIP(r, h.o.TrustedProxies)
	if id, secret, ok, cerr := clientCredentials(r); cerr != nil {
		return cerr
	} else if ok {
		p, err = h.keyPairs.AuthenticateKeyPair(r.Context(), id, secret, ip)
		if err != nil {
			return credentialError(err, models.KindUnauthorized, "invalid_client", "client authentication failed")
		}
	} else if p, err = h.principal(r, ip); err != nil {
		return err
	}
	roles, err := h.authn.CurrentRoles(r.Context(), p)
	if err != nil {
		return err
	}
	if !hasAny(roles, []string{models.RoleGateway, models.RoleAdmin}) {
		return models.E(models.KindForbidden, "introspection needs the gateway or admin role")
	}
	return nil
}

type userInfoResponse struct {
	Subject           string   `json:"sub"`
	Name              string   `json:"name"`
	PreferredUsername string   `json:"preferred_username"`
	Email             string   `json:"email,omitempty"`
	EmailVerified     bool     `json:"email_verified"`
	Roles             []string `json:"roles"`
	Groups            []string `json:"groups"`
	Verified          bool     `json:"verified"`
}

// GET {prefix}/userinfo
func (h *Handler) userInfo(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	u, err := h.login.UserInfo(r.Context(), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, userInfoResponse{Subject: u.Subject, Name: u.Name, PreferredUsername: u.PreferredUsername,
		Email: u.Email, EmailVerified: u.EmailVerified, Roles: u.Roles, Groups: u.Groups, Verified: u.Verified})
}
