package handlers

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/login"
)

type startSessionRequest struct {
	Email string `json:"email"`
	Kind  string `json:"kind"`
}

// POST /session
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request) error {
	var req startSessionRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	out, err := h.login.StartSession(r.Context(), login.StartInput{Email: req.Email, Kind: req.Kind, Client: h.clientOf(r)})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newPendingSessionResponse(out))
}

type verifySessionRequest struct {
	VerificationCodeID string    `json:"verificationCodeID"`
	Code               codeField `json:"code"`
}

type verifySessionResponse struct {
	Message         string `json:"message"`
	Bearer          string `json:"bearer"`
	ExpireAt        int64  `json:"expireAt"`
	RefreshToken    string `json:"refreshToken"`
	SessionExpireAt int64  `json:"sessionExpireAt"`
}

// PUT /session/verification
func (h *Handler) verifySession(w http.ResponseWriter, r *http.Request) error {
	var req verifySessionRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	out, err := h.login.VerifySession(r.Context(), req.VerificationCodeID, string(req.Code), h.clientOf(r))
	if err != nil {
		return err
	}
	refresh := out.RefreshToken
	if h.cookieClient(r) {
		setRefreshCookie(w, refresh, out.SessionExpireAt, h.o.Now())
		refresh = "" // the page never sees it
	}
	return writeJSON(w, http.StatusOK, verifySessionResponse{Message: "acknowledged", Bearer: out.Bearer,
		ExpireAt: out.ExpiresAt.Unix(), RefreshToken: refresh, SessionExpireAt: out.SessionExpireAt.Unix()})
}

type sessionInfoResponse struct {
	SessionID    string   `json:"sessionID"`
	UserID       string   `json:"userID"`
	Alias        string   `json:"alias"`
	FullName     string   `json:"fullName"`
	ExpireAt     int64    `json:"expireAt"`
	IP           string   `json:"ip"`
	UserAgent    string   `json:"userAgent"`
	Verified     bool     `json:"verified"`
	UserVerified bool     `json:"userVerified"`
	Roles        []string `json:"roles"`
	Groups       []string `json:"groups"`
}

// GET /session
func (h *Handler) sessionInfo(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	i, err := h.login.Info(p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, sessionInfoResponse{SessionID: i.SessionID, UserID: i.UserID, Alias: i.Alias,
		FullName: i.FullName, ExpireAt: i.ExpiresAt.Unix(), IP: i.IP, UserAgent: i.UserAgent, Verified: i.Verified,
		UserVerified: i.UserVerified, Roles: i.Roles, Groups: i.Groups})
}

type extendResponse struct {
	Message  string `json:"message"`
	Bearer   string `json:"bearer"`
	ExpireAt int64  `json:"expireAt"`
}

// PUT /session/extend
func (h *Handler) extendSession(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	token, exp, err := h.login.Extend(r.Context(), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, extendResponse{Message: "acknowledged", Bearer: token, ExpireAt: exp.Unix()})
}

// DELETE /session/{id}
func (h *Handler) closeSession(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	id := mux.Vars(r)["id"]
	if err := h.login.Close(r.Context(), p, id); err != nil {
		return err
	}
	if h.o.CookieMode && id == p.SessionID {
		clearRefreshCookie(w)
	}
	return writeJSON(w, http.StatusOK, acknowledged)
}

type sessionSummary struct {
	SessionID string `json:"sessionID"`
	IP        string `json:"ip"`
	UserAgent string `json:"userAgent"`
	Kind      string `json:"kind"`
	ClientID  string `json:"clientID,omitempty"`
	CreatedAt int64  `json:"createdAt"`
	ExpireAt  int64  `json:"expireAt"`
	Current   bool   `json:"current"`
}

type listSessionsResponse struct {
	Sessions []sessionSummary `json:"sessions"`
}

// GET /sessions
func (h *Handler) listSessions(w http.ResponseWriter, r *http.Request, p *authn.Principal) error {
	rows, err := h.login.List(r.Context(), p)
	if err != nil {
		return err
	}
	out := listSessionsResponse{Sessions: make([]sessionSummary, 0, len(rows))}
	for _, s := range rows {
		out.Sessions = append(out.Sessions, sessionSummary{SessionID: s.SessionID, IP: s.IP, UserAgent: s.UserAgent,
			Kind: s.Kind, ClientID: s.ClientID, CreatedAt: s.CreatedAt.Unix(), ExpireAt: s.ExpiresAt.Unix(), Current: s.Current})
	}
	return writeJSON(w, http.StatusOK, out)
}

type refreshRequest struct {
	RefreshToken string `json:"refreshToken"`
}

type refreshResponse struct {
	Bearer          string `json:"bearer"`
	ExpireAt        int64  `json:"expireAt"`
	RefreshToken    string `json:"refreshToken"`
	SessionExpireAt int64  `json:"sessionExpireAt"`
}

// POST /session/refresh
func (h *Handler) refreshSession(w http.ResponseWriter, r *http.Request) error {
	var req refreshRequest
	if err := h.dec.decode(w, r, &req); err != nil {
		return err
	}
	token := req.RefreshToken
	if token == "" {
		var err error
		if token, err = h.cookieRefreshToken(r); err != nil {
			return err
		}
	}
	out, err := h.login.Refresh(r.Context(), token)
	if err != nil {
		return err
	}
	refresh := out.RefreshToken
	if h.cookieClient(r) {
		setRefreshCookie(w, refresh, out.SessionExpireAt, h.o.Now())
		refresh = ""
	}
	return writeJSON(w, http.StatusOK, refreshResponse{Bearer: out.Bearer, ExpireAt: out.ExpiresAt.Unix(),
		RefreshToken: refresh, SessionExpireAt: out.SessionExpireAt.Unix()})
}
