package handlers

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/authd/authd/authn"
)

type createKeyPairRequest struct {
	Name string `json:"name"`
	Days int    `json:"days"`
}

type createKeyPairResponse struct {
	APIKey             string `json:"apiKey"`
	APISecret          string `json:"apiSecret"`
	KeyID              string `json:"keyID"`
	KeyName            string `json:"keyName"`
	ExpireAt           int64  `json:"expireAt"`
	Verified           bool   `json:"verified"`
	VerificationCodeID string `json:"verificationCodeID,omitempty"` // absent when an admin made the pair
}

// POST /keypair
func (h *Handler) createKeyPair(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	var req createKeyPairRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	k, err := h.keyPairs.CreateKeyPair(r.Context(), p, req.Name, req.Days)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, createKeyPairResponse{APIKey: k.APIKey, APISecret: k.APISecret, KeyID: k.KeyID,
		KeyName: k.Name, ExpireAt: k.ExpiresAt.Unix(), VerificationCodeID: k.VerificationCodeID})
}

// PUT /keypair/verification
func (h *Handler) verifyKeyPair(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	var req codeRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	if err := h.keyPairs.VerifyKeyPair(r.Context(), p, req.VerificationCodeID, string(req.Code)); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, acknowledged)
}

type keyPairInfoResponse struct {
	APIKey    string   `json:"apiKey"`
	KeyID     string   `json:"keyID"`
	KeyName   string   `json:"keyName"`
	ExpireAt  int64    `json:"expireAt"`
	Verified  bool     `json:"verified"`
	UserID    string   `json:"userID"`
	UserName  string   `json:"userName"`
	UserAlias string   `json:"userAlias"`
	Roles     []string `json:"roles"`
	Groups    []string `json:"groups"`
}

// GET /keypair: checks the presented key pair and describes it.
func (h *Handler) keyPairInfo(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	k, id, err := h.keyPairs.KeyPairInfo(p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, keyPairInfoResponse{APIKey: k.APIKey, KeyID: k.KeyID, KeyName: k.Name,
		ExpireAt: k.ExpiresAt.Unix(), Verified: k.Verified, UserID: id.User.ID, UserName: id.User.FullName,
		UserAlias: id.User.Alias, Roles: p.Roles(), Groups: p.Groups()})
}

type keyPairSummary struct {
	APIKey     string `json:"apiKey"`
	KeyID      string `json:"keyID"`
	KeyName    string `json:"keyName"`
	ExpireAt   int64  `json:"expireAt"`
	Verified   bool   `json:"verified"`
	LastUsedAt *int64 `json:"lastUsedAt"`
}

type listKeyPairsResponse struct {
	Keys []keyPairSummary `json:"keys"`
}

// GET /keypairs
func (h *Handler) listKeyPairs(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	rows, err := h.keyPairs.ListKeyPairs(r.Context(), p)
	if err != nil {
		return err
	}
	out := listKeyPairsResponse{Keys: make([]keyPairSummary, 0, len(rows))}
	for _, k := range rows {
		s := keyPairSummary{APIKey: k.APIKey, KeyID: k.KeyID, KeyName: k.Name, ExpireAt: k.ExpiresAt.Unix(), Verified: k.Verified}
		if k.LastUsedAt != nil {
			at := k.LastUsedAt.Unix()
			s.LastUsedAt = &at
		}
		out.Keys = append(out.Keys, s)
	}
	return writeJSON(w, http.StatusOK, out)
}

// DELETE /keypair/{id}
func (h *Handler) deleteKeyPair(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	if err := h.keyPairs.DeleteKeyPair(r.Context(), p, mux.Vars(r)["id"]); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, acknowledged)
}
