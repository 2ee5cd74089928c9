package handlers

import (
	"net/http"

	"github.com/authd/authd/account"
)

type startVerificationResponse struct {
	URL          string `json:"url"`
	SessionID    string `json:"sessionId"`
	ClientSecret string `json:"clientSecret"`
	Status       string `json:"status"`
}

// POST /verify (a person's session only)
func (h *Handler) startVerification(w http.ResponseWriter, r *http.Request, p *account.Principal) error {
	s, err := h.identity.Start(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, startVerificationResponse{URL: s.URL, SessionID: s.SessionID, ClientSecret: s.ClientSecret, Status: s.Status})
}

type verificationStatusResponse struct {
	Status       string `json:"status"`
	Attempts     int    `json:"attempts"`
	MaxAttempts  int    `json:"maxAttempts"`
	ExpiresAt    int64  `json:"expiresAt"`
	Verified     bool   `json:"verified"`
	Country      string `json:"country"`
	DateOfBirth  string `json:"dateOfBirth"`
	AddressLine1 string `json:"addressLine1"`
	AddressLine2 string `json:"addressLine2"`
	City         string `json:"city"`
	State        string `json:"state"`
	PostalCode   string `json:"postalCode"`
	Nationality  string `json:"nationality"`
}

// GET /verify/status
func (h *Handler) verificationStatus(w http.ResponseWriter, r *http.Request, p *account.Principal) error {
	s, err := h.identity.Status(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	out := verificationStatusResponse{Status: s.Status, Attempts: s.Attempts, MaxAttempts: s.MaxAttempts, Verified: s.Verified,
		Country: s.KYC.Country, DateOfBirth: s.KYC.DateOfBirth, AddressLine1: s.KYC.AddressLine1, AddressLine2: s.KYC.AddressLine2,
		City: s.KYC.City, State: s.KYC.State, PostalCode: s.KYC.PostalCode, Nationality: s.KYC.Nationality}
	if !s.ExpiresAt.IsZero() {
		out.ExpiresAt = s.ExpiresAt.Unix()
	}
	return writeJSON(w, http.StatusOK, out)
}
