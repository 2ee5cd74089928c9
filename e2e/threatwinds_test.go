package e2e

import (
	"strconv"
	"strings"
	"testing"
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
		r := e.req("GET", "/verify/status", nil, bearer(bob.Bearer)...)
		wantStatus(t, r, 503)
		if ra, _ := strconv.Atoi(r.Header.Get("Retry-After")); ra < 1 || ra > 60 {
			t.Errorf("Retry-After %q, want a short wait", r.Header.Get("Retry-After"))
		}
	})
}
