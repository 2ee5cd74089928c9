package handlers

import (
	"context"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/authd/authd/authn"
)

type adminSessionRequest struct {
	Kind string `json:"kind"`
}

type adminSessionResponse struct {
	Bearer    string `json:"bearer"`
	SessionID string `json:"sessionID"`
}

// POST /admin/user/{id}/session
func (h *Handler) adminCreateSession(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	var req adminSessionRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	out, err := h.login.AdminCreateSession(r.Context(), p, mux.Vars(r)["id"], req.Kind)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, adminSessionResponse{Bearer: out.Bearer, SessionID: out.SessionID})
}

type adminSessionView struct {
	SessionID string `json:"sessionID"`
	UserID    string `json:"userID"`
	IP        string `json:"ip"`
	UserAgent string `json:"userAgent"`
	Kind      string `json:"kind"`
	Verified  bool   `json:"verified"`
	CreatedAt int64  `json:"createdAt"`
	ExpireAt  int64  `json:"expireAt"`
}

type adminSessionsResponse struct {
	Pages    int                `json:"pages"`
	Items    int                `json:"items"`
	Sessions []adminSessionView `json:"sessions"`
}

// GET /admin/sessions?limit&page&userID
func (h *Handler) adminSessions(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	rows, total, err := h.login.AdminSessions(r.Context(), p, r.URL.Query().Get("userID"), pg.limit, pg.number)
	if err != nil {
		return err
	}
	out := adminSessionsResponse{Pages: pg.pages(total), Items: total, Sessions: make([]adminSessionView, 0, len(rows))}
	for _, s := range rows {
		out.Sessions = append(out.Sessions, adminSessionView{SessionID: s.ID, UserID: s.UserID, IP: s.IP, UserAgent: s.UserAgent,
			Kind: s.Kind, Verified: s.VerifiedAt != nil, CreatedAt: s.CreatedAt.Unix(), ExpireAt: s.ExpiresAt.Unix()})
	}
	return writeJSON(w, http.StatusOK, out)
}

type adminKeyPairView struct {
	keyPairSummary
	UserID string `json:"userID"`
}

type adminKeyPairsResponse struct {
	Pages int                `json:"pages"`
	Items int                `json:"items"`
	Keys  []adminKeyPairView `json:"keys"`
}

// GET /admin/keypairs?limit&page&userID
func (h *Handler) adminKeyPairs(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	rows, total, err := h.keyPairs.AdminKeyPairs(r.Context(), p, r.URL.Query().Get("userID"), pg.limit, pg.number)
	if err != nil {
		return err
	}
	out := adminKeyPairsResponse{Pages: pg.pages(total), Items: total, Keys: make([]adminKeyPairView, 0, len(rows))}
	for _, k := range rows {
		v := adminKeyPairView{UserID: k.UserID, keyPairSummary: keyPairSummary{APIKey: k.APIKey, KeyID: k.ID, KeyName: k.Name,
			ExpireAt: k.ExpiresAt.Unix(), Verified: k.Verified}}
		if k.LastUsedAt != nil {
			at := k.LastUsedAt.Unix()
			v.LastUsedAt = &at
		}
		out.Keys = append(out.Keys, v)
	}
	return writeJSON(w, http.StatusOK, out)
}

// POST /admin/user/{id}/keypair
func (h *Handler) adminCreateKeyPair(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	var req createKeyPairRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	k, err := h.keyPairs.AdminCreateKeyPair(r.Context(), p, mux.Vars(r)["id"], req.Name, req.Days)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, createKeyPairResponse{APIKey: k.APIKey, APISecret: k.APISecret, KeyID: k.KeyID,
		KeyName: k.Name, ExpireAt: k.ExpiresAt.Unix()})
}

// idAction adapts a use case that acts on the path's {id} and returns nothing.
func (h *Handler) idAction(fn func(ctx context.Context, p *authn.Principal, id string) error) authedFunc {
	return func(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
		if err := fn(r.Context(), p, mux.Vars(r)["id"]); err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, acknowledged)
	}
}

type adminAddEmailResponse struct {
	EmailID string `json:"emailID"`
}

// POST /admin/user/{id}/email
func (h *Handler) adminAddEmail(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	var req addEmailRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	id, err := h.emails.AdminAddEmail(r.Context(), p, mux.Vars(r)["id"], req.Address)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, adminAddEmailResponse{EmailID: id})
}

// PUT /admin/email/preferred
func (h *Handler) adminPreferEmail(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	var req preferEmailRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	if err := h.emails.AdminPreferEmail(r.Context(), p, req.EmailID); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, acknowledged)
}

type failedDelivery struct {
	EventID    string `json:"eventID"`
	Endpoint   string `json:"endpoint"`
	Type       string `json:"type"`
	UserID     string `json:"userID"`
	Attempts   int    `json:"attempts"`
	LastError  string `json:"lastError"`
	OccurredAt int64  `json:"occurredAt"`
}

type failedDeliveriesResponse struct {
	Pages      int              `json:"pages"`
	Items      int              `json:"items"`
	Deliveries []failedDelivery `json:"deliveries"`
}

// GET /admin/events/failed?limit&page
func (h *Handler) adminFailedEvents(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	pg, err := parsePage(r)
	if err != nil {
		return err
	}
	rows, total, err := h.directory.AdminFailedEvents(r.Context(), p, pg.limit, pg.number)
	if err != nil {
		return err
	}
	out := failedDeliveriesResponse{Pages: pg.pages(total), Items: total, Deliveries: make([]failedDelivery, 0, len(rows))}
	for _, d := range rows {
		out.Deliveries = append(out.Deliveries, failedDelivery{EventID: d.EventID, Endpoint: d.Endpoint, Type: d.Type,
			UserID: d.UserID, Attempts: d.Attempts, LastError: printable(d.LastError, 256), OccurredAt: d.OccurredAt.Unix()})
	}
	return writeJSON(w, http.StatusOK, out)
}

type replayRequest struct {
	Endpoint string `json:"endpoint"`
}

// POST /admin/events/{id}/replay
func (h *Handler) adminReplayEvent(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	var req replayRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	if err := h.directory.AdminReplayEvent(r.Context(), p, mux.Vars(r)["id"], req.Endpoint); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, acknowledged)
}

type revokeSigningKeyResponse struct {
	Revoked   string `json:"revoked"`
	Was       string `json:"was"`
	Activated string `json:"activated,omitempty"`
}

// PUT /admin/signing-key/{kid}/revoke: withdraw a compromised signing key at once.
func (h *Handler) adminRevokeSigningKey(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	res, err := h.directory.AdminRevokeSigningKey(r.Context(), p, mux.Vars(r)["kid"])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, revokeSigningKeyResponse{Revoked: res.Revoked, Was: res.WasState, Activated: res.Activated})
}
