package e2e

import (
	"fmt"
	"testing"
	"time"
)

type emailList struct {
	Emails []struct {
		ID        string `json:"id"`
		Address   string `json:"address"`
		Verified  bool   `json:"verified"`
		Preferred bool   `json:"preferred"`
	} `json:"emails"`
}

func (e *env) emails(token string) emailList {
	e.t.Helper()
	r := e.req("GET", "/emails", nil, bearer(token)...)
	wantStatus(e.t, r, 200)
	var l emailList
	r.json(e.t, &l)
	return l
}

// addEmail adds and verifies address, returning its ID.
func (e *env) addEmail(token, address string) string {
	e.t.Helper()
	e.clock.Advance(time.Second) // keeps "oldest first" meaningful
	r := e.req("POST", "/email", map[string]string{"address": address}, bearer(token)...)
	wantStatus(e.t, r, 200)
	var out struct{ EmailID, VerificationCodeID string }
	r.json(e.t, &out)
	code := e.smtp.CodeFor(e.t, address, 10*time.Second)
	wantStatus(e.t, e.req("PUT", "/email/verification", map[string]string{"verificationCodeID": out.VerificationCodeID, "code": code}, bearer(token)...), 200)
	return out.EmailID
}

func TestEmails(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada := e.signup("ada@example.com", "ada")
		bob := e.signup("bob@example.com", "bob")
		first := e.emails(ada.Bearer).Emails[0]
		if !first.Verified || !first.Preferred {
			t.Fatalf("first address: %+v", first)
		}

		work := e.addEmail(ada.Bearer, "ada@work.example")
		l := e.emails(ada.Bearer)
		if len(l.Emails) != 2 || !l.Emails[1].Verified || l.Emails[1].Preferred || l.Emails[1].ID != work || l.Emails[0].ID != first.ID {
			t.Fatalf("after adding: %+v", l)
		}
		// Any verified address logs in.
		p, code := e.login("ada@work.example")
		e.verify(p.VerificationCodeID, code)

		t.Run("conflicts", func(t *testing.T) {
			wantStatus(t, e.req("POST", "/email", map[string]string{"address": "ada@work.example"}, bearer(ada.Bearer)...), 409)
			wantStatus(t, e.req("DELETE", "/email/"+first.ID, nil, bearer(ada.Bearer)...), 409) // preferred
		})
		t.Run("another user's email is not found", func(t *testing.T) {
			wantStatus(t, e.req("DELETE", "/email/"+work, nil, bearer(bob.Bearer)...), 404)
			wantStatus(t, e.req("PUT", "/email/preferred", map[string]string{"emailID": work}, bearer(bob.Bearer)...), 404)
		})
		t.Run("a code for another user's address", func(t *testing.T) {
			r := e.req("POST", "/email", map[string]string{"address": "ada2@example.com"}, bearer(ada.Bearer)...)
			var out struct{ VerificationCodeID string }
			r.json(t, &out)
			code := e.smtp.CodeFor(t, "ada2@example.com", 10*time.Second)
			wantStatus(t, e.req("PUT", "/email/verification", map[string]string{"verificationCodeID": out.VerificationCodeID, "code": code}, bearer(bob.Bearer)...), 401)
			wantStatus(t, e.req("PUT", "/email/verification", map[string]string{"verificationCodeID": out.VerificationCodeID, "code": code}, bearer(ada.Bearer)...), 200)
		})
		t.Run("prefer, then remove the old preferred", func(t *testing.T) {
			wantStatus(t, e.req("PUT", "/email/preferred", map[string]string{"emailID": work}, bearer(ada.Bearer)...), 200)
			// Removing an address needs a login through the preferred one (SECURITY.md H1).
			wantStatus(t, e.req("DELETE", "/email/"+first.ID, nil, bearer(ada.Bearer)...), 403)
			old := ada
			ada = e.verifyAfterLogin("ada@work.example")
			wantStatus(t, e.req("DELETE", "/email/"+first.ID, nil, bearer(ada.Bearer)...), 200)
			// Sessions that logged in with the removed address stay open.
			wantStatus(t, e.req("GET", "/session", nil, bearer(old.Bearer)...), 200)
			for _, m := range e.emails(ada.Bearer).Emails {
				if m.ID == first.ID || (m.ID == work) != m.Preferred {
					t.Errorf("after removal: %+v", m)
				}
			}
			// The removed address is told, and no longer logs in: nothing else is sent.
			e.smtp.WaitForText(t, "ada@example.com", "ada@example.com was removed", 10*time.Second)
			before := e.smtp.Count("ada@example.com")
			wantStatus(t, e.req("POST", "/session", map[string]string{"email": "ada@example.com"}), 200)
			time.Sleep(100 * time.Millisecond)
			if e.smtp.Count("ada@example.com") != before {
				t.Error("a removed address still receives login codes")
			}
		})
		t.Run("unverified cannot be preferred", func(t *testing.T) {
			r := e.req("POST", "/email", map[string]string{"address": "pending@example.com"}, bearer(ada.Bearer)...)
			var out struct{ EmailID string }
			r.json(t, &out)
			wantStatus(t, e.req("PUT", "/email/preferred", map[string]string{"emailID": out.EmailID}, bearer(ada.Bearer)...), 409)
			wantStatus(t, e.req("DELETE", "/email/"+out.EmailID, nil, bearer(ada.Bearer)...), 200)
		})
		t.Run("last verified address stays", func(t *testing.T) {
			l := e.emails(bob.Bearer)
			wantStatus(t, e.req("DELETE", "/email/"+l.Emails[0].ID, nil, bearer(bob.Bearer)...), 409)
		})
		t.Run("at most 10 addresses", func(t *testing.T) {
			for i := len(e.emails(bob.Bearer).Emails); i < 10; i++ {
				wantStatus(t, e.req("POST", "/email", map[string]string{"address": fmt.Sprintf("bob%d@example.com", i)}, bearer(bob.Bearer)...), 200)
			}
			wantStatus(t, e.req("POST", "/email", map[string]string{"address": "bob11@example.com"}, bearer(bob.Bearer)...), 409)
		})
		t.Run("bad input", func(t *testing.T) {
			wantStatus(t, e.req("POST", "/email", map[string]string{"address": "a@b.co\r\nBcc: x@evil.example"}, bearer(ada.Bearer)...), 400)
			wantStatus(t, e.req("DELETE", "/email/nope", nil, bearer(ada.Bearer)...), 400)
			wantStatus(t, e.req("POST", "/email", map[string]string{"address": "x@example.com"}), 401)
		})
	})
}
