package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// ThreatWinds clients (issue 12): what their public pages and go-sdk send.

// TestCodesAsIntegers: a code is taken as the string the contract names or as the
// JSON integer the ThreatWinds pages type it as, leading zeros restored (12345 is
// 012345); any other shape is a 400 that spends no attempt.
func TestCodesAsIntegers(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.signup("ada@example.com", "ada")
		verify := func(codeID, code string) response {
			return e.req("PUT", "/session/verification", `{"verificationCodeID":"`+codeID+`","code":`+code+`}`,
				"Content-Type", "application/json")
		}
		p, code := e.login("ada@example.com")
		for _, bad := range []string{`1234567`, `-12345`, `12345.0`, `1e5`, `true`, `null`, `[1]`, `"12345"`} {
			if r := verify(p.VerificationCodeID, bad); r.Status != 400 {
				t.Errorf("code %s: %d, want 400", bad, r.Status)
			}
		}
		n, _ := strconv.Atoi(code)                                        // 007123 goes as 7123
		wantStatus(t, verify(p.VerificationCodeID, strconv.Itoa(n)), 200) // the refusals above spent no attempt
		p, code = e.login("ada@example.com")
		wantStatus(t, verify(p.VerificationCodeID, `"`+code+`"`), 200)
	})
}

// TestAuthorizationWithoutScheme: "Authorization: <token>" works for authd's own
// token shapes, as the ThreatWinds pages send it; other bare values and schemes are 401.
func TestAuthorizationWithoutScheme(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada := e.signup("ada@example.com", "ada")
		wantStatus(t, e.req("GET", "/session", nil, "Authorization", ada.Bearer), 200)
		pend, _ := e.login("ada@example.com")
		wantStatus(t, e.req("GET", "/session", nil, "Authorization", pend.Bearer), 200)
		for _, bad := range []string{"garbage", "Basic " + ada.Bearer, "Token " + ada.Bearer, ada.RefreshToken,
			strings.Replace(ada.Bearer, "eyJ", "xyJ", 1)} {
			wantStatus(t, e.req("GET", "/session", nil, "Authorization", bad), 401)
		}
	})
}

// TestGoSDKBodies: the admin role grant accepts the go-sdk's userID in the body when
// it is the path's user, and identity status without Stripe asks to retry soon.
func TestGoSDKBodies(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada, _ := e.admin("ada@example.com", "ada")
		bob := e.signup("bob@example.com", "bob")
		bobID := e.userID(bob.Bearer)
		as := bearer(ada.Bearer)
		wantStatus(t, e.req("POST", "/admin/user/"+bobID+"/roles", map[string]string{"role": "partner", "userID": bobID}, as...), 200)
		wantStatus(t, e.req("POST", "/admin/user/"+bobID+"/roles", map[string]string{"role": "partner", "userID": e.userID(ada.Bearer)}, as...), 400)
		// The SDK's request types send every field, empty or null when unset.
		wantStatus(t, e.req("POST", "/session", `{"email":"bob@example.com","kind":""}`, "Content-Type", "application/json"), 200)
		wantStatus(t, e.req("POST", "/admin/user/"+bobID+"/session", `{"kind":""}`, append(as, "Content-Type", "application/json")...), 200)
		wantStatus(t, e.req("POST", "/partners/user", `{"email":"new@example.com","fullName":"New","alias":"newbie","roles":null,"portalURL":"","notify":false}`,
			append(bearer(bob.Bearer), "Content-Type", "application/json")...), 200) // bob holds partner now
		r := e.req("GET", "/verify/status", nil, bearer(bob.Bearer)...)
		wantStatus(t, r, 503)
		if ra, _ := strconv.Atoi(r.Header.Get("Retry-After")); ra < 1 || ra > 60 {
			t.Errorf("Retry-After %q, want a short wait", r.Header.Get("Retry-After"))
		}
	})
}

// TestLoginBearerBecomesTheSessions: the documented flow. The bearer of POST /session
// is narrow until its code is verified, then the session's own credential wherever an
// access token is accepted, for as long as the session lives (past its code's and
// the JWT's expiry); a closed session's bearer, verified or not, is refused, and so
// is a disabled user's. With sessions.upgrade_pending_bearer off it stays narrow.
func TestLoginBearerBecomesTheSessions(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada := e.signup("ada@example.com", "ada")
		adaID := e.userID(ada.Bearer)
		p, code := e.login("ada@example.com")
		pnd := bearer(p.Bearer)
		wantStatus(t, e.req("GET", "/sessions", nil, pnd...), 401) // narrow before its code
		wantStatus(t, e.req("PUT", "/session/verification", map[string]string{"verificationCodeID": p.VerificationCodeID, "code": code}), 200)
		var info sessionInfo
		e.req("GET", "/session", nil, pnd...).json(t, &info)
		if !info.Verified || info.UserID != adaID || info.SessionID != p.SessionID || len(info.Roles) == 0 {
			t.Fatalf("GET /session with the login's bearer after its code: %+v", info)
		}
		wantStatus(t, e.req("GET", "/sessions", nil, pnd...), 200)
		wantStatus(t, e.req("GET", "/check", nil, pnd...), 200)
		wantStatus(t, e.req("PUT", "/session/extend", nil, pnd...), 200)
		wantStatus(t, e.req("POST", "/keypair", map[string]any{"name": "sdk", "days": 1}, pnd...), 200)
		e.smtp.CodeFor(t, "ada@example.com", 10*time.Second) // the key pair's code, unused here
		e.clock.Advance(20 * time.Minute)                    // past the code's 10 minutes and a JWT's 15
		wantStatus(t, e.req("GET", "/sessions", nil, pnd...), 200)
		wantStatus(t, e.req("DELETE", "/session/"+p.SessionID, nil, pnd...), 200)
		wantStatus(t, e.req("GET", "/session", nil, pnd...), 401)

		// A login cancelled before its code: its bearer is refused, and a decoy's the
		// same way (the cancellation is recorded for both), so refusing tells nothing
		// about the address. The code no longer completes it.
		q, qcode := e.login("ada@example.com")
		decoy := e.req("POST", "/session", map[string]string{"email": "nobody@example.com"})
		var d pendingSession
		decoy.json(t, &d)
		var refusals []string
		for _, c := range []pendingSession{q, d} {
			wantStatus(t, e.req("GET", "/session", nil, bearer(c.Bearer)...), 200)
			wantStatus(t, e.req("DELETE", "/session/"+c.SessionID, nil, bearer(c.Bearer)...), 200)
			r := e.req("GET", "/session", nil, bearer(c.Bearer)...)
			wantStatus(t, r, 401)
			refusals = append(refusals, r.Header.Get("x-error"))
			wantStatus(t, e.req("DELETE", "/session/"+c.SessionID, nil, bearer(c.Bearer)...), 401)
		}
		if refusals[0] != refusals[1] {
			t.Errorf("a cancelled login's refusal tells real from decoy: %q vs %q", refusals[0], refusals[1])
		}
		wantStatus(t, e.req("PUT", "/session/verification", map[string]string{"verificationCodeID": q.VerificationCodeID, "code": qcode}), 401)
		wantStatus(t, e.req("GET", "/sessions", nil, bearer(q.Bearer)...), 401)

		// A disabled user's bearer is refused at once.
		admin, _ := e.admin("root@example.com", "root")
		r, c := e.login("ada@example.com")
		e.verify(r.VerificationCodeID, c)
		wantStatus(t, e.req("GET", "/sessions", nil, bearer(r.Bearer)...), 200)
		wantStatus(t, e.req("PUT", "/admin/user/"+adaID+"/disable", nil, bearer(admin.Bearer)...), 200)
		if got := e.req("GET", "/session", nil, bearer(r.Bearer)...); got.Status != 401 && got.Status != 403 {
			t.Fatalf("a disabled user's bearer: %d", got.Status)
		}
	})
	t.Setenv("AUTHD_SESSIONS_UPGRADE_PENDING_BEARER", "false")
	eachBackend(t, func(t *testing.T, e *env) {
		e.signup("ada@example.com", "ada")
		p, code := e.login("ada@example.com")
		e.verify(p.VerificationCodeID, code)
		wantStatus(t, e.req("GET", "/sessions", nil, bearer(p.Bearer)...), 401)
		var info sessionInfo
		e.req("GET", "/session", nil, bearer(p.Bearer)...).json(t, &info)
		if info.Verified || info.UserID != "" {
			t.Fatalf("with the upgrade off: %+v", info)
		}
	})
}

// TestEmailVerificationWithoutCredential: as the ThreatWinds email page sends it, PUT
// /email/verification with no Authorization verifies the address for the account that
// added it (the code is the proof); a wrong code is the same 401; a credential, when
// sent, must be that account's.
func TestEmailVerificationWithoutCredential(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada := e.signup("ada@example.com", "ada")
		bob := e.signup("bob@example.com", "bob")
		r := e.req("POST", "/email", map[string]string{"address": "ada@work.example"}, bearer(ada.Bearer)...)
		wantStatus(t, r, 200)
		var out struct{ EmailID, VerificationCodeID string }
		r.json(t, &out)
		code := e.smtp.CodeFor(t, "ada@work.example", 10*time.Second)
		body := func(c string) string {
			return `{"verificationCodeID":"` + out.VerificationCodeID + `","code":` + c + `}`
		}
		wantStatus(t, e.req("PUT", "/email/verification", body(`"`+otherCode(code)+`"`), "Content-Type", "application/json"), 401)
		wantStatus(t, e.req("PUT", "/email/verification", body(`"`+code+`"`), "Content-Type", "application/json",
			"Authorization", "Bearer "+bob.Bearer), 401) // someone else's credential
		n, _ := strconv.Atoi(code)
		wantStatus(t, e.req("PUT", "/email/verification", body(strconv.Itoa(n)), "Content-Type", "application/json"), 200)
		for _, m := range e.emails(ada.Bearer).Emails {
			if m.Address == "ada@work.example" && !m.Verified {
				t.Fatal("the address is not verified")
			}
		}
	})
}

// TestThreatWindsPagesVerbatim replays the examples of the public ThreatWinds Auth
// pages (auth/user, session, email, keypair, flow in threatwinds/api-docs) as their
// curl commands send them: the same headers (accept, Content-Type, "Authorization:
// Bearer <token>", and the preferred-address page's scheme-less "Authorization:
// <token>"), the same bodies (codes as strings; the email page's table types the code as
// an integer, sent that way too), with the placeholders replaced by what the earlier
// answers returned, in the order a client reading the pages goes (a key pair is
// verified before it is checked). The bearer used throughout is the one the create
// call answered, as the flow page says.
func TestThreatWindsPagesVerbatim(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		page := func(method, path, body string, hdr ...string) response {
			t.Helper()
			h := append([]string{"accept", "application/json"}, hdr...)
			if body != "" {
				h = append(h, "Content-Type", "application/json")
				return e.req(method, path, body, h...)
			}
			return e.req(method, path, nil, h...)
		}
		ok := func(r response, want ...string) map[string]any {
			t.Helper()
			wantStatus(t, r, 200)
			var m map[string]any
			r.json(t, &m)
			for _, k := range want {
				if _, has := m[k]; !has {
					t.Errorf("no %q in %s", k, r.Body)
				}
			}
			return m
		}
		str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }

		// user.md: create user, then session.md: verify session.
		created := ok(page("POST", "/user", `{
  "email": "john@doe.net",
  "fullName": "John Doe",
  "alias": "johny"
}`), "bearer", "sessionID", "expireAt", "ip", "userAgent", "verificationCodeID")
		code := e.smtp.CodeFor(t, "john@doe.net", 10*time.Second)
		v := ok(page("PUT", "/session/verification", `{
  "verificationCodeID": "`+str(created, "verificationCodeID")+`",
  "code": "`+code+`"
}`), "message")
		if v["message"] != "acknowledged" {
			t.Fatalf("verification answer: %v", v)
		}
		auth := []string{"Authorization", "Bearer " + str(created, "bearer")}

		// session.md: check, extend, get sessions.
		s := ok(page("GET", "/session", "", auth...), "sessionID", "userID", "alias", "fullName", "expireAt", "ip", "userAgent", "verified", "roles", "groups")
		if s["verified"] != true || s["alias"] != "johny" || s["fullName"] != "John Doe" {
			t.Fatalf("check session: %v", s)
		}
		userID := str(s, "userID")
		if ok(page("PUT", "/session/extend", "", auth...), "message")["message"] != "acknowledged" {
			t.Error("extend session: no acknowledgement")
		}
		ok(page("GET", "/sessions", "", auth...), "sessions")
		ok(page("GET", "/user/id/"+userID, ""), "alias")

		// email.md: create (twice), delete one, get, verify (no Authorization; the code
		// as the table types it), set preferred (Authorization without a scheme).
		work := ok(page("POST", "/email", `{
  "address": "john@work.example"
}`, auth...), "emailID", "verificationCodeID")
		workCode := e.smtp.CodeFor(t, "john@work.example", 10*time.Second)
		spare := ok(page("POST", "/email", `{
  "address": "john@spare.example"
}`, auth...), "emailID")
		e.smtp.CodeFor(t, "john@spare.example", 10*time.Second)
		ok(page("DELETE", "/email/"+str(spare, "emailID"), "", auth...), "message")
		ok(page("GET", "/emails", "", auth...), "emails")
		n, _ := strconv.Atoi(workCode)
		ok(page("PUT", "/email/verification", `{
  "code": `+strconv.Itoa(n)+`,
  "verificationCodeID": "`+str(work, "verificationCodeID")+`"
}`), "message")
		ok(page("PUT", "/email/preferred", `{
  "emailID": "`+str(work, "emailID")+`"
}`, "Authorization", str(created, "bearer")), "message")

		// keypair.md: create, verify, check, get, delete.
		k := ok(page("POST", "/keypair", `{
  "name": "Example",
  "days": 365
}`, auth...), "apiKey", "apiSecret", "keyID", "keyName", "expireAt", "verified", "verificationCodeID")
		kcode := e.smtp.CodeFor(t, "john@work.example", 10*time.Second) // the preferred address now
		ok(page("PUT", "/keypair/verification", `{
  "verificationCodeID": "`+str(k, "verificationCodeID")+`",
  "code": "`+kcode+`"
}`, auth...), "message")
		kp := ok(page("GET", "/keypair", "", "api-key", str(k, "apiKey"), "api-secret", str(k, "apiSecret")),
			"apiKey", "keyID", "keyName", "expireAt", "verified", "userID", "userName", "userAlias", "roles", "groups")
		if kp["verified"] != true || kp["userAlias"] != "johny" {
			t.Errorf("check key pair: %v", kp)
		}
		ok(page("GET", "/keypairs", "", auth...), "keys")
		ok(page("DELETE", "/keypair/"+str(k, "keyID"), "", auth...), "message")

		// session.md: create a session (the login of a returning client), verify it,
		// then close the first one; its bearer is refused from then on.
		again := ok(page("POST", "/session", `{
  "email": "john@doe.net"
}`), "bearer", "sessionID", "verificationCodeID")
		ok(page("PUT", "/session/verification", `{
  "verificationCodeID": "`+str(again, "verificationCodeID")+`",
  "code": "`+e.smtp.CodeFor(t, "john@doe.net", 10*time.Second)+`"
}`), "message")
		ok(page("GET", "/sessions", "", "Authorization", "Bearer "+str(again, "bearer")), "sessions")
		ok(page("DELETE", "/session/"+str(created, "sessionID"), "", auth...), "message")
		wantStatus(t, page("GET", "/session", "", auth...), 401)
		ok(page("GET", "/session", "", "Authorization", "Bearer "+str(again, "bearer")), "sessionID")
	})
}

// TestLoginBearerAcrossInstances: a login verified through one instance is the
// session's bearer on the other at once (the pending row it held is dropped through
// the change feed), and a session closed on one refuses its bearer on the other
// within 2 s.
func TestLoginBearerAcrossInstances(t *testing.T) {
	eachBackend(t, func(t *testing.T, a *env) {
		b := start(t, a.cfg, a.smtp, a.clock)
		a.signup("ada@example.com", "ada")
		p, code := a.login("ada@example.com")
		pnd := bearer(p.Bearer)
		wantStatus(t, b.req("GET", "/sessions", nil, pnd...), 401) // b now holds the pending row
		wantStatus(t, a.req("PUT", "/session/verification", map[string]string{"verificationCodeID": p.VerificationCodeID, "code": code}), 200)
		within := func(what string, done func() bool) {
			t.Helper()
			start := time.Now()
			for !done() {
				if time.Since(start) > 2*time.Second {
					t.Fatalf("%s: not within 2 s", what)
				}
				time.Sleep(20 * time.Millisecond)
			}
			t.Logf("%s after %s", what, time.Since(start).Round(time.Millisecond))
		}
		within("the other instance takes the verified bearer", func() bool { return b.req("GET", "/sessions", nil, pnd...).Status == 200 })
		wantStatus(t, a.req("DELETE", "/session/"+p.SessionID, nil, pnd...), 200)
		within("the other instance refuses the closed session's bearer", func() bool { return b.req("GET", "/session", nil, pnd...).Status == 401 })

		// Logins cancelled before their code, a real one and a decoy: the other
		// instance, which held both as pending (or absent), refuses both bearers.
		q, _ := a.login("ada@example.com")
		var d pendingSession
		a.req("POST", "/session", map[string]string{"email": "nobody@example.com"}).json(t, &d)
		for _, c := range []pendingSession{q, d} {
			wantStatus(t, b.req("GET", "/session", nil, bearer(c.Bearer)...), 200)
			wantStatus(t, a.req("DELETE", "/session/"+c.SessionID, nil, bearer(c.Bearer)...), 200)
			within("the other instance refuses a cancelled login's bearer", func() bool {
				return b.req("GET", "/session", nil, bearer(c.Bearer)...).Status == 401
			})
		}
	})
}
