package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/models"
)

// TestIdentityVerifiedAndCleared: Stripe verifies the document, the screen is clear,
// the user is verified with the KYC fields of stripe-mock's fixture (a US driving
// licence, so no nationality is derived), sealed at rest and absent from logs and
// events; user.verified reaches a receiver that first fails; an admin revoke clears
// it all, and deleting the account deletes the fields.
func TestIdentityVerifiedAndCleared(t *testing.T) {
	w := newKYCWorld(t, 3)
	eachBackend(t, func(t *testing.T, e *env) {
		w.reset("clear")
		root, _ := e.admin("root@example.com", "root")
		ada := e.signup("ada@example.com", "ada")
		id := e.userID(ada.Bearer)
		if st := e.kycStatus(ada.Bearer); st.Status != "none" || st.Verified || st.Country != "" || st.AddressLine1 != "" {
			t.Fatalf("before: %+v", st)
		}
		var info sessionInfo
		e.req("GET", "/session", nil, bearer(ada.Bearer)...).json(t, &info) // the session row is cached now
		if info.UserVerified {
			t.Fatal("verified before any verification")
		}
		sess := e.startKYC(ada.Bearer)
		w.rc.setFailing(true)
		wantStatus(t, e.stripeEvent(w, "evt_v1", "identity.verification_session.verified", sess, ""), 200)
		e.screen(t)
		// The instance that verified shows it at once, cached session or not.
		e.req("GET", "/session", nil, bearer(ada.Bearer)...).json(t, &info)
		if !info.UserVerified {
			t.Error("GET /session says userVerified false right after the screen cleared the user")
		}

		st := e.kycStatus(ada.Bearer)
		want := kycStatus{Status: "verified", Attempts: 1, MaxAttempts: 3, Verified: true, Country: "US",
			AddressLine1: "1234 Main St.", City: "San Francisco", State: "CA"}
		if st != want {
			t.Fatalf("after:\n got %+v\nwant %+v", st, want)
		}
		asked := w.ns.requests()
		if len(asked) != 1 || asked[0]["firstName"] != "Jenny" || asked[0]["lastName"] != "Rosen" ||
			asked[0]["matchRate"] != float64(80) || asked[0]["dob"] != nil || asked[0]["country"] != nil {
			t.Fatalf("NameScan was asked %v", asked)
		}
		v := e.kycAdmin(root.Bearer, id)
		if v.Country != "US" || len(v.History) != 1 || v.History[0].Screening != "clear" || v.History[0].ScanId != "9000" ||
			v.History[0].Status != "verified" || v.History[0].SessionId != sess {
			t.Fatalf("admin view: %+v", v)
		}
		var one struct{ Country, City string }
		e.req("GET", "/admin/user/"+id, nil, bearer(root.Bearer)...).json(t, &one)
		var list struct {
			Users []struct{ ID, Country string }
		}
		e.req("GET", "/admin/users?limit=100", nil, bearer(root.Bearer)...).json(t, &list)
		for _, u := range list.Users {
			if (u.ID == id) != (u.Country == "US") {
				t.Errorf("admin list KYC: %+v", u)
			}
		}
		if one.Country != "US" || one.City != "San Francisco" {
			t.Errorf("admin user: %+v", one)
		}
		sealed, err := e.app.Store.KYC(context.Background(), id)
		if err != nil || sealed.SealKeyID != "v1" || bytes.Contains(sealed.Sealed, []byte("San Francisco")) || bytes.Contains(sealed.Sealed, []byte("Rosen")) {
			t.Fatalf("at rest: %v %+v", err, sealed)
		}
		wantStatus(t, e.req("POST", "/verify", nil, bearer(ada.Bearer)...), 409)

		// user.verified is retried until the receiver takes it; IDs only.
		e.deliver(t)
		if hasEvent(w.rc, "user.verified", id) {
			t.Fatal("a failing receiver took the event")
		}
		w.rc.setFailing(false)
		e.clock.Advance(10 * time.Second)
		e.deliver(t)
		if !hasEvent(w.rc, "user.verified", id) {
			t.Fatalf("events: %v", w.rc.types())
		}
		for _, pii := range []string{"Jenny", "Rosen", "1234 Main", "San Francisco"} {
			if strings.Contains(e.logs.String(), pii) || strings.Contains(fmt.Sprint(w.rc.got), pii) {
				t.Errorf("%q reached the logs or an event", pii)
			}
		}

		// An admin revokes: the flag and the fields go, and the action is audited.
		wantStatus(t, e.req("PUT", "/admin/user/"+id+"/verification/revoke", nil, bearer(root.Bearer)...), 200)
		if st := e.kycStatus(ada.Bearer); st.Verified || st.Status != "revoked" || st.Country != "" {
			t.Fatalf("after revoke: %+v", st)
		}
		if v := e.kycAdmin(root.Bearer, id); v.Country != "" || v.History[0].Status != "revoked" {
			t.Fatalf("admin after revoke: %+v", v)
		}
		if _, err := e.app.Store.KYC(context.Background(), id); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("KYC after revoke: %v", err)
		}
		var audit struct{ Events []struct{ Action string } }
		e.req("GET", "/admin/audit?userID="+id, nil, bearer(root.Bearer)...).json(t, &audit)
		if len(audit.Events) == 0 || audit.Events[0].Action != "verification.revoked" {
			t.Errorf("audit: %+v", audit)
		}

		// Verified again, then the account is deleted: the fields go with it.
		wantStatus(t, e.req("PUT", "/admin/user/"+id+"/verification/reset", nil, bearer(root.Bearer)...), 200)
		sess = e.startKYC(ada.Bearer)
		wantStatus(t, e.stripeEvent(w, "evt_v2", "identity.verification_session.verified", sess, ""), 200)
		e.screen(t)
		if _, err := e.app.Store.KYC(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		wantStatus(t, e.req("DELETE", "/admin/user/"+id, nil, bearer(root.Bearer)...), 200)
		if _, err := e.app.Store.KYC(context.Background(), id); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("KYC after delete: %v", err)
		}
	})
}

func hasEvent(rc *receiver, typ, userID string) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, ev := range rc.got {
		data, _ := ev["data"].(map[string]any)
		if ev["type"] == typ && data["userID"] == userID && data["verificationID"] != nil && len(data) == 2 {
			return true
		}
	}
	return false
}

// TestIdentityScreeningHit: a hit fails the attempt (counted, user unverified,
// user.verification_failed), the user retries while attempts remain, is refused once
// they are spent, and an admin reset gives them back.
func TestIdentityScreeningHit(t *testing.T) {
	w := newKYCWorld(t, 2)
	eachBackend(t, func(t *testing.T, e *env) {
		w.reset("hit")
		root, _ := e.admin("root@example.com", "root")
		ada := e.signup("ada@example.com", "ada")
		id := e.userID(ada.Bearer)
		for i := 1; i <= 2; i++ {
			sess := e.startKYC(ada.Bearer)
			wantStatus(t, e.stripeEvent(w, fmt.Sprint("evt_hit", i), "identity.verification_session.verified", sess, ""), 200)
			e.screen(t)
			if st := e.kycStatus(ada.Bearer); st.Status != "failed" || st.Verified || st.Attempts != i || st.Country != "" {
				t.Fatalf("after hit %d: %+v", i, st)
			}
		}
		v := e.kycAdmin(root.Bearer, id)
		if h := v.History[0]; h.Reason != "screening_hit" || h.Screening != "hit" || h.Matches != 2 || h.ScanId != "9001" || v.Country != "US" {
			t.Fatalf("admin view: %+v", v)
		}
		r := e.req("POST", "/verify", nil, bearer(ada.Bearer)...)
		wantStatus(t, r, 409)
		if !strings.Contains(r.Header.Get("x-error"), "all 2 identity verification attempts are used") {
			t.Errorf("exhausted: %q", r.Header.Get("x-error"))
		}
		e.deliver(t)
		if !hasEvent(w.rc, "user.verification_failed", id) {
			t.Errorf("events: %v", w.rc.types())
		}

		wantStatus(t, e.req("PUT", "/admin/user/"+id+"/verification/reset", nil, bearer(root.Bearer)...), 200)
		w.ns.set("clear")
		sess := e.startKYC(ada.Bearer)
		wantStatus(t, e.stripeEvent(w, "evt_clear", "identity.verification_session.verified", sess, ""), 200)
		e.screen(t)
		if st := e.kycStatus(ada.Bearer); st.Status != "verified" || !st.Verified || st.Attempts != 1 {
			t.Fatalf("after reset: %+v", st)
		}
	})
}

// TestIdentityScreeningDownThenBack: with NameScan down the user stays unverified
// (fail closed), the screen is retried with growing waits, and the user is verified
// only once it answers clear.
func TestIdentityScreeningDownThenBack(t *testing.T) {
	w := newKYCWorld(t, 3)
	eachBackend(t, func(t *testing.T, e *env) {
		w.reset("down")
		root, _ := e.admin("root@example.com", "root")
		ada := e.signup("ada@example.com", "ada")
		id := e.userID(ada.Bearer)
		sess := e.startKYC(ada.Bearer)
		wantStatus(t, e.stripeEvent(w, "evt_down", "identity.verification_session.verified", sess, ""), 200)
		e.screen(t)
		if st := e.kycStatus(ada.Bearer); st.Status != "screening" || st.Verified || st.Country != "" {
			t.Fatalf("while down: %+v", st)
		}
		h := e.kycAdmin(root.Bearer, id).History[0]
		if h.ScreeningTries != 1 || !strings.Contains(h.ScreeningError, "503") || h.NextScreeningAt != e.clock.Now().Add(30*time.Second).Unix() {
			t.Fatalf("first retry: %+v", h)
		}
		e.screen(t) // not due yet
		e.clock.Advance(31 * time.Second)
		e.screen(t)
		if h := e.kycAdmin(root.Bearer, id).History[0]; h.ScreeningTries != 2 || h.NextScreeningAt != e.clock.Now().Add(time.Minute).Unix() {
			t.Fatalf("second retry: %+v", h)
		}
		if n := len(w.ns.requests()); n != 2 {
			t.Fatalf("NameScan asked %d times, want 2", n)
		}
		w.ns.set("clear")
		e.clock.Advance(61 * time.Second)
		e.screen(t)
		if st := e.kycStatus(ada.Bearer); st.Status != "verified" || !st.Verified || st.Country != "US" {
			t.Fatalf("after recovery: %+v", st)
		}
	})
}
