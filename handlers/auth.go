package handlers

import (
	"net"
	"net/http"
	"strings"

	"github.com/authd/authd/account"
	"github.com/authd/authd/models"
)

// maxCredentialBytes bounds what we parse from an Authorization header (ARCHITECTURE:
// tokens over 8 KiB are refused).
const maxCredentialBytes = 8 << 10

// bearer extracts the bearer credential. Only the Authorization header is read:
// tokens in query strings or cookies are never accepted. A request carrying both a
// bearer and an API key pair is ambiguous and refused.
func bearer(r *http.Request) (string, error) {
	auth := r.Header.Get("Authorization")
	hasKey := r.Header.Get("api-key") != "" || r.Header.Get("api-secret") != ""
	if auth != "" && hasKey {
		return "", models.Invalid("send either a bearer token or an API key pair, not both")
	}
	if auth == "" {
		return "", models.E(models.KindUnauthorized, "missing bearer token")
	}
	scheme, token, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", models.E(models.KindUnauthorized, "authorization header must be: Bearer <token>")
	}
	token = strings.TrimSpace(token)
	if token == "" || len(token) > maxCredentialBytes {
		return "", models.E(models.KindUnauthorized, "invalid or expired token")
	}
	return token, nil
}

// authenticate resolves the caller from the bearer credential.
func (h *Handler) authenticate(r *http.Request) (*account.Principal, error) {
	token, err := bearer(r)
	if err != nil {
		return nil, err
	}
	return h.accounts.Authenticate(r.Context(), token)
}

// clientOf describes the caller. The peer address is used as is; trusted-proxy
// handling of X-Forwarded-For comes with rate limiting.
func clientOf(r *http.Request) account.Client {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	return account.Client{IP: ip, UserAgent: cleanUserAgent(r.UserAgent())}
}

// cleanUserAgent keeps a user agent printable and at most 256 bytes: it is stored,
// listed back to the user and logged.
func cleanUserAgent(ua string) string { return printable(ua, 256) }
