package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestPartnerCreatesUsers(t *testing.T) {
	t.Setenv("AUTHD_ROLES_CUSTOM", "billing,support")
	t.Setenv("AUTHD_PARTNERS_GRANTABLE_ROLES", "billing")
	t.Setenv("AUTHD_PARTNERS_PORTAL_HOSTS", "portal.partner.example")
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

// TestPartnerInvitationsAreNoPhishingChannel (H12): invitations link only to https
// portals the operator listed, carry a name that reads as a name, and are counted per
// partner per day; without a listed portal no invitation goes out.
func TestPartnerInvitationsAreNoPhishingChannel(t *testing.T) {
	t.Setenv("AUTHD_PARTNERS_PORTAL_HOSTS", "portal.partner.example")
	t.Setenv("AUTHD_PARTNERS_INVITES_PER_DAY", "3")
	eachBackend(t, func(t *testing.T, e *env) {
		pat := e.signup("pat@partner.example", "pat")
		e.grant(e.userID(pat.Bearer), "partner")
		n := 0
		invite := func(kv ...any) response {
			n++
			body := map[string]any{"email": fmt.Sprintf("p%d@example.com", n), "fullName": "New Person",
				"alias": fmt.Sprintf("newp%d", n), "portalURL": "https://portal.partner.example/start", "notify": true}
			return e.req("POST", "/partners/user", withKV(body, kv...), bearer(pat.Bearer)...)
		}
		wantStatus(t, invite("portalURL", "http://portal.partner.example"), 400)
		wantStatus(t, invite("portalURL", "https://evil.example/login"), 403)
		wantStatus(t, invite("portalURL", "https://user:pw@portal.partner.example"), 400)
		wantStatus(t, invite("fullName", "Your account is locked, visit www.evil.example"), 400)
		wantStatus(t, invite("fullName", "Call https://evil.example now"), 400)
		for range 3 {
			wantStatus(t, invite(), 200)
		}
		wantRetryAfter(t, invite(), 1, 24*60*60)
		m := e.smtp.WaitFor(t, "p6@example.com", 10*time.Second)
		if !strings.Contains(m.Text, `under the name "New Person"`) || !strings.HasPrefix(m.Text, "Hello,") {
			t.Errorf("invitation text: %q", m.Text)
		}
	})
	t.Setenv("AUTHD_PARTNERS_PORTAL_HOSTS", "")
	eachBackend(t, func(t *testing.T, e *env) {
		pat := e.signup("pat@partner.example", "pat")
		e.grant(e.userID(pat.Bearer), "partner")
		body := map[string]any{"email": "q@example.com", "fullName": "Q", "alias": "qqq",
			"portalURL": "https://portal.partner.example", "notify": true}
		wantStatus(t, e.req("POST", "/partners/user", body, bearer(pat.Bearer)...), 403)
		wantStatus(t, e.req("POST", "/partners/user", withKV(body, "notify", false), bearer(pat.Bearer)...), 200)
	})
}
