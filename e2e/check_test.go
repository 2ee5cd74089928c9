package e2e

import (
	"testing"
)

func TestForwardAuth(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada := e.signup("ada@example.com", "ada")
		k := e.createKeyPair(ada.Bearer, "ada@example.com", 30)
		var info sessionInfo
		e.req("GET", "/session", nil, bearer(ada.Bearer)...).json(t, &info)

		wantStatus(t, e.req("GET", "/check", nil), 401)
		p, _ := e.login("ada@example.com")
		wantStatus(t, e.req("GET", "/check", nil, bearer(p.Bearer)...), 401) // a pending login is not a user

		r := e.req("GET", "/check", nil, bearer(ada.Bearer)...)
		wantStatus(t, r, 200)
		if r.Header.Get("X-Auth-User-ID") != info.UserID || r.Header.Get("X-Auth-Session-ID") != info.SessionID ||
			r.Header.Get("X-Auth-Roles") != "user" || r.Header.Get("X-Auth-Groups") != "public" || r.Header.Get("X-Auth-Key-ID") != "" {
			t.Errorf("bearer headers: %v", r.Header)
		}
		r = e.req("GET", "/check", nil, keyHeaders(k)...)
		wantStatus(t, r, 200)
		if r.Header.Get("X-Auth-User-ID") != info.UserID || r.Header.Get("X-Auth-Key-ID") != k.KeyID || r.Header.Get("X-Auth-Session-ID") != "" {
			t.Errorf("key pair headers: %v", r.Header)
		}
		wantStatus(t, e.req("GET", "/check?roles=admin", nil, bearer(ada.Bearer)...), 403)
		wantStatus(t, e.req("GET", "/check?roles=admin,user", nil, bearer(ada.Bearer)...), 200)
		wantStatus(t, e.req("GET", "/check?roles=ADMIN%0d%0aX:y", nil, bearer(ada.Bearer)...), 400)
		wantStatus(t, e.req("GET", "/check", nil, bearer(tamper(ada.Bearer))...), 401)
	})
}

func TestUserByEmailNeedsARole(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada := e.signup("ada@example.com", "ada")
		bob := e.signup("bob@example.com", "bob")
		wantStatus(t, e.req("GET", "/user/by-email?email=bob@example.com", nil, bearer(ada.Bearer)...), 403)

		var info sessionInfo
		e.req("GET", "/session", nil, bearer(ada.Bearer)...).json(t, &info)
		e.grant(info.UserID, "partner")
		// Roles are read from the database on this route: the grant counts at once,
		// with the token minted before it.
		ext := struct{ Bearer string }{ada.Bearer}
		r := e.req("GET", "/user/by-email?email=Bob@Example.com", nil, bearer(ext.Bearer)...)
		wantStatus(t, r, 200)
		var bobInfo sessionInfo
		e.req("GET", "/session", nil, bearer(bob.Bearer)...).json(t, &bobInfo)
		var got struct{ UserID string }
		r.json(t, &got)
		if got.UserID != bobInfo.UserID {
			t.Errorf("userID = %s, want %s", got.UserID, bobInfo.UserID)
		}
		wantStatus(t, e.req("GET", "/user/by-email?email=nobody@example.com", nil, bearer(ext.Bearer)...), 404)
		wantStatus(t, e.req("GET", "/user/by-email?email=not-an-email", nil, bearer(ext.Bearer)...), 400)
	})
}

func TestDeleteAccount(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada := e.signup("ada@example.com", "ada")
		k := e.createKeyPair(ada.Bearer, "ada@example.com", 30)
		wantStatus(t, e.req("GET", "/keypair", nil, keyHeaders(k)...), 200)
		wantStatus(t, e.req("DELETE", "/user", nil, bearer(ada.Bearer)...), 200)
		wantStatus(t, e.req("GET", "/session", nil, bearer(ada.Bearer)...), 401)
		wantStatus(t, e.req("GET", "/keypair", nil, keyHeaders(k)...), 401)
		// The address is free again: registering it creates a new account.
		e.signup("ada@example.com", "ada")
	})
}
