package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/clients"
	"github.com/authd/authd/login"
	"github.com/authd/authd/models"
)

// proceed answers a request for who, once the app may have what it asks for: a
// third-party app the person has not allowed these scopes goes through the consent
// page first (or, under prompt=none, is told consent_required). stored says whether
// req was stored already (a page answered it) or only checked (single sign-on).
func (p *Pages) proceed(w http.ResponseWriter, r *http.Request, req *models.AuthRequest, who *login.BrowserLogin, stored bool) {
	need, err := p.provider.NeedsConsent(r.Context(), req, who.UserID)
	if err != nil {
		p.failBack(w, r, req, err)
		return
	}
	switch {
	case !need && stored:
		p.answer(w, r, req, who)
	case !need:
		p.grant(w, r, req, who)
	case slices.Contains(req.Prompt, oidc.PromptNone):
		p.sendBack(w, r, req.RedirectURI, req.ResponseMode, authResponse{Error: "consent_required",
			Description: "the person has not allowed this app", State: req.State})
	case stored:
		http.Redirect(w, r, "/consent?request="+url.QueryEscape(req.ID), http.StatusSeeOther)
	default:
		p.keepFor(w, r, req, "/consent")
	}
}

// scopeWords says in plain words what each scope lets an app do.
var scopeWords = map[string]string{
	clients.ScopeOpenID:        "Know who you are on this service",
	clients.ScopeProfile:       "See your name and alias",
	clients.ScopeEmail:         "See your email address",
	clients.ScopeOfflineAccess: "Keep you signed in while you are away",
}

func describe(scopes []string) []string {
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if w, ok := scopeWords[s]; ok {
			out = append(out, w)
		} else {
			out = append(out, "Use your "+s+" access")
		}
	}
	return out
}

// GET /consent?request=ID: what the app asks, for the person logged in here.
func (p *Pages) consentPage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("request")
	req, app, err := p.provider.Pending(r.Context(), id)
	if err != nil {
		p.expired(w, err)
		return
	}
	who := p.browserLogin(r)
	if who == nil {
		http.Redirect(w, r, "/login?request="+url.QueryEscape(id), http.StatusSeeOther)
		return
	}
	scopes, err := p.provider.ConsentScopes(r.Context(), req, who.UserID)
	if err != nil {
		p.failBack(w, r, req, err)
		return
	}
	p.render(w, http.StatusOK, "consent", view{Title: "Allow " + app.Name, App: app.Name, Request: id,
		CSRF: p.csrfToken(w, r, id), Scopes: describe(scopes)})
}

// POST /consent: allow (remembered, then the code goes back) or deny (access_denied).
func (p *Pages) decide(w http.ResponseWriter, r *http.Request) {
	req, _, ok := p.pendingForm(w, r)
	if !ok {
		return
	}
	id := req.ID
	who := p.browserLogin(r)
	if who == nil {
		http.Redirect(w, r, "/login?request="+url.QueryEscape(id), http.StatusSeeOther)
		return
	}
	if r.PostForm.Get("decision") != "allow" {
		p.sendBack(w, r, req.RedirectURI, req.ResponseMode, authResponse{Error: "access_denied",
			Description: "the person did not allow this app", State: req.State})
		return
	}
	if err := p.provider.Allow(r.Context(), req, authn.Actor{ID: who.UserID, Client: p.o.Client(r)}); err != nil {
		p.failBack(w, r, req, err)
		return
	}
	p.answer(w, r, req, who)
}
