package handlers

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/authd/authd/models"
)

// Browser support: CORS for the configured origins, and cookie mode, where the refresh
// token lives in an HttpOnly cookie that page scripts cannot read.

const (
	refreshCookie = "__Host-authd_refresh" // __Host-: Secure, Path=/, no Domain
	csrfHeader    = "X-Authd-CSRF"         // a header a cross-site form cannot send
)

func (h *Handler) allowedOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	return o != "" && slices.Contains(h.o.AllowedOrigins, o)
}

// cookieClient reports a browser client of an allowed origin while cookie mode is on.
func (h *Handler) cookieClient(r *http.Request) bool { return h.o.CookieMode && h.allowedOrigin(r) }

func setRefreshCookie(w http.ResponseWriter, token string, expires, now time.Time) {
	http.SetCookie(w, &http.Cookie{Name: refreshCookie, Value: token, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: int(expires.Sub(now).Seconds())})
}

func clearRefreshCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: refreshCookie, Value: "", Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
}

// cookieRefreshToken returns the refresh token of a cookie-mode refresh, which must
// come from an allowed origin and carry the CSRF header.
func (h *Handler) cookieRefreshToken(r *http.Request) (string, error) {
	if !h.o.CookieMode {
		return "", models.Invalid("refreshToken is required")
	}
	c, err := r.Cookie(refreshCookie)
	if err != nil || c.Value == "" {
		return "", models.E(models.KindUnauthorized, "no refresh token")
	}
	if !h.allowedOrigin(r) {
		return "", models.E(models.KindForbidden, "origin not allowed")
	}
	if r.Header.Get(csrfHeader) != "1" {
		return "", models.E(models.KindForbidden, "missing "+csrfHeader+" header")
	}
	return c.Value, nil
}

var (
	corsMethods = strings.Join([]string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete}, ", ")
	corsHeaders = strings.Join([]string{"Authorization", "Content-Type", "api-key", "api-secret", csrfHeader}, ", ")
)

// openToAnyOrigin reports the endpoints any web app may call from its own origin,
// without credentials (cookies): what an OpenID Connect single-page app needs
// (discovery, JWKS, token, userinfo, revocation). Their answers carry no cookie and
// every request carries its own proof.
func (h *Handler) openToAnyOrigin(path string) bool {
	p := h.o.APIPrefix
	switch path {
	case "/.well-known/openid-configuration", p + "/jwks", p + "/oauth/token", p + "/userinfo", p + "/oauth/revoke":
		return true
	}
	return false
}

// pagePath reports the hosted pages, which never answer a cross-origin script.
func pagePath(path string) bool {
	return path == "/authorize" || path == "/logout" || path == "/login" || path == "/consent" || strings.HasPrefix(path, "/login/")
}

// corsAny marks a response (or answers a preflight) of an endpoint open to any origin.
func corsAny(w http.ResponseWriter, r *http.Request) bool {
	hdr := w.Header()
	hdr.Set("Access-Control-Allow-Origin", "*")
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		hdr.Set("Access-Control-Allow-Methods", "GET, POST")
		hdr.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
		hdr.Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
		return true
	}
	hdr.Set("Access-Control-Expose-Headers", "x-error, x-error-id, WWW-Authenticate")
	return false
}

// cors answers preflights and marks responses for allowed origins. Other origins get
// no Access-Control-* header (never a reflection), and their preflights fail, except
// on the endpoints open to any origin, which they may call without credentials. The
// hosted pages answer no cross-origin script at all.
func (h *Handler) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Origin") == "" || pagePath(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		hdr := w.Header()
		hdr.Add("Vary", "Origin")
		allowed := h.allowedOrigin(r)
		if !allowed && h.openToAnyOrigin(r.URL.Path) {
			if !corsAny(w, r) {
				next.ServeHTTP(w, r)
			}
			return
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			if !allowed {
				writeError(w, r, h.log, models.E(models.KindForbidden, "origin not allowed"))
				return
			}
			hdr.Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
			hdr.Set("Access-Control-Allow-Credentials", "true")
			hdr.Set("Access-Control-Allow-Methods", corsMethods)
			hdr.Set("Access-Control-Allow-Headers", corsHeaders)
			hdr.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if allowed {
			hdr.Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
			hdr.Set("Access-Control-Allow-Credentials", "true")
			hdr.Set("Access-Control-Expose-Headers", "x-error, x-error-id")
		}
		next.ServeHTTP(w, r)
	})
}
