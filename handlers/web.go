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

// cors answers preflights and marks responses for allowed origins. Other origins get
// no Access-Control-* header (never a reflection), and their preflights fail.
func (h *Handler) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Origin") == "" {
			next.ServeHTTP(w, r)
			return
		}
		hdr := w.Header()
		hdr.Add("Vary", "Origin")
		allowed := h.allowedOrigin(r)
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
