package handlers

import (
	"net/http"
	"strings"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/issuer"
	"github.com/authd/authd/models"
)

// maxCredentialBytes bounds what we parse from an Authorization header (ARCHITECTURE:
// tokens over 8 KiB are refused).
const maxCredentialBytes = 8 << 10

// access declares which callers a route admits; authed enforces it, so the rules of
// who may call what are written once, next to the routes.
type access struct {
	pending bool     // the pending credential of a login in progress may call it
	keyPair bool     // an API key pair may call it (otherwise 403: sessions only)
	roles   []string // the caller must hold at least one of these roles
	fresh   bool     // check roles against the database, not the token (admin routes)
}

// adminOnly is the access of every /admin route: a person's session or key pair whose
// owner holds admin now, not merely when the token was minted.
func adminOnly() access {
	return access{keyPair: true, roles: []string{models.RoleAdmin}, fresh: true}
}

type authedFunc func(w http.ResponseWriter, r *http.Request, p *authn.Principal) error

func (h *Handler) authed(a access, fn authedFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c := h.clientOf(r)
		p, err := h.principal(r, c.IP)
		if err != nil {
			return err
		}
		p.Client = c
		if err := a.admits(p); err != nil {
			return err
		}
		if a.fresh {
			roles, err := h.authn.CurrentRoles(r.Context(), p)
			if err != nil {
				return err
			}
			if !hasAny(roles, a.roles) {
				return models.E(models.KindForbidden, "missing a required role")
			}
		}
		return fn(w, r, p)
	}
}

// authedOrAnonymous admits a verified session as authed(access{}) does, or a request
// with no credential at all (fn gets a nil principal), limited per client IP like the
// other unauthenticated routes: where a code alone proves what is asked.
func (h *Handler) authedOrAnonymous(fn authedFunc) handlerFunc {
	withCredential := h.authed(access{}, fn)
	anonymous := h.limited(func(w http.ResponseWriter, r *http.Request) error { return fn(w, r, nil) })
	return func(w http.ResponseWriter, r *http.Request) error {
		if auth, key, secret := credentialHeaders(r); len(auth)+len(key)+len(secret) > 0 {
			return withCredential(w, r)
		}
		return anonymous(w, r)
	}
}

func (a access) admits(p *authn.Principal) error {
	switch {
	case p.Pending && !a.pending:
		return models.E(models.KindUnauthorized, "session is not verified")
	case p.ViaKeyPair() && !a.keyPair:
		return models.E(models.KindForbidden, "this endpoint needs a session bearer token, not an API key pair")
	case len(a.roles) > 0 && !a.fresh && !p.HasAnyRole(a.roles...):
		return models.E(models.KindForbidden, "missing a required role")
	}
	return nil
}

func hasAny(have, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}

// principal authenticates the request by its one credential. Only headers are read:
// tokens in query strings or cookies are never accepted. A request carrying both a
// bearer and a key pair, or a credential header twice, is ambiguous and refused.
func (h *Handler) principal(r *http.Request, ip string) (*authn.Principal, error) {
	auth, key, secret := credentialHeaders(r)
	if len(auth) > 1 || len(key) > 1 || len(secret) > 1 {
		return nil, models.Invalid("a credential header was sent more than once")
	}
	hasBearer, hasKey := len(auth) == 1, len(key) == 1 || len(secret) == 1
	switch {
	case hasBearer && hasKey:
		return nil, models.Invalid("send either a bearer token or an API key pair, not both")
	case hasKey:
		if len(key) != 1 || len(secret) != 1 {
			return nil, models.E(models.KindUnauthorized, "both api-key and api-secret are required")
		}
		return h.keyPairs.AuthenticateKeyPair(r.Context(), key[0], secret[0], ip)
	case hasBearer:
		token, err := bearerToken(auth[0])
		if err != nil {
			return nil, err
		}
		return h.authn.Authenticate(r.Context(), token)
	}
	return nil, models.E(models.KindUnauthorized, "missing credentials")
}

// credentialHeaders are the headers a credential may come in.
func credentialHeaders(r *http.Request) (auth, key, secret []string) {
	return r.Header.Values("Authorization"), r.Header.Values("Api-Key"), r.Header.Values("Api-Secret")
}

// bearerToken reads "Bearer <token>", or a bare token of one of authd's own shapes (a
// compact JWT, a pending credential): the ThreatWinds pages show the header without a
// scheme. Any other scheme or bare value is a 401.
func bearerToken(header string) (string, error) {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok && len(header) <= maxCredentialBytes && authdShaped(header) {
		return header, nil
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", models.E(models.KindUnauthorized, "authorization header must be: Bearer <token>")
	}
	token = strings.TrimSpace(token)
	if token == "" || len(token) > maxCredentialBytes {
		return "", models.E(models.KindUnauthorized, "invalid or expired token")
	}
	return token, nil
}

// authdShaped reports a token authd could have issued: a compact JWS whose header
// segment opens a JSON object ("eyJ"), or a pending credential.
func authdShaped(token string) bool {
	return (strings.HasPrefix(token, "eyJ") && strings.Count(token, ".") == 2) || issuer.IsPending(token)
}

// cleanUserAgent keeps a user agent printable and at most 256 bytes: it is stored,
// listed back to the user and logged.
func cleanUserAgent(ua string) string { return printable(ua, 256) }
