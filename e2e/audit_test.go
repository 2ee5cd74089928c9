package e2e

import (
	"context"
	"fmt"
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
		want := "session.logout,code.exhausted,keypair.deleted,keypair.verified,keypair.created,email.verified,email.added,session.login"
		if got := strings.Join(actions, ","); got != want || total != 8 {
			t.Errorf("audit actions (newest first):\n got %s\nwant %s", got, want)
		}
	})
}
