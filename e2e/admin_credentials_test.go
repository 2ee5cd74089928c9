package e2e

import (
	"strings"
	"testing"
	"time"
)

func TestAdminSessions(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada, _ := e.admin("ada@example.com", "ada")
		bob := e.signup("bob@example.com", "bob")
		bobID := e.userID(bob.Bearer)
		as := bearer(ada.Bearer)

		r := e.req("POST", "/admin/user/"+bobID+"/session", map[string]string{"kind": "cli"}, as...)
		wantStatus(t, r, 200)
		var s struct{ Bearer, SessionID string }
		r.json(t, &s)
		var info sessionInfo
		e.req("GET", "/session", nil, bearer(s.Bearer)...).json(t, &info)
		if info.UserID != bobID || info.SessionID != s.SessionID || !info.Verified {
			t.Fatalf("admin-opened session: %+v", info)
		}
		tok := e.verifyWithJWKS(s.Bearer)
		if amr, _ := tok.Get("amr"); !strings.Contains(strings.ToLower(strings.Join(toStrings(amr), ",")), "admin") {
			t.Errorf("amr = %v, want admin", amr)
		}
		wantStatus(t, e.req("POST", "/admin/user/"+bobID+"/session", map[string]string{"kind": "root"}, as...), 400)
		wantStatus(t, e.req("POST", "/admin/user/0b5cf3a8-7a2f-4b59-9d3c-1f0e0c6a9d11/session", map[string]string{}, as...), 404)

		r = e.req("GET", "/admin/sessions?userID="+bobID, nil, as...)
		wantStatus(t, r, 200)
		var l struct {
			Items    int
			Sessions []struct{ SessionID string }
		}
		r.json(t, &l)
		if l.Items != 2 {
			t.Errorf("bob's open sessions: %+v", l)
		}
		wantStatus(t, e.req("DELETE", "/admin/session/"+s.SessionID, nil, as...), 200)
		wantStatus(t, e.req("GET", "/session", nil, bearer(s.Bearer)...), 401)
		wantStatus(t, e.req("DELETE", "/admin/session/0b5cf3a8-7a2f-4b59-9d3c-1f0e0c6a9d11", nil, as...), 404)
		pending, _ := e.login("bob@example.com")
		wantStatus(t, e.req("PUT", "/admin/session/"+pending.SessionID+"/verify", nil, as...), 409)
		wantStatus(t, e.req("PUT", "/admin/session/"+pending.SessionID+"/verify", nil, bearer(bob.Bearer)...), 403)
		r = e.req("GET", "/admin/audit?userID="+bobID, nil, as...)
		if !strings.Contains(string(r.Body), "admin.session") || !strings.Contains(string(r.Body), "closed by an admin") {
			t.Errorf("audit: %s", r.Body)
		}
	})
}

func toStrings(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, x := range l {
			s, _ := x.(string)
			out = append(out, s)
		}
	}
	if l, ok := v.([]string); ok {
		out = l
	}
	return out
}

func TestAdminKeyPairsAndEmails(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada, _ := e.admin("ada@example.com", "ada")
		bob := e.signup("bob@example.com", "bob")
		bobID := e.userID(bob.Bearer)
		as := bearer(ada.Bearer)

		r := e.req("POST", "/admin/user/"+bobID+"/keypair", map[string]any{"name": "ops", "days": 7}, as...)
		wantStatus(t, r, 200)
		var k newKeyPair
		r.json(t, &k)
		wantStatus(t, e.req("GET", "/keypair", nil, keyHeaders(k)...), 401) // unverified
		wantStatus(t, e.req("PUT", "/admin/keypair/"+k.KeyID+"/verify", nil, as...), 200)
		r = e.req("GET", "/keypair", nil, keyHeaders(k)...)
		wantStatus(t, r, 200)
		if !strings.Contains(string(r.Body), `"userAlias":"bob"`) {
			t.Errorf("admin-made pair belongs to: %s", r.Body)
		}
		r = e.req("GET", "/admin/keypairs?userID="+bobID, nil, as...)
		wantStatus(t, r, 200)
		if !strings.Contains(string(r.Body), k.KeyID) || strings.Contains(string(r.Body), k.APISecret) {
			t.Errorf("admin key list: %s", r.Body)
		}
		wantStatus(t, e.req("DELETE", "/admin/keypair/"+k.KeyID, nil, as...), 200)
		wantStatus(t, e.req("GET", "/keypair", nil, keyHeaders(k)...), 401)
		wantStatus(t, e.req("DELETE", "/admin/keypair/"+k.KeyID, nil, as...), 404)
		wantStatus(t, e.req("POST", "/admin/user/"+bobID+"/keypair", map[string]any{"name": "ops", "days": 0}, as...), 400)

		r = e.req("POST", "/admin/user/"+bobID+"/email", map[string]string{"address": "bob@work.example"}, as...)
		wantStatus(t, r, 200)
		var added struct{ EmailID string }
		r.json(t, &added)
		time.Sleep(100 * time.Millisecond)
		if e.smtp.Count("bob@work.example") != 0 {
			t.Error("an admin-added address was sent a code")
		}
		wantStatus(t, e.req("PUT", "/admin/email/preferred", map[string]string{"emailID": added.EmailID}, as...), 409) // unverified
		wantStatus(t, e.req("PUT", "/admin/email/"+added.EmailID+"/verify", nil, as...), 200)
		wantStatus(t, e.req("PUT", "/admin/email/preferred", map[string]string{"emailID": added.EmailID}, as...), 200)
		e.verifyAfterLogin("bob@work.example")
		wantStatus(t, e.req("POST", "/admin/user/"+bobID+"/email", map[string]string{"address": "ada@example.com"}, as...), 409)
		wantStatus(t, e.req("DELETE", "/admin/email/"+added.EmailID, nil, as...), 409) // preferred
		var l emailList
		e.req("GET", "/emails", nil, bearer(bob.Bearer)...).json(t, &l)
		for _, m := range l.Emails {
			if m.ID != added.EmailID {
				wantStatus(t, e.req("DELETE", "/admin/email/"+m.ID, nil, as...), 200)
			}
		}
		wantStatus(t, e.req("DELETE", "/admin/email/0b5cf3a8-7a2f-4b59-9d3c-1f0e0c6a9d11", nil, as...), 404)
		wantStatus(t, e.req("PUT", "/admin/email/nope/verify", nil, as...), 400)
	})
}
