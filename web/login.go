package web

import (
	"net/http"

	"github.com/authd/authd/models"
)

// The login pages: the address, then the emailed code. They give the same answers
// for addresses with and without an account, under the same rate limits and code
// rules as POST /session (the login package's), and finish by answering the app's
// pending request with the new browser session.

// GET /login?request=ID: the address form, prefilled from login_hint.
func (p *Pages) emailPage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("request")
	req, app, err := p.provider.Pending(r.Context(), id)
	if err != nil {
		p.expired(w, err)
		return
	}
	p.render(w, http.StatusOK, "email", view{Title: "Sign in", App: app.Name, Request: id,
		CSRF: p.csrfToken(w, r, id), Email: req.LoginHint})
}

// expired renders a request that is gone or unknown (or a failure of ours).
func (p *Pages) expired(w http.ResponseWriter, err error) {
	if models.KindOf(err) == models.KindNotFound {
		p.fail(w, http.StatusBadRequest, "This sign-in has expired", "The sign-in request has expired or was already used.")
		return
	}
	p.internal(w, err)
}

// form reads a page's form (bounded) and checks its CSRF token for its request.
func (p *Pages) form(w http.ResponseWriter, r *http.Request) (string, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		p.fail(w, http.StatusBadRequest, "This form could not be read", "Go back and try again.")
		return "", false
	}
	id := r.PostForm.Get("request")
	if !p.csrfOK(r, id) {
		p.fail(w, http.StatusForbidden, "This form has expired", "Reload the sign-in page and try again.")
		return "", false
	}
	return id, true
}

// pendingForm reads a page's form and the live request it answers; ok false means
// the answer (an error page) is written.
func (p *Pages) pendingForm(w http.ResponseWriter, r *http.Request) (*models.AuthRequest, *models.Client, bool) {
	id, ok := p.form(w, r)
	if !ok {
		return nil, nil, false
	}
	req, app, err := p.provider.Pending(r.Context(), id)
	if err != nil {
		p.expired(w, err)
		return nil, nil, false
	}
	return req, app, true
}

// POST /login: email a code to the address.
func (p *Pages) sendCode(w http.ResponseWriter, r *http.Request) {
	req, app, ok := p.pendingForm(w, r)
	if !ok {
		return
	}
	id := req.ID
	email := r.PostForm.Get("email")
	v := view{Title: "Sign in", App: app.Name, Request: id, CSRF: p.csrfToken(w, r, id), Email: email}
	pending, err := p.login.StartBrowserLogin(r.Context(), email, p.o.Client(r))
	switch models.KindOf(err) {
	case models.KindInvalid:
		v.Error = "Enter a valid email address."
		p.render(w, http.StatusBadRequest, "email", v)
		return
	case models.KindTooMany:
		v.Error = "Too many codes were sent. Wait a few minutes and try again."
		p.render(w, http.StatusTooManyRequests, "email", v)
		return
	}
	if err != nil {
		p.internal(w, err)
		return
	}
	v.Title, v.CodeID = "Enter your code", pending.VerificationCodeID
	p.render(w, http.StatusOK, "code", v)
}

// POST /login/code: check the code, start the browser session, answer the request.
func (p *Pages) checkCode(w http.ResponseWriter, r *http.Request) {
	req, _, ok := p.pendingForm(w, r)
	if !ok {
		return
	}
	id, f := req.ID, r.PostForm
	who, cred, err := p.login.VerifyBrowserLogin(r.Context(), f.Get("code_id"), f.Get("code"), p.o.Client(r), p.cookie(r, browserCookie))
	if err != nil {
		v := view{Title: "Enter your code", Request: id, CSRF: p.csrfToken(w, r, id), Email: f.Get("email"), CodeID: f.Get("code_id")}
		switch models.KindOf(err) {
		case models.KindInvalid, models.KindUnauthorized, models.KindNotFound, models.KindConflict:
			v.Error = "That code is not right, or has expired. Check the latest email and try again."
			p.render(w, http.StatusBadRequest, "code", v)
		case models.KindTooMany:
			v.Error = "Too many attempts. Wait a few minutes and ask for a new code."
			p.render(w, http.StatusTooManyRequests, "code", v)
		default:
			p.internal(w, err)
		}
		return
	}
	p.setCookie(w, browserCookie, cred, who.ExpiresAt)
	p.proceed(w, r, req, who, true)
}
