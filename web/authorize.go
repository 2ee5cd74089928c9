package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/authd/authd/login"
	"github.com/authd/authd/models"
	"github.com/authd/authd/provider"
)

// GET or POST /authorize (OpenID Connect Core 3.1.2). A request that cannot be tied to
// a registered app and one of its redirect URIs gets an error page and goes nowhere;
// any other refusal goes back to the app (RFC 6749 4.1.2.1). A person already logged
// in in this browser gets a code at once (single sign-on) unless the app asks for a
// fresh login (prompt=login, or a login older than max_age); otherwise they are sent
// to the login page, or, under prompt=none, the app is told login_required.
func (p *Pages) authorize(w http.ResponseWriter, r *http.Request) {
	in, err := op.ParseAuthorizeRequest(r, p.decoder)
	if err != nil {
		p.fail(w, http.StatusBadRequest, "This sign-in link is not valid", "The request's parameters could not be read.")
		return
	}
	req, err := p.provider.Check(r.Context(), in, r.Form.Get("request_uri") != "")
	if err != nil {
		p.refuse(w, r, in, err)
		return
	}
	who := p.browserLogin(r)
	if who != nil && in.IDTokenHint != "" && p.provider.HintedUser(in.IDTokenHint) != who.UserID {
		who = nil // the app expects someone else (or sent a hint that is not ours): they log in
	}
	fresh := who != nil && !slices.Contains(req.Prompt, oidc.PromptLogin) && !slices.Contains(req.Prompt, oidc.PromptSelectAccount) &&
		(req.MaxAgeSeconds == nil || p.o.Now().Sub(who.AuthTime) <= time.Duration(*req.MaxAgeSeconds)*time.Second)
	switch {
	case fresh:
		p.proceed(w, r, req, who, false)
	case slices.Contains(req.Prompt, oidc.PromptNone):
		p.sendBack(w, r, req.RedirectURI, req.ResponseMode, authResponse{Error: "login_required", Description: "no one is logged in", State: req.State})
	default:
		p.keepFor(w, r, req, "/login")
	}
}

// keepFor stores a checked request and sends the browser to the page (/login or
// /consent) that will answer it.
func (p *Pages) keepFor(w http.ResponseWriter, r *http.Request, req *models.AuthRequest, page string) {
	if err := p.provider.Keep(r.Context(), req); err != nil {
		p.failBack(w, r, req, err)
		return
	}
	http.Redirect(w, r, page+"?request="+url.QueryEscape(req.ID), http.StatusSeeOther)
}

// refuse answers a refused authorization request: an error page when it names no
// registered app and redirect URI, else the error sent back to the app.
func (p *Pages) refuse(w http.ResponseWriter, r *http.Request, in *oidc.AuthRequest, err error) {
	var ae *provider.AuthorizeError
	if !errors.As(err, &ae) {
		p.internal(w, err)
		return
	}
	if !ae.Redirect {
		p.fail(w, http.StatusBadRequest, "This sign-in link is not valid", "The app's request was refused: "+ae.Description+".")
		return
	}
	state := in.State
	if ae.BadState {
		state = ""
	}
	p.sendBack(w, r, in.RedirectURI, string(in.ResponseMode), authResponse{Error: ae.Code, Description: ae.Description, State: state})
}

// authResponse is an authorization response: a code (RFC 6749 4.1.2) or an error
// (4.1.2.1). sendBack names the issuer in every one (RFC 9207), so an app that talks
// to several providers can tell which one answered and refuse a mixed-up response.
type authResponse struct {
	Code        string `schema:"code,omitempty"`
	Error       string `schema:"error,omitempty"`
	Description string `schema:"error_description,omitempty"`
	State       string `schema:"state,omitempty"`
	Issuer      string `schema:"iss"`
}

// internal renders a failure of authd's own: a generic page (503 while the database
// is away), the cause only in the log.
func (p *Pages) internal(w http.ResponseWriter, err error) {
	if models.KindOf(err) == models.KindUnavailable {
		p.fail(w, http.StatusServiceUnavailable, "Please try again", "The service is briefly unavailable. Try again in a moment.")
		return
	}
	p.log.Error("hosted login", slog.String("error", err.Error()))
	p.fail(w, http.StatusInternalServerError, "Something went wrong", "The sign-in could not be completed.")
}

// browserLogin is this browser's live session, or nil.
func (p *Pages) browserLogin(r *http.Request) *login.BrowserLogin {
	cred := p.cookie(r, browserCookie)
	if cred == "" {
		return nil
	}
	who, err := p.login.BrowserSession(r.Context(), cred)
	if err != nil {
		if models.KindOf(err) != models.KindUnauthorized {
			p.log.Warn("browser session", slog.String("error", err.Error()))
		}
		return nil
	}
	return who
}

// loginOf is who, as the provider records them on an answered request.
func loginOf(who *login.BrowserLogin) provider.Login {
	return provider.Login{UserID: who.UserID, BrowserSessionID: who.SessionID, AuthTime: who.AuthTime, AMR: who.AMR}
}

// grant answers a request never stored (single sign-on: no page was needed) for who,
// in one write, and sends the code back to the app.
func (p *Pages) grant(w http.ResponseWriter, r *http.Request, req *models.AuthRequest, who *login.BrowserLogin) {
	code, err := p.provider.Grant(r.Context(), req, loginOf(who))
	if err != nil {
		p.failBack(w, r, req, err)
		return
	}
	p.sendBack(w, r, req.RedirectURI, req.ResponseMode, authResponse{Code: code, State: req.State})
}

// answer issues the code of the stored request pending for who and sends it back to
// the app.
func (p *Pages) answer(w http.ResponseWriter, r *http.Request, pending *models.AuthRequest, who *login.BrowserLogin) {
	code, req, err := p.provider.Answer(r.Context(), pending.ID, loginOf(who))
	if models.KindOf(err) == models.KindNotFound {
		p.fail(w, http.StatusBadRequest, "This sign-in has expired", "The sign-in request has expired or was already used.")
		return
	}
	if err != nil {
		p.failBack(w, r, pending, err)
		return
	}
	p.sendBack(w, r, req.RedirectURI, req.ResponseMode, authResponse{Code: code, State: req.State})
}

// failBack answers a failure of authd's own while serving a request whose app and
// redirect URI are known (checked): the app is told, as RFC 6749 4.1.2.1 says
// (temporarily_unavailable while the database is away, else server_error), so it can
// show its own page or try again; the cause is only in the log.
func (p *Pages) failBack(w http.ResponseWriter, r *http.Request, req *models.AuthRequest, err error) {
	e := authResponse{Error: "server_error", Description: "the sign-in could not be completed", State: req.State}
	if models.KindOf(err) == models.KindUnavailable {
		e.Error, e.Description = "temporarily_unavailable", "the service is briefly unavailable"
	} else {
		p.log.Error("hosted login", slog.String("error", err.Error()))
	}
	p.sendBack(w, r, req.RedirectURI, req.ResponseMode, e)
}

// sendBack delivers an authorization response (a code or an error), with the issuer,
// to the app's redirect URI: in the query (a 303), or as an auto-submitted form
// (form_post).
func (p *Pages) sendBack(w http.ResponseWriter, r *http.Request, redirectURI, mode string, response authResponse) {
	response.Issuer = p.o.PublicURL
	if mode == string(oidc.ResponseModeFormPost) {
		params := map[string][]string{}
		if err := encoder.Encode(response, params); err != nil {
			p.internal(w, err)
			return
		}
		p.render(w, http.StatusOK, "formpost", view{Title: "Signing you in", RedirectURI: redirectURI, Params: params})
		return
	}
	to, err := op.AuthResponseURL(redirectURI, oidc.ResponseTypeCode, oidc.ResponseModeQuery, response, encoder)
	if err != nil {
		p.internal(w, err)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}
