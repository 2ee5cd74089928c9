package handlers

import (
	"net/http"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/directory"
)

type partnerUserRequest struct {
	Email     string   `json:"email"`
	FullName  string   `json:"fullName"`
	Alias     string   `json:"alias"`
	Roles     []string `json:"roles"`
	PortalURL string   `json:"portalURL"`
	Notify    bool     `json:"notify"`
}

// POST /partners/user (role partner)
func (h *Handler) partnerCreateUser(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	var req partnerUserRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	id, err := h.directory.PartnerCreateUser(r.Context(), p, directory.PartnerUser{Email: req.Email, FullName: req.FullName,
		Alias: req.Alias, Roles: req.Roles, PortalURL: req.PortalURL, Notify: req.Notify})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, userIDResponse{UserID: id})
}
