package verifier

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
)

type ctxKey struct{}

// ClaimsFrom returns the claims Require put in the request context.
func ClaimsFrom(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(ctxKey{}).(*Claims)
	return c, ok
}

// Require returns middleware that admits requests with a valid bearer token whose
// claims hold at least one of roles (any valid token when roles is empty). It answers
// 401 for a missing or bad token, 403 for a missing role, and 503 while the revocation
// feed is stale.
func (v *Verifier) Require(roles ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
				deny(w, http.StatusUnauthorized, "missing bearer token")
				return
			}
			c, err := v.Verify(r.Context(), strings.TrimSpace(token))
			switch {
			case errors.Is(err, ErrStaleFeed):
				deny(w, http.StatusServiceUnavailable, "token revocations are not current")
				return
			case err != nil:
				deny(w, http.StatusUnauthorized, "invalid or expired token")
				return
			case len(roles) > 0 && !c.HasAnyRole(roles...):
				deny(w, http.StatusForbidden, "missing a required role")
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, c)))
		})
	}
}

func deny(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-error", msg)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="authd"`)
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": status, "error": msg})
}
