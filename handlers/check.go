package handlers

import (
	"net/http"
	"strings"

	"github.com/authd/authd/account"
	"github.com/authd/authd/models"
)

// GET {prefix}/check: forward authentication for gateways (nginx auth_request,
// Traefik ForwardAuth, Caddy forward_auth, Envoy ext_authz). 200 with X-Auth-*
// headers for a valid bearer or key pair; with ?roles=a,b the caller must hold at
// least one of the listed roles (403 otherwise).
func (h *Handler) check(w http.ResponseWriter, r *http.Request, p *account.Principal) error {
	if want := r.URL.Query().Get("roles"); want != "" {
		roles := strings.Split(want, ",")
		for _, role := range roles {
			if !account.ValidRoleName(role) {
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
