package web

import (
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/authd/authd/models"
	"github.com/authd/authd/provider"
)

// logoutCSRF is what the logout confirmation's CSRF token is bound to.
const logoutCSRF = "logout"

// GET or POST /logout (OpenID Connect RP-Initiated Logout 1.0). A request whose
// id_token_hint proves who asks ends that person's browser session and every app
// session it started, at once; without that proof, a person logged in in this browser
// is asked to confirm first, so a link on another site cannot sign them out. The
// browser then goes to the app's post_logout_redirect_uri, with state, only when it is
// registered for that app; otherwise to authd's signed-out page.
func (p *Pages) logout(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	in, err := op.ParseEndSessionRequest(r, p.decoder)
	if err != nil {
		p.fail(w, http.StatusBadRequest, "This sign-out link is not valid", "The request's parameters could not be read.")
		return
	}
	confirmed := r.Method == http.MethodPost && r.PostForm.Get("confirm") == "1"
	if confirmed && !p.csrfOK(r, logoutCSRF) {
		p.fail(w, http.StatusForbidden, "This form has expired", "Reload the page and try again.")
		return
	}
	plan, err := p.provider.CheckLogout(r.Context(), in)
	if models.KindOf(err) == models.KindInvalid {
		p.fail(w, http.StatusBadRequest, "This sign-out link is not valid", "The app's sign-out request was refused.")
		return
	}
	if err != nil {
		p.internal(w, err)
		return
	}
	who := p.browserLogin(r)
	proven := plan.UserID != "" && (who == nil || who.UserID == plan.UserID)
	if who != nil && !proven && !confirmed {
		p.render(w, http.StatusOK, "logout", view{Title: "Sign out", App: plan.AppName, Request: logoutCSRF,
			CSRF: p.csrfToken(w, r, logoutCSRF), Params: confirmParams(in.ClientID, in.PostLogoutRedirectURI, in.State)})
		return
	}
	ended := ""
	if proven && plan.SessionID != "" {
		if ended, _, err = p.login.EndBrowserLogin(r.Context(), plan.UserID, plan.SessionID, p.o.Client(r)); err != nil {
			p.internal(w, err)
			return
		}
	}
	if who != nil && who.SessionID != ended {
		if _, _, err := p.login.EndBrowserLogin(r.Context(), who.UserID, who.SessionID, p.o.Client(r)); err != nil {
			p.internal(w, err)
			return
		}
	}
	p.clearCookie(w, browserCookie)
	p.loggedOut(w, r, plan)
}

func (p *Pages) loggedOut(w http.ResponseWriter, r *http.Request, plan *provider.Logout) {
	if plan.Redirect != "" {
		http.Redirect(w, r, plan.Redirect, http.StatusSeeOther)
		return
	}
	p.render(w, http.StatusOK, "loggedout", view{Title: "Signed out", App: plan.AppName})
}

// confirmParams carries a logout request's app, destination and state through the
// confirmation form (the hint is not needed: the form is its own proof).
func confirmParams(clientID, redirect, state string) map[string][]string {
	out := map[string][]string{}
	for k, v := range map[string]string{"client_id": clientID, "post_logout_redirect_uri": redirect, "state": state} {
		if v != "" {
			out[k] = []string{v}
		}
	}
	return out
}
