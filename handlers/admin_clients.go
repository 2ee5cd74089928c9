package handlers

import (
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/clients"
	"github.com/authd/authd/models"
)

// clientRequest is a registered app as POST and PUT /admin/clients take it; lifetimes
// are whole seconds (0: the server's).
type clientRequest struct {
	Name                   string   `json:"name"`
	LogoURL                string   `json:"logoURL"`
	Type                   string   `json:"type"`
	RedirectURIs           []string `json:"redirectURIs"`
	PostLogoutRedirectURIs []string `json:"postLogoutRedirectURIs"`
	BackchannelLogoutURI   string   `json:"backchannelLogoutURI"`
	Scopes                 []string `json:"scopes"`
	GrantTypes             []string `json:"grantTypes"`
	FirstParty             bool     `json:"firstParty"`
	IDTokenAlg             string   `json:"idTokenAlg"`
	AccessTTL              int64    `json:"accessTTL"`
	RefreshTTL             int64    `json:"refreshTTL"`
}

// maxTTLSeconds keeps a lifetime's conversion to a Duration from overflowing; the
// registry's own bounds are far lower.
const maxTTLSeconds = 100 * 365 * 24 * 3600

func (c clientRequest) spec() (clients.Spec, error) {
	if c.AccessTTL < 0 || c.AccessTTL > maxTTLSeconds || c.RefreshTTL < 0 || c.RefreshTTL > maxTTLSeconds {
		return clients.Spec{}, models.Invalid("accessTTL and refreshTTL are whole seconds within the server's bounds")
	}
	return clients.Spec{Name: c.Name, LogoURL: c.LogoURL, Type: c.Type, RedirectURIs: c.RedirectURIs,
		PostLogoutRedirectURIs: c.PostLogoutRedirectURIs, BackchannelLogoutURI: c.BackchannelLogoutURI, Scopes: c.Scopes,
		GrantTypes: c.GrantTypes, FirstParty: c.FirstParty, IDTokenAlg: c.IDTokenAlg,
		AccessTTL: time.Duration(c.AccessTTL) * time.Second, RefreshTTL: time.Duration(c.RefreshTTL) * time.Second}, nil
}

// clientView is a registered app as the admin API shows it; never its secret's hash.
type clientView struct {
	ClientID               string   `json:"clientID"`
	ClientSecret           string   `json:"clientSecret,omitempty"` // only when just drawn
	Name                   string   `json:"name"`
	LogoURL                string   `json:"logoURL"`
	Type                   string   `json:"type"`
	RedirectURIs           []string `json:"redirectURIs"`
	PostLogoutRedirectURIs []string `json:"postLogoutRedirectURIs"`
	BackchannelLogoutURI   string   `json:"backchannelLogoutURI"`
	Scopes                 []string `json:"scopes"`
	GrantTypes             []string `json:"grantTypes"`
	FirstParty             bool     `json:"firstParty"`
	IDTokenAlg             string   `json:"idTokenAlg"`
	AccessTTL              int      `json:"accessTTL"`
	RefreshTTL             int      `json:"refreshTTL"`
	PreviousSecretUntil    *int64   `json:"previousSecretUntil,omitempty"`
	CreatedAt              int64    `json:"createdAt"`
	UpdatedAt              int64    `json:"updatedAt"`
}

func newClientView(c *models.Client, secret string) clientView {
	v := clientView{ClientID: c.ID, ClientSecret: secret, Name: c.Name, LogoURL: c.LogoURL, Type: c.Type,
		RedirectURIs: c.RedirectURIs, PostLogoutRedirectURIs: c.PostLogoutRedirectURIs,
		BackchannelLogoutURI: c.BackchannelLogoutURI, Scopes: c.Scopes, GrantTypes: c.GrantTypes, FirstParty: c.FirstParty,
		IDTokenAlg: c.IDTokenAlg, AccessTTL: c.AccessTTLSeconds, RefreshTTL: c.RefreshTTLSeconds,
		CreatedAt: c.CreatedAt.Unix(), UpdatedAt: c.UpdatedAt.Unix()}
	if c.PrevSecretUntil != nil {
		until := c.PrevSecretUntil.Unix()
		v.PreviousSecretUntil = &until
	}
	return v
}

// POST /admin/clients
func (h *Handler) adminCreateClient(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	var req clientRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	sp, err := req.spec()
	if err != nil {
		return err
	}
	reg, err := h.clients.AdminCreate(r.Context(), p, sp)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store") // the secret, shown once
	return writeJSON(w, http.StatusOK, newClientView(reg.Client, reg.Secret))
}

type clientsResponse struct {
	Pages   int          `json:"pages"`
	Items   int          `json:"items"`
	Clients []clientView `json:"clients"`
}

// GET /admin/clients?limit&page
func (h *Handler) adminClients(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	rows, total, err := h.clients.AdminList(r.Context(), p, pg.limit, pg.number)
	if err != nil {
		return err
	}
	out := clientsResponse{Pages: pg.pages(total), Items: total, Clients: make([]clientView, 0, len(rows))}
	for i := range rows {
		out.Clients = append(out.Clients, newClientView(&rows[i], ""))
	}
	return writeJSON(w, http.StatusOK, out)
}

// GET /admin/clients/{id}
func (h *Handler) adminClient(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	c, err := h.clients.AdminGet(r.Context(), p, mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newClientView(c, ""))
}

// PUT /admin/clients/{id}: replaces what the app may do (every field; omitted ones take
// their defaults). Its ID and secret stay.
func (h *Handler) adminUpdateClient(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	var req clientRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	sp, err := req.spec()
	if err != nil {
		return err
	}
	c, err := h.clients.AdminUpdate(r.Context(), p, mux.Vars(r)["id"], sp)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newClientView(c, ""))
}

type rotateSecretRequest struct {
	GraceSeconds int64 `json:"graceSeconds"` // 0: oauth.client_secret_grace
}

// POST /admin/clients/{id}/secret
func (h *Handler) adminRotateClientSecret(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	var req rotateSecretRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	if req.GraceSeconds < 0 || req.GraceSeconds > maxTTLSeconds {
		return models.Invalid("graceSeconds: whole seconds within the server's bound")
	}
	reg, err := h.clients.AdminRotateSecret(r.Context(), p, mux.Vars(r)["id"], time.Duration(req.GraceSeconds)*time.Second)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, newClientView(reg.Client, reg.Secret))
}
