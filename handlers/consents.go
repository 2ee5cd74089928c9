package handlers

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/provider"
)

type consentView struct {
	ClientID  string   `json:"clientID"`
	Name      string   `json:"name"`
	Scopes    []string `json:"scopes"`
	GrantedAt int64    `json:"grantedAt"`
}

type consentsResponse struct {
	Consents []consentView `json:"consents"`
}

func newConsentsResponse(in []provider.ConsentView) consentsResponse {
	out := consentsResponse{Consents: make([]consentView, 0, len(in))}
	for _, c := range in {
		out.Consents = append(out.Consents, consentView{ClientID: c.ClientID, Name: c.AppName, Scopes: c.Scopes,
			GrantedAt: c.GrantedAt.Unix()})
	}
	return out
}

// GET {prefix}/consents: the third-party apps the caller allowed, and what.
func (h *Handler) listConsents(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	out, err := h.provider.Consents(r.Context(), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newConsentsResponse(out))
}

// DELETE {prefix}/consent/{clientID}: withdraw a consent; the app's sessions close.
func (h *Handler) revokeConsent(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	if err := h.provider.RevokeConsent(r.Context(), p, mux.Vars(r)["clientID"]); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, acknowledged)
}

// GET {prefix}/admin/user/{id}/consents
func (h *Handler) adminConsents(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	out, err := h.provider.AdminConsents(r.Context(), p, mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newConsentsResponse(out))
}
