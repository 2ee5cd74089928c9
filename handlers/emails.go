package handlers

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/authd/authd/authn"
)

type addEmailRequest struct {
	Address string `json:"address"`
}

type addEmailResponse struct {
	EmailID            string `json:"emailID"`
	VerificationCodeID string `json:"verificationCodeID"`
}

// POST /email
func (h *Handler) addEmail(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	var req addEmailRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	emailID, codeID, err := h.emails.AddEmail(r.Context(), p, req.Address)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, addEmailResponse{EmailID: emailID, VerificationCodeID: codeID})
}

// codeRequest is the body of every PUT .../verification.
type codeRequest struct {
	VerificationCodeID string    `json:"verificationCodeID"`
	Code               codeField `json:"code"`
}

// PUT /email/verification, with the account's session or (as the ThreatWinds page
// shows it) no credential: the code proves control of the address.
func (h *Handler) verifyEmail(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	var req codeRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	if err := h.emails.VerifyEmail(r.Context(), p, h.clientOf(r), req.VerificationCodeID, string(req.Code)); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, acknowledged)
}

type preferEmailRequest struct {
	EmailID string `json:"emailID"`
}

// PUT /email/preferred
func (h *Handler) preferEmail(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	var req preferEmailRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	if err := h.emails.PreferEmail(r.Context(), p, req.EmailID); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, acknowledged)
}

// DELETE /email/{id}
func (h *Handler) removeEmail(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	if err := h.emails.RemoveEmail(r.Context(), p, mux.Vars(r)["id"]); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, acknowledged)
}

type emailView struct {
	ID        string `json:"id"`
	Address   string `json:"address"`
	Verified  bool   `json:"verified"`
	Preferred bool   `json:"preferred"`
}

type listEmailsResponse struct {
	Emails []emailView `json:"emails"`
}

// GET /emails
func (h *Handler) listEmails(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	rows, err := h.emails.ListEmails(r.Context(), p)
	if err != nil {
		return err
	}
	out := listEmailsResponse{Emails: make([]emailView, 0, len(rows))}
	for _, e := range rows {
		out.Emails = append(out.Emails, emailView{ID: e.ID, Address: e.Address, Verified: e.Verified, Preferred: e.Preferred})
	}
	return writeJSON(w, http.StatusOK, out)
}
