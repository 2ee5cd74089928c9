package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// nameScan stands in for NameScan's person scan: it checks the api-key header,
// records what it is asked, and answers clear, hit or down (503) as told.
type nameScan struct {
	mu     sync.Mutex
	mode   string
	asked  []map[string]any
	badKey int
}

const nameScanKey = "ns_test_key"

func (n *nameScan) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/v3/person-scans/emerald" {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("api-key") != nameScanKey {
		n.badKey++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var req map[string]any
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	n.asked = append(n.asked, req)
	w.Header().Set("Content-Type", "application/json")
	switch n.mode {
	case "down":
		w.WriteHeader(http.StatusServiceUnavailable)
	case "hit":
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"date":"2026-11-25T10:00:00Z","scanId":9001,"numberOfMatches":2,"numberOfPepMatches":1,"numberOfSipMatches":1,
			"persons":[{"category":"PEP","name":"Jenny Rosen","matchRate":91.5},{"category":"SIP","name":"J. Rosen","matchRate":84}]}`)
	default:
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"date":"2026-11-25T10:00:00Z","scanId":9000,"numberOfMatches":0,"numberOfPepMatches":0,"numberOfSipMatches":0}`)
	}
}

func (n *nameScan) set(mode string) { n.mu.Lock(); n.mode = mode; n.mu.Unlock() }

func (n *nameScan) requests() []map[string]any {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]map[string]any(nil), n.asked...)
}

// kycWorld is what identity tests talk to: stripe-mock, a NameScan stand-in and a
// lifecycle-event receiver, all configured through the environment.
type kycWorld struct {
	stripeBase    string
	webhookSecret string
	ns            *nameScan
	rc            *receiver
}

func newKYCWorld(t *testing.T, maxAttempts int) *kycWorld {
	t.Helper()
	w := &kycWorld{stripeBase: startStripeMock(t), webhookSecret: "whsec_test_secret", ns: &nameScan{}}
	ns := httptest.NewServer(w.ns)
	t.Cleanup(ns.Close)
	key := []byte("0123456789abcdef0123456789abcdef")
	w.rc = &receiver{key: key}
	hook := httptest.NewServer(w.rc)
	t.Cleanup(hook.Close)
	t.Setenv("AUTHD_STRIPE_SECRET_KEY", "sk_test_123")
	t.Setenv("AUTHD_STRIPE_API_BASE", w.stripeBase)
	t.Setenv("AUTHD_STRIPE_WEBHOOK_SECRET", w.webhookSecret)
	t.Setenv("AUTHD_IDENTITY_MAX_ATTEMPTS", strconv.Itoa(maxAttempts))
	t.Setenv("AUTHD_NAMESCAN_API_KEY", nameScanKey)
	t.Setenv("AUTHD_NAMESCAN_BASE_URL", ns.URL+"/v3")
	t.Setenv("AUTHD_EVENTS_WEBHOOK_URL", hook.URL)
	t.Setenv("AUTHD_EVENTS_WEBHOOK_SECRET", "whsec_"+base64.StdEncoding.EncodeToString(key))
	return w
}

// reset clears what the previous backend's run left in the stand-ins.
func (w *kycWorld) reset(mode string) {
	w.ns.mu.Lock()
	w.ns.mode, w.ns.asked, w.ns.badKey = mode, nil, 0
	w.ns.mu.Unlock()
	w.rc.mu.Lock()
	w.rc.got, w.rc.bad, w.rc.failing = nil, 0, false
	w.rc.mu.Unlock()
}

// stripePayload is a Stripe event about a verification session, as Stripe sends it
// (not expanded: authd must fetch the session again).
func stripePayload(eventID, typ, sessionID, status, errorCode string) string {
	lastErr := "null"
	if errorCode != "" {
		lastErr = fmt.Sprintf(`{"code":%q,"reason":"The check failed."}`, errorCode)
	}
	return fmt.Sprintf(`{"id":%q,"object":"event","api_version":"2023-10-16","created":1764064800,"livemode":false,`+
		`"type":%q,"data":{"object":{"id":%q,"object":"identity.verification_session","status":%q,"last_error":%s}}}`,
		eventID, typ, sessionID, status, lastErr)
}

// stripeSignature is Stripe's scheme, written here independently of stripe-go:
// t=<unix>,v1=<hex HMAC-SHA256 of "t.payload" under the endpoint secret>.
func stripeSignature(secret string, at time.Time, payload string) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.%s", at.Unix(), payload)
	return fmt.Sprintf("t=%d,v1=%s", at.Unix(), hex.EncodeToString(m.Sum(nil)))
}

// stripeEvent posts a signed event about session to the webhook, signed now.
func (e *env) stripeEvent(w *kycWorld, eventID, typ, sessionID, errorCode string) response {
	e.t.Helper()
	status := map[string]string{"identity.verification_session.verified": "verified",
		"identity.verification_session.processing": "processing", "identity.verification_session.canceled": "canceled",
		"identity.verification_session.requires_input": "requires_input"}[typ]
	p := stripePayload(eventID, typ, sessionID, status, errorCode)
	return e.req("POST", "/verify/webhook", p, "Stripe-Signature", stripeSignature(w.webhookSecret, e.clock.Now(), p))
}

// startKYC starts (or resumes) a verification and returns its Stripe session ID.
func (e *env) startKYC(token string) string {
	e.t.Helper()
	r := e.req("POST", "/verify", nil, bearer(token)...)
	wantStatus(e.t, r, 200)
	var s struct{ SessionId string }
	r.json(e.t, &s)
	return s.SessionId
}

type kycStatus struct {
	Status                                                                                 string
	Attempts, MaxAttempts                                                                  int
	ExpiresAt                                                                              int64
	Verified                                                                               bool
	Country, DateOfBirth, AddressLine1, AddressLine2, City, State, PostalCode, Nationality string
}

func (e *env) kycStatus(token string) kycStatus {
	e.t.Helper()
	var s kycStatus
	r := e.req("GET", "/verify/status", nil, bearer(token)...)
	wantStatus(e.t, r, 200)
	r.json(e.t, &s)
	return s
}

type kycAdminView struct {
	kycStatus
	UserID  string
	History []struct {
		ID, SessionId, Status, Reason, Screening, ScanId, ScreeningError string
		Counted                                                          bool
		Matches, ScreeningTries                                          int
		NextScreeningAt                                                  int64
	}
}

func (e *env) kycAdmin(adminToken, userID string) kycAdminView {
	e.t.Helper()
	var v kycAdminView
	r := e.req("GET", "/admin/user/"+userID+"/verification", nil, bearer(adminToken)...)
	wantStatus(e.t, r, 200)
	r.json(e.t, &v)
	return v
}

// screen runs screening rounds until none finds anything due.
func (e *env) screen(t *testing.T) { untilIdle(t, "screening", e.app.Identity.ScreenDue) }
