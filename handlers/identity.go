package handlers

import (
	"context"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/identity"
)

type startVerificationResponse struct {
	URL          string `json:"url"`
	SessionID    string `json:"sessionId"`
	ClientSecret string `json:"clientSecret"`
	Status       string `json:"status"`
}

// POST /verify (a person's session only)
func (h *Handler) startVerification(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	s, err := h.identity.Start(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, startVerificationResponse{URL: s.URL, SessionID: s.SessionID, ClientSecret: s.ClientSecret, Status: s.Status})
}

// kycView is the KYC fields of API.md, shared by the user's status and admin views.
type kycView struct {
	Country      string `json:"country"`
	DateOfBirth  string `json:"dateOfBirth"`
	AddressLine1 string `json:"addressLine1"`
	AddressLine2 string `json:"addressLine2"`
	City         string `json:"city"`
	State        string `json:"state"`
	PostalCode   string `json:"postalCode"`
	Nationality  string `json:"nationality"`
}

func newKYCView(k identity.KYC) kycView {
	return kycView{Country: k.Country, DateOfBirth: k.DateOfBirth, AddressLine1: k.AddressLine1, AddressLine2: k.AddressLine2,
		City: k.City, State: k.State, PostalCode: k.PostalCode, Nationality: k.Nationality}
}

type verificationStatusResponse struct {
	Status      string `json:"status"`
	Attempts    int    `json:"attempts"`
	MaxAttempts int    `json:"maxAttempts"`
	ExpiresAt   int64  `json:"expiresAt"`
	Verified    bool   `json:"verified"`
	kycView
}

func newStatusView(s identity.Status) verificationStatusResponse {
	return verificationStatusResponse{Status: s.Status, Attempts: s.Attempts, MaxAttempts: s.MaxAttempts,
		ExpiresAt: unixOrZero(s.ExpiresAt), Verified: s.Verified, kycView: newKYCView(s.KYC)}
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// GET /verify/status
func (h *Handler) verificationStatus(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	s, err := h.identity.Status(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newStatusView(*s))
}

// POST /verify/webhook (Stripe; authenticated by its signature over the exact body)
func (h *Handler) stripeWebhook(w http.ResponseWriter, r *http.Request) error {
	body, err := h.dec.raw(w, r)
	if err != nil {
		return err
	}
	if err := h.identity.Webhook(r.Context(), body, r.Header.Get("Stripe-Signature")); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, acknowledged)
}

type attemptView struct {
	ID              string `json:"id"`
	SessionID       string `json:"sessionId"`
	Status          string `json:"status"`
	Reason          string `json:"reason"`
	Counted         bool   `json:"counted"`
	Screening       string `json:"screening"`
	ScanID          string `json:"scanId"`
	Matches         int    `json:"matches"`
	ScreeningTries  int    `json:"screeningTries"`
	ScreeningError  string `json:"screeningError"`
	NextScreeningAt int64  `json:"nextScreeningAt"`
	CreatedAt       int64  `json:"createdAt"`
	UpdatedAt       int64  `json:"updatedAt"`
}

type adminVerificationResponse struct {
	UserID string `json:"userID"`
	verificationStatusResponse
	History []attemptView `json:"history"`
}

// GET /admin/user/{id}/verification
func (h *Handler) adminVerification(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	v, err := h.identity.AdminVerification(r.Context(), identityActor(p), mux.Vars(r)["id"])
	if err != nil {
		return err
	}
	out := adminVerificationResponse{UserID: v.UserID, verificationStatusResponse: newStatusView(v.Status), History: []attemptView{}}
	for _, a := range v.Attempts {
		out.History = append(out.History, attemptView{ID: a.ID, SessionID: a.SessionID, Status: a.Status, Reason: a.Reason,
			Counted: a.Counted, Screening: a.Screening, ScanID: a.ScanID, Matches: a.Matches, ScreeningTries: a.ScreeningTries,
			ScreeningError: a.ScreeningError, NextScreeningAt: unixOrZero(a.NextScreeningAt),
			CreatedAt: a.CreatedAt.Unix(), UpdatedAt: a.UpdatedAt.Unix()})
	}
	return writeJSON(w, http.StatusOK, out)
}

// asActor adapts an identity admin action to idAction: the caller becomes the
// audited actor. PUT /admin/user/{id}/verification/reset and /revoke.
func asActor(fn func(ctx context.Context, a identity.Actor, userID string) error) func(context.Context, *authn.Principal, string) error {
	return func(ctx context.Context, p *authn.Principal, userID string) error {
		return fn(ctx, identityActor(p), userID)
	}
}

func identityActor(p *authn.Principal) identity.Actor {
	return identity.Actor{ID: p.UserID, IP: p.Client.IP, UserAgent: p.Client.UserAgent}
}
