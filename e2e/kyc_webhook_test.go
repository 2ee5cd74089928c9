package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestIdentityWebhookSignature: only a body signed with the endpoint secret within
// five minutes (either way) of our clock is accepted; a refused event is not
// recorded, so the genuine one with the same ID is still processed.
func TestIdentityWebhookSignature(t *testing.T) {
	w := newKYCWorld(t, 3)
	eachBackend(t, func(t *testing.T, e *env) {
		w.reset("clear")
		ada := e.signup("ada@example.com", "ada")
		sess := e.startKYC(ada.Bearer)
		p := stripePayload("evt_sig", "identity.verification_session.processing", sess, "processing", "")
		now := e.clock.Now()
		cases := []struct {
			name, body, sig, ctype string
			status                 int
			xerr                   string
		}{
			{"no signature", p, "", "application/json", 400, "invalid Stripe-Signature"},
			{"garbage signature", p, "t=1,v1=zz", "application/json", 400, "invalid Stripe-Signature"},
			{"wrong secret", p, stripeSignature("whsec_other", now, p), "application/json", 400, "invalid Stripe-Signature"},
			{"tampered body", strings.Replace(p, "processing", "verified", 1), stripeSignature(w.webhookSecret, now, p), "application/json", 400, "invalid Stripe-Signature"},
			{"stale", p, stripeSignature(w.webhookSecret, now.Add(-6*time.Minute), p), "application/json", 400, "Stripe-Signature timestamp is outside the 5-minute tolerance"},
			{"from the future", p, stripeSignature(w.webhookSecret, now.Add(6*time.Minute), p), "application/json", 400, "Stripe-Signature timestamp is outside the 5-minute tolerance"},
			{"not JSON", p, stripeSignature(w.webhookSecret, now, p), "text/plain", 415, "Content-Type must be application/json"},
			{"too large", strings.Repeat(" ", 70<<10) + p, "", "application/json", 413, "request body is too large"},
		}
		for _, c := range cases {
			r := e.req("POST", "/verify/webhook", c.body, "Content-Type", c.ctype, "Stripe-Signature", c.sig)
			wantStatus(t, r, c.status)
			if r.Header.Get("x-error") != c.xerr {
				t.Errorf("%s: x-error %q", c.name, r.Header.Get("x-error"))
			}
		}
		if st := e.kycStatus(ada.Bearer); st.Status != "requires_input" {
			t.Fatalf("a refused event changed the status: %+v", st)
		}
		// Four minutes old is within tolerance.
		r := e.req("POST", "/verify/webhook", p, "Stripe-Signature", stripeSignature(w.webhookSecret, now.Add(-4*time.Minute), p))
		wantStatus(t, r, 200)
		if st := e.kycStatus(ada.Bearer); st.Status != "processing" {
			t.Fatalf("accepted event not applied: %+v", st)
		}
	})
}

// TestIdentityWebhookOrderAndRepeats: each event ID is applied once; late and
// out-of-order events never move an attempt backwards; Stripe's failure and
// cancellation close an attempt (a failure counts and is announced); a redaction
// erases the fields the session gave; events for
// sessions authd did not start, and other event types, are acknowledged and ignored.
func TestIdentityWebhookOrderAndRepeats(t *testing.T) {
	w := newKYCWorld(t, 3)
	eachBackend(t, func(t *testing.T, e *env) {
		w.reset("clear")
		root, _ := e.admin("root@example.com", "root")
		ada := e.signup("ada@example.com", "ada")
		id := e.userID(ada.Bearer)
		sess := e.startKYC(ada.Bearer)
		wantStatus(t, e.stripeEvent(w, "evt_p", "identity.verification_session.processing", sess, ""), 200)
		wantStatus(t, e.stripeEvent(w, "evt_f", "identity.verification_session.requires_input", sess, "document_expired"), 200)
		wantStatus(t, e.stripeEvent(w, "evt_f", "identity.verification_session.requires_input", sess, "document_expired"), 200)
		wantStatus(t, e.stripeEvent(w, "evt_p2", "identity.verification_session.processing", sess, ""), 200) // late
		if st := e.kycStatus(ada.Bearer); st.Status != "failed" || st.Attempts != 1 {
			t.Fatalf("after Stripe's failure: %+v", st)
		}
		if h := e.kycAdmin(root.Bearer, id).History[0]; h.Reason != "document_expired" || h.Status != "failed" {
			t.Fatalf("failure recorded as %+v", h)
		}
		e.deliver(t)
		failed := 0
		for _, typ := range w.rc.types() {
			if typ == "user.verification_failed" {
				failed++
			}
		}
		if failed != 1 {
			t.Fatalf("verification_failed announced %d times: %v", failed, w.rc.types())
		}

		// A failed attempt is closed: the next start opens a new session.
		sess2 := e.startKYC(ada.Bearer)
		if sess2 == sess {
			t.Fatal("a failed session was resumed")
		}
		wantStatus(t, e.stripeEvent(w, "evt_v", "identity.verification_session.verified", sess2, ""), 200)
		e.screen(t)
		wantStatus(t, e.stripeEvent(w, "evt_v", "identity.verification_session.verified", sess2, ""), 200)
		e.screen(t)
		for i, typ := range []string{"processing", "requires_input", "canceled"} {
			ev := "identity.verification_session." + typ
			wantStatus(t, e.stripeEvent(w, "evt_late"+typ, ev, sess2, map[int]string{1: "selfie_mismatch"}[i]), 200)
		}
		if st := e.kycStatus(ada.Bearer); st.Status != "verified" || !st.Verified || st.Attempts != 2 {
			t.Fatalf("late events moved a verification: %+v", st)
		}
		if n := len(w.ns.requests()); n != 1 {
			t.Fatalf("a repeated event was screened again: %d scans", n)
		}
		// Stripe redacts a session: the fields it gave are erased here too; redacting
		// the earlier, failed session erases nothing.
		wantStatus(t, e.stripeEvent(w, "evt_red1", "identity.verification_session.redacted", sess, ""), 200)
		if v := e.kycAdmin(root.Bearer, id); v.Country != "US" {
			t.Fatalf("redacting another session erased the fields: %+v", v)
		}
		wantStatus(t, e.stripeEvent(w, "evt_red2", "identity.verification_session.redacted", sess2, ""), 200)
		if v := e.kycAdmin(root.Bearer, id); v.Country != "" || v.City != "" || !v.Verified {
			t.Fatalf("after redaction: %+v", v)
		}
		wantStatus(t, e.stripeEvent(w, "evt_other", "identity.verification_session.verified", "vs_not_ours", ""), 200)
		p := `{"id":"evt_cus","object":"event","type":"customer.created","data":{"object":{"id":"cus_1","object":"customer"}}}`
		wantStatus(t, e.req("POST", "/verify/webhook", p, "Stripe-Signature", stripeSignature(w.webhookSecret, e.clock.Now(), p)), 200)

		// Stripe cancels a session: closed, and a new start opens another.
		bob := e.signup("bob@example.com", "bob")
		bs := e.startKYC(bob.Bearer)
		wantStatus(t, e.stripeEvent(w, "evt_c", "identity.verification_session.canceled", bs, ""), 200)
		wantStatus(t, e.stripeEvent(w, "evt_c2", "identity.verification_session.processing", bs, ""), 200)
		if st := e.kycStatus(bob.Bearer); st.Status != "canceled" || st.Attempts != 1 {
			t.Fatalf("after cancel: %+v", st)
		}
		if e.startKYC(bob.Bearer) == bs {
			t.Fatal("a canceled session was resumed")
		}
	})
}

// TestIdentityWebhookRetriedAfterFailure: when Stripe cannot be reached to fetch the
// verified session, the event is refused with 503 and nothing is recorded; Stripe's
// resend after a restart is processed, and the background screening (kicked by the
// webhook, as in production) verifies the user.
func TestIdentityWebhookRetriedAfterFailure(t *testing.T) {
	w := newKYCWorld(t, 3)
	eachBackend(t, func(t *testing.T, e *env) {
		w.reset("clear")
		ada := e.signup("ada@example.com", "ada")
		sess := e.startKYC(ada.Bearer)
		e.cfg.Stripe.APIBase = "http://" + freeAddr(t) // nothing listens there
		e = e.restart()
		r := e.stripeEvent(w, "evt_r", "identity.verification_session.verified", sess, "")
		wantStatus(t, r, 503)
		if r.Header.Get("Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
		if st := e.kycStatus(ada.Bearer); st.Status != "requires_input" {
			t.Fatalf("a failed event left a change: %+v", st)
		}
		e.cfg.Stripe.APIBase = w.stripeBase
		e.stop()
		e = startWith(t, e.cfg, e.smtp, e.clock, false)
		wantStatus(t, e.stripeEvent(w, "evt_r", "identity.verification_session.verified", sess, ""), 200)
		deadline := time.Now().Add(10 * time.Second)
		for e.kycStatus(ada.Bearer).Status != "verified" {
			if time.Now().After(deadline) {
				t.Fatalf("background screening did not verify: %+v", e.kycStatus(ada.Bearer))
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// TestIdentityWebhookNotConfigured: with Stripe but no webhook secret, the webhook
// answers 503 and nothing else changes.
func TestIdentityWebhookNotConfigured(t *testing.T) {
	t.Setenv("AUTHD_STRIPE_SECRET_KEY", "sk_test_123")
	t.Setenv("AUTHD_STRIPE_API_BASE", "http://"+freeAddr(t))
	eachBackend(t, func(t *testing.T, e *env) {
		p := stripePayload("evt_x", "identity.verification_session.verified", "vs_1", "verified", "")
		r := e.req("POST", "/verify/webhook", p, "Stripe-Signature", stripeSignature("whsec_x", e.clock.Now(), p))
		wantStatus(t, r, 503)
		if r.Header.Get("x-error") != "Stripe webhooks are not configured" {
			t.Errorf("x-error %q", r.Header.Get("x-error"))
		}
	})
}
