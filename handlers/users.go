package handlers

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/login"
)

type registerRequest struct {
	Email    string `json:"email"`
	FullName string `json:"fullName"`
	Alias    string `json:"alias"`
}

type pendingSessionResponse struct {
	Bearer             string `json:"bearer"`
	SessionID          string `json:"sessionID"`
	ExpireAt           int64  `json:"expireAt"`
	IP                 string `json:"ip"`
	UserAgent          string `json:"userAgent"`
	VerificationCodeID string `json:"verificationCodeID"`
}

func newPendingSessionResponse(p *login.PendingSession) pendingSessionResponse {
	return pendingSessionResponse{Bearer: p.Bearer, SessionID: p.SessionID, ExpireAt: p.ExpiresAt.Unix(),
		IP: p.IP, UserAgent: p.UserAgent, VerificationCodeID: p.VerificationCodeID}
}

// POST /user
func (h *Handler) register(w http.ResponseWriter, r *http.Request) error {
	var req registerRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	out, err := h.login.Register(r.Context(), login.RegisterInput{
		Email: req.Email, FullName: req.FullName, Alias: req.Alias, Client: h.clientOf(r),
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPendingSessionResponse(out))
}

type aliasResponse struct {
	Alias string `json:"alias"`
}

// GET /user/id/{id} and GET /user/{id}
func (h *Handler) userAlias(w http.ResponseWriter, r *http.Request) error {
	alias, err := h.login.Alias(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, aliasResponse{Alias: alias})
}

type userIDResponse struct {
	UserID string `json:"userID"`
}

// GET /user/by-email?email= (admins and partners)
func (h *Handler) userByEmail(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	id, err := h.directory.UserIDByEmail(r.Context(), r.URL.Query().Get("email"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, userIDResponse{UserID: id})
}

// DELETE /user
func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	if err := h.directory.DeleteAccount(r.Context(), p); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, acknowledged)
}
