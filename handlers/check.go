package handlers

import (
	"net/http"
	"strings"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
)

// GET {prefix}/check: forward authentication for gateways (nginx auth_request,
// Traefik ForwardAuth, Caddy forward_auth, Envoy ext_authz). 200 with X-Auth-*
// headers for a valid bearer or key pair; with ?roles=a,b the caller must hold at
// least one of the listed roles (403 otherwise).
func (h *Handler) check(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	if want := r.URL.Query().Get("roles"); want != "" {
		roles := strings.Split(want, ",")
		for _, role := range roles {
			if !models.ValidRoleName(role) {
				return models.Invalid("roles must be a comma-separated list of role names")
			}
		}
		if !p.HasAnyRole(roles...) {
			return models.E(models.KindForbidden, "missing a required role")
		}
	}
	hdr := w.Header()
	hdr.Set("X-Auth-User-ID", p.UserID)
	hdr.Set("X-Auth-Roles", strings.Join(p.Roles(), ","))
	hdr.Set("X-Auth-Groups", strings.Join(p.Groups(), ","))
	if p.ViaKeyPair() {
		hdr.Set("X-Auth-Key-ID", p.KeyID)
	} else {
		hdr.Set("X-Auth-Session-ID", p.SessionID)
	}
	return writeJSON(w, http.StatusOK, acknowledged)
}

type revocationEntry struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Subject   string `json:"subject"`
	RevokedAt int64  `json:"revokedAt"`
	ExpireAt  int64  `json:"expireAt"`
}

type revocationsResponse struct {
	Revocations []revocationEntry `json:"revocations"`
	Cursor      string            `json:"cursor"`
	More        bool              `json:"more"`
}

// GET {prefix}/revocations?since=CURSOR (roles gateway or admin)
func (h *Handler) revocations(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	f, err := h.feed.Revocations(r.Context(), r.URL.Query().Get("since"))
	if err != nil {
		return err
	}
	out := revocationsResponse{Revocations: make([]revocationEntry, 0, len(f.Entries)), Cursor: f.Cursor, More: f.More}
	for _, e := range f.Entries {
		out.Revocations = append(out.Revocations, revocationEntry{ID: e.ID, Kind: e.Kind, Subject: e.Subject,
			RevokedAt: e.CreatedAt.Unix(), ExpireAt: e.ExpiresAt.Unix()})
	}
	return writeJSON(w, http.StatusOK, out)
}
