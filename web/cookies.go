package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// Cookies. On https the names carry the __Host- prefix (Secure, Path=/, no Domain:
// no subdomain can set or read them); on plain http (a laptop, dev) they cannot, and
// are neither Secure nor prefixed. All are HttpOnly and SameSite=Lax: the browser
// session must reach /authorize on the top-level navigation from an app's site.
const (
	browserCookie = "authd_browser" // the browser session's credential
	csrfCookie    = "authd_csrf"    // the random value each form's CSRF token is bound to
)

func (p *Pages) cookieName(base string) string {
	if p.secure {
		return "__Host-" + base
	}
	return base
}

func (p *Pages) setCookie(w http.ResponseWriter, base, value string, expires time.Time) {
	c := &http.Cookie{Name: p.cookieName(base), Value: value, Path: "/", Secure: p.secure, HttpOnly: true,
		SameSite: http.SameSiteLaxMode}
	if !expires.IsZero() {
		c.Expires, c.MaxAge = expires, int(expires.Sub(p.o.Now()).Seconds())
	}
	http.SetCookie(w, c)
}

func (p *Pages) cookie(r *http.Request, base string) string {
	c, err := r.Cookie(p.cookieName(base))
	if err != nil {
		return ""
	}
	return c.Value
}

// csrfToken is the token the forms of one sign-in request carry in this browser:
// a MAC of the browser's random CSRF cookie (set here when missing) and the request.
// A page of another site can neither read the cookie nor compute the token, so it
// cannot submit a form in this browser's name (login CSRF included).
func (p *Pages) csrfToken(w http.ResponseWriter, r *http.Request, request string) string {
	nonce := p.cookie(r, csrfCookie)
	if len(nonce) != 43 {
		var b [32]byte
		if _, err := io.ReadFull(p.o.Rand, b[:]); err != nil {
			// No token: the form cannot be submitted, which is safe; say why.
			p.log.Error("hosted login: no randomness for the CSRF cookie", slog.String("error", err.Error()))
			return ""
		}
		nonce = base64.RawURLEncoding.EncodeToString(b[:])
		p.setCookie(w, csrfCookie, nonce, time.Time{})
	}
	return p.mac(nonce, request)
}

// csrfOK checks a submitted form's token against this browser's cookie.
func (p *Pages) csrfOK(r *http.Request, request string) bool {
	nonce := p.cookie(r, csrfCookie)
	if nonce == "" {
		return false
	}
	return hmac.Equal([]byte(r.PostForm.Get("csrf")), []byte(p.mac(nonce, request)))
}

func (p *Pages) mac(nonce, request string) string {
	m := hmac.New(sha256.New, p.o.CSRFKey)
	m.Write([]byte("authd-csrf/v1\x00" + nonce + "\x00" + request))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (p *Pages) clearCookie(w http.ResponseWriter, base string) {
	http.SetCookie(w, &http.Cookie{Name: p.cookieName(base), Value: "", Path: "/", Secure: p.secure, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}
