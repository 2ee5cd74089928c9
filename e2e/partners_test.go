package e2e

import (
	"strings"
	"testing"
	"time"
)

func TestPartnerCreatesUsers(t *testing.T) {
	t.Setenv("AUTHD_ROLES_CUSTOM", "billing,support")
	t.Setenv("AUTHD_PARTNERS_GRANTABLE_ROLES", "billing")
	eachBackend(t, func(t *testing.T, e *env) {
		pat := e.signup("pat@partner.example", "pat")
		patID := e.userID(pat.Bearer)
		body := map[string]any{"email": "new@example.com", "fullName": "New Person", "alias": "newbie",
			"roles": []string{"billing"}, "portalURL": "https://portal.partner.example", "notify": true}
		wantStatus(t, e.req("POST", "/partners/user", body, bearer(pat.Bearer)...), 403) // not a partner yet
		e.grant(patID, "partner")
		// The role is checked against the database at once.
		for _, roles := range [][]string{{"admin"}, {"support"}, {"partner"}} {
			wantStatus(t, e.req("POST", "/partners/user", withKV(body, "roles", roles), bearer(pat.Bearer)...), 403)
		}
		r := e.req("POST", "/partners/user", body, bearer(pat.Bearer)...)
		wantStatus(t, r, 200)
		var out struct{ UserID string }
		r.json(t, &out)
		invite := e.smtp.WaitFor(t, "new@example.com", 10*time.Second)
		if !strings.Contains(invite.Text, "https://portal.partner.example") || !strings.Contains(invite.Text, "pat") {
			t.Errorf("invitation: %q", invite.Text)
		}
		wantStatus(t, e.req("POST", "/partners/user", withKV(body, "alias", "other"), bearer(pat.Bearer)...), 409)
		wantStatus(t, e.req("POST", "/partners/user", withKV(body, "email", "x@example.com"), bearer(pat.Bearer)...), 409) // alias taken
		wantStatus(t, e.req("POST", "/partners/user", withKV(withKV(body, "email", "y@example.com"), "alias", "yyy", "portalURL", "javascript:alert(1)"), bearer(pat.Bearer)...), 400)

		// The invited person logs in by registering with the same address.
		v := e.signup("new@example.com", "ignored")
		var info sessionInfo
		e.req("GET", "/session", nil, bearer(v.Bearer)...).json(t, &info)
		if info.UserID != out.UserID || info.Alias != "newbie" || strings.Join(info.Roles, ",") != "billing,user" {
			t.Errorf("invited account: %+v", info)
		}
	})
}

// withKV copies m with the key/value pairs kv set.
func withKV(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}
