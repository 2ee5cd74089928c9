package handlers

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/directory"
	"github.com/authd/authd/identity"
	"github.com/authd/authd/models"
)

type adminUser struct {
	ID        string      `json:"id"`
	Alias     string      `json:"alias"`
	FullName  string      `json:"fullName"`
	Emails    []emailView `json:"emails"`
	Roles     []string    `json:"roles"`
	Groups    []string    `json:"groups"`
	Verified  bool        `json:"verified"`
	Enabled   bool        `json:"enabled"`
	CreatedAt int64       `json:"createdAt"`
	kycView
}

func newAdminUser(d directory.UserDetail, k identity.KYC) adminUser {
	u := d.Identity.User
	out := adminUser{ID: u.ID, Alias: u.Alias, FullName: u.FullName, Emails: make([]emailView, 0, len(d.Emails)),
		Roles: nonNil(d.Identity.Roles), Groups: nonNil(d.Identity.Groups), Verified: u.Verified, Enabled: u.Enabled,
		CreatedAt: u.CreatedAt.Unix(), kycView: newKYCView(k)}
	for _, e := range d.Emails {
		out.Emails = append(out.Emails, emailView{ID: e.ID, Address: e.Address, Verified: e.Verified, Preferred: e.Preferred})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type adminUsersResponse struct {
	Pages int         `json:"pages"`
	Items int         `json:"items"`
	Users []adminUser `json:"users"`
}

// GET /admin/users?limit&page&enabled&role
func (h *Handler) adminUsers(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	var f models.UserFilter
	if raw := r.URL.Query().Get("enabled"); raw != "" {
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return models.Invalid("enabled must be true or false")
		}
		f.Enabled = &b
	}
	f.Role = r.URL.Query().Get("role")
	users, total, err := h.directory.AdminListUsers(r.Context(), p, f, pg.limit, pg.number)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(users))
	for _, u := range users {
		ids = append(ids, u.Identity.User.ID)
	}
	kyc, err := h.identity.KYCOf(r.Context(), ids)
	if err != nil {
		return err
	}
	out := adminUsersResponse{Pages: pg.pages(total), Items: total, Users: make([]adminUser, 0, len(users))}
	for _, u := range users {
		out.Users = append(out.Users, newAdminUser(u, kyc[u.Identity.User.ID]))
	}
	return writeJSON(w, http.StatusOK, out)
}

// GET /admin/user/{id}
func (h *Handler) adminUser(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	d, err := h.directory.AdminUser(r.Context(), p, mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	kyc, err := h.identity.KYCOf(r.Context(), []string{d.Identity.User.ID})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newAdminUser(*d, kyc[d.Identity.User.ID]))
}

// PUT /admin/user/{id}/enable and /disable
func (h *Handler) adminSetEnabled(enabled bool) authedFunc {
	return func(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
		if err := h.directory.AdminSetEnabled(r.Context(), p, mux.Vars(r)["id"], enabled); err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, acknowledged)
	}
}

// PUT /admin/user/{id}/verify and /unverify
func (h *Handler) adminSetVerified(verified bool) authedFunc {
	return func(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
		if err := h.directory.AdminSetVerified(r.Context(), p, mux.Vars(r)["id"], verified); err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, acknowledged)
	}
}

type rolesResponse struct {
	Roles []string `json:"roles"`
}

// GET /admin/user/{id}/roles
func (h *Handler) adminRoles(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	d, err := h.directory.AdminUser(r.Context(), p, mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rolesResponse{Roles: nonNil(d.Identity.Roles)})
}

type roleRequest struct {
	Role string `json:"role"`
	// UserID is what the ThreatWinds go-sdk also sends; it must name the path's user.
	UserID *string `json:"userID"`
}

// POST /admin/user/{id}/roles
func (h *Handler) adminGrantRole(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	var req roleRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	if req.UserID != nil && *req.UserID != mux.Vars(r)["id"] {
		return models.Invalid("userID in the body must be the user of the path")
	}
	if err := h.directory.AdminGrantRole(r.Context(), p, mux.Vars(r)["id"], req.Role); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, acknowledged)
}

// DELETE /admin/user/{id}/roles/{role}
func (h *Handler) adminRevokeRole(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	v := mux.Vars(r)
	if err := h.directory.AdminRevokeRole(r.Context(), p, v["id"], v["role"]); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, acknowledged)
}

type auditEntry struct {
	ID        string `json:"id"`
	At        int64  `json:"at"`
	Action    string `json:"action"`
	ActorID   string `json:"actorID"`
	TargetID  string `json:"targetID"`
	IP        string `json:"ip"`
	UserAgent string `json:"userAgent"`
	Detail    string `json:"detail"`
}

type auditResponse struct {
	Pages  int          `json:"pages"`
	Items  int          `json:"items"`
	Events []auditEntry `json:"events"`
}

// GET /admin/audit?limit&page&userID
func (h *Handler) adminAudit(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	events, total, err := h.directory.AdminAudit(r.Context(), p, r.URL.Query().Get("userID"), pg.limit, pg.number)
	if err != nil {
		return err
	}
	out := auditResponse{Pages: pg.pages(total), Items: total, Events: make([]auditEntry, 0, len(events))}
	for _, e := range events {
		out.Events = append(out.Events, auditEntry{ID: e.ID, At: e.At.Unix(), Action: e.Action, ActorID: e.ActorID,
			TargetID: e.TargetID, IP: e.IP, UserAgent: e.UserAgent, Detail: e.Detail})
	}
	return writeJSON(w, http.StatusOK, out)
}
