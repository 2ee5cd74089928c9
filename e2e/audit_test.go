package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestAuditLog(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		p, code := e.register("ada@example.com", "ada")
		ada := e.verify(p.VerificationCodeID, code)
		var info sessionInfo
		e.req("GET", "/session", nil, bearer(ada.Bearer)...).json(t, &info)
		e.addEmail(ada.Bearer, "ada@work.example")
		k := e.createKeyPair(ada.Bearer, "ada@example.com", 30)
		wantStatus(t, e.req("DELETE", "/keypair/"+k.KeyID, nil, bearer(ada.Bearer)...), 200)
		p2, code2 := e.login("ada@example.com")
		for range 5 {
			wantStatus(t, e.req("PUT", "/session/verification", map[string]string{"verificationCodeID": p2.VerificationCodeID, "code": wrongCode(code2)}), 401)
		}
		wantStatus(t, e.req("DELETE", "/session/"+p.SessionID, nil, bearer(ada.Bearer)...), 200)

		events, total, err := e.app.Store.ListAudit(context.Background(), info.UserID, 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, ev := range events {
			actions = append(actions, ev.Action)
			if ev.ActorID != info.UserID || ev.TargetID != info.UserID || ev.IP != "127.0.0.1" || ev.At.IsZero() {
				t.Errorf("event %+v", ev)
			}
			row := fmt.Sprintf("%+v", ev)
			for _, secret := range []string{code, code2, ada.Bearer, ada.RefreshToken, k.APISecret, p.Bearer} {
				if strings.Contains(row, secret) {
					t.Errorf("audit event holds a secret: %s", row)
				}
			}
		}
		want := "session.logout,code.exhausted,code.wrong,code.wrong,code.wrong,code.wrong,keypair.deleted,keypair.verified,keypair.created,email.verified,email.added,session.login"
		if got := strings.Join(actions, ","); got != want || total != 12 {
			t.Errorf("audit actions (newest first):\n got %s\nwant %s", got, want)
		}
	})
}

// TestAuditGaps (H10): a user's own preferred-address change, a logout through
// /oauth/revoke, a failed check of a real key pair and a client_credentials issuance
// are all on the account's audit log.
func TestAuditGaps(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada := e.signup("ada@example.com", "ada")
		id := e.userID(ada.Bearer)
		work := e.addEmail(ada.Bearer, "ada@work.example")
		wantStatus(t, e.req("PUT", "/email/preferred", map[string]string{"emailID": work}, bearer(ada.Bearer)...), 200)
		k := e.createKeyPair(ada.Bearer, "ada@work.example", 30)
		bad := k
		bad.APISecret = k.APISecret[:len(k.APISecret)-2] + "AA"
		wantStatus(t, e.req("GET", "/keypair", nil, keyHeaders(bad)...), 401)
		r := e.form("/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {k.APIKey}, "client_secret": {k.APISecret}})
		wantStatus(t, r, 200)
		second := e.verifyAfterLogin("ada@work.example")
		wantStatus(t, e.form("/oauth/revoke", url.Values{"token": {second.RefreshToken}}), 200)

		if err := e.app.KeyPairs.FlushKeyPairUse(context.Background()); err != nil { // as every 30 s
			t.Fatal(err)
		}
		events, _, err := e.app.Store.ListAudit(context.Background(), id, 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, ev := range events {
			got[ev.Action] += ev.Detail + ";"
			if strings.Contains(fmt.Sprintf("%+v", ev), bad.APISecret) || strings.Contains(fmt.Sprintf("%+v", ev), k.APISecret) {
				t.Errorf("audit event holds a secret: %+v", ev)
			}
		}
		for action, detail := range map[string]string{
			"email.preferred": "email " + work,
			"keypair.failed":  "key pair " + k.KeyID + ": wrong secret",
			"token.issued":    "client_credentials with key pair " + k.KeyID + ": 1 token(s)",
			"session.logout":  "through /oauth/revoke",
		} {
			if !strings.Contains(got[action], detail) {
				t.Errorf("%s: %q, want it to mention %q", action, got[action], detail)
			}
		}
	})
}
