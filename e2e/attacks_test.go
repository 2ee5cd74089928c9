package e2e

import (
	"context"
	"crypto/elliptic"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// noRedirects shows a redirect instead of following it.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// Attacks found beyond THREATS.md (issue 11); docs/SECURITY.md section H lists each
// with its test.

// TestAdminKeyPairCannotMintCredentials (H4): an admin's API key pair reads the admin
// API but cannot create sessions, key pairs, addresses or their verification; and an
// admin cannot impersonate themselves, even with a session.
func TestAdminKeyPairCannotMintCredentials(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada, _ := e.admin("ada@example.com", "ada")
		adaID := e.userID(ada.Bearer)
		bob := e.signup("bob@example.com", "bob")
		bobID := e.userID(bob.Bearer)
		k := e.createKeyPair(ada.Bearer, "ada@example.com", 30)
		pair := keyHeaders(k)

		wantStatus(t, e.req("GET", "/admin/users", nil, pair...), 200)
		wantStatus(t, e.req("POST", "/admin/user/"+adaID+"/session", map[string]string{}, pair...), 403)
		wantStatus(t, e.req("POST", "/admin/user/"+bobID+"/session", map[string]string{}, pair...), 403)
		wantStatus(t, e.req("POST", "/admin/user/"+adaID+"/keypair", map[string]any{"name": "x", "days": 365}, pair...), 403)
		wantStatus(t, e.req("POST", "/admin/user/"+adaID+"/email", map[string]string{"address": "evil@example.net"}, pair...), 403)

		r := e.req("POST", "/admin/user/"+bobID+"/keypair", map[string]any{"name": "ops", "days": 7}, bearer(ada.Bearer)...)
		wantStatus(t, r, 200)
		var made newKeyPair
		r.json(t, &made)
		wantStatus(t, e.req("PUT", "/admin/keypair/"+made.KeyID+"/verify", nil, pair...), 403)
		wantStatus(t, e.req("PUT", "/admin/keypair/"+made.KeyID+"/verify", nil, bearer(ada.Bearer)...), 200)

		wantStatus(t, e.req("POST", "/admin/user/"+adaID+"/session", map[string]string{}, bearer(ada.Bearer)...), 409)
		wantStatus(t, e.req("POST", "/admin/user/"+bobID+"/session", map[string]string{}, bearer(ada.Bearer)...), 200)
	})
}

// TestDotSegmentsAreNotRedirected (H13): a path with dot segments (plain or
// percent-encoded) or an empty segment is a 400 on every method, never a redirect that
// a client would follow with the same method to another resource.
func TestDotSegmentsAreNotRedirected(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada, _ := e.admin("ada@example.com", "ada")
		bob := e.signup("bob@example.com", "bob")
		bobID := e.userID(bob.Bearer)
		for _, method := range []string{"GET", "DELETE", "PUT", "POST"} {
			for _, path := range []string{"/admin/user/" + bobID + "/roles/%2e%2e", "/admin/user/" + bobID + "/roles/..",
				"/admin/user/" + bobID + "/./roles/admin", "/admin//user/" + bobID} {
				req, err := http.NewRequest(method, e.srv.URL+e.prefix+path, nil)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+ada.Bearer)
				r, err := noRedirects.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				r.Body.Close()
				if r.StatusCode != 400 || r.Header.Get("Location") != "" {
					t.Errorf("%s %s: %d (Location %q), want 400 and no redirect", method, path, r.StatusCode, r.Header.Get("Location"))
				}
			}
		}
		wantStatus(t, e.req("GET", "/admin/user/"+bobID, nil, bearer(ada.Bearer)...), 200) // bob is still there
	})
}

// TestMetricsOffThePublicListener (H14): by default /metrics is not on the public
// listener but on one of its own (metrics.addr, loopback), which serves nothing else.
func TestMetricsOffThePublicListener(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		if r, err := http.Get(e.srv.URL + "/metrics"); err != nil || r.StatusCode != 404 {
			t.Fatalf("public /metrics: %v %v, want 404", r, err)
		} else {
			r.Body.Close()
		}
		addr, own := e.app.MetricsListener()
		if !own || addr != "127.0.0.1:9100" {
			t.Fatalf("default metrics listener: %q %v", addr, own)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- e.app.ServeMetrics(ctx, ln) }()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("metrics listener: %v", err)
			}
		}()
		get := func(path string) (int, string) {
			r, err := http.Get("http://" + ln.Addr().String() + path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Body.Close()
			b, _ := io.ReadAll(r.Body)
			return r.StatusCode, string(b)
		}
		if code, body := get("/metrics"); code != 200 || !strings.Contains(body, "authd_http_requests_total") {
			t.Fatalf("own listener /metrics: %d %.200s", code, body)
		}
		if code, _ := get(e.prefix + "/jwks"); code != 404 {
			t.Errorf("the metrics listener serves the API: %d", code)
		}
	})
}

// TestIPv6RotationIsOneClient (H6): a client rotating addresses inside its /64 (seen
// through a trusted proxy) hits the per-IP code-send limit and the per-IP request
// limit as one client.
func TestIPv6RotationIsOneClient(t *testing.T) {
	t.Setenv("AUTHD_SERVER_TRUSTED_PROXIES", "127.0.0.1/32")
	eachBackend(t, func(t *testing.T, e *env) {
		from := func(i int) []string { return []string{"X-Forwarded-For", fmt.Sprintf("2001:db8:77:1:%x::%x", i, i)} }
		for i := range 30 {
			wantStatus(t, e.req("POST", "/session", map[string]string{"email": fmt.Sprintf("u%d@example.com", i)}, from(i)...), 200)
		}
		wantRetryAfter(t, e.req("POST", "/session", map[string]string{"email": "last@example.com"}, from(99)...), 1, 300)
		wantStatus(t, e.req("POST", "/session", map[string]string{"email": "other@example.com"},
			"X-Forwarded-For", "2001:db8:77:2::1"), 200)
	})
	t.Setenv("AUTHD_LIMITS_REQUESTS_PER_IP_MINUTE", "20")
	eachBackend(t, func(t *testing.T, e *env) {
		refused := 0
		for i := range 40 {
			r := e.req("GET", "/user/id/"+uuid.NewString(), nil, "X-Forwarded-For", fmt.Sprintf("2001:db8:88:1::%x", i))
			if r.Status == 429 {
				refused++
			}
		}
		if refused == 0 {
			t.Fatal("40 requests from one /64 at 20 a minute: none refused")
		}
	})
}

// TestAddingAnAddressRevealsNoAccount (H15): POST /email answers alike for a free
// address and for one verified on another account: same status, same shape, a code
// sent to the address either way, the row listed unverified either way.
func TestAddingAnAddressRevealsNoAccount(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.signup("bob@example.com", "bob")
		mallory := e.signup("mallory@example.com", "mallory")
		shape := func(address string) string {
			r := e.req("POST", "/email", map[string]string{"address": address}, bearer(mallory.Bearer)...)
			var out map[string]any
			r.json(t, &out)
			keys := make([]string, 0, len(out))
			for k := range out {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			e.smtp.CodeFor(t, address, 5*time.Second) // a code went to the address
			return fmt.Sprint(r.Status, keys)
		}
		taken, free := shape("bob@example.com"), shape("nobody@example.com")
		if taken != free {
			t.Fatalf("taken address answered %s, free one %s", taken, free)
		}
		for _, m := range e.emails(mallory.Bearer).Emails {
			if m.Address != "mallory@example.com" && m.Verified {
				t.Errorf("%s verified without its code", m.Address)
			}
		}
	})
}

// TestFloodCannotLockTheOwnerOut (H5): code requests for a victim's address from many
// networks, and runs of wrong codes against the logins they start, leave the victim,
// from a network their account logged in from before, with a working code.
func TestFloodCannotLockTheOwnerOut(t *testing.T) {
	t.Setenv("AUTHD_SERVER_TRUSTED_PROXIES", "127.0.0.1/32")
	eachBackend(t, func(t *testing.T, e *env) {
		home := []string{"X-Forwarded-For", "198.51.100.20"}
		p, code := e.register("victim@example.com", "victim")
		wantStatus(t, e.req("PUT", "/session/verification", map[string]string{"verificationCodeID": p.VerificationCodeID, "code": code}, home...), 200)
		// The registration came from 127.0.0.1's view of home: log in once from home.
		r := e.req("POST", "/session", map[string]string{"email": "victim@example.com"}, home...)
		wantStatus(t, r, 200)
		var first pendingSession
		r.json(t, &first)
		wantStatus(t, e.req("PUT", "/session/verification", map[string]string{"verificationCodeID": first.VerificationCodeID,
			"code": e.smtp.CodeFor(t, "victim@example.com", 10*time.Second)}, home...), 200)

		// The attacker: 8 networks, 5 requests each, and wrong codes for every login.
		sent, refused := 2, 0
		for n := range 8 {
			from := []string{"X-Forwarded-For", fmt.Sprintf("203.0.113.%d", n+1)}
			for range 5 {
				r := e.req("POST", "/session", map[string]string{"email": "victim@example.com"}, from...)
				if r.Status == 429 {
					refused++
					continue
				}
				sent++
				var att pendingSession
				r.json(t, &att)
				for range 5 {
					e.req("PUT", "/session/verification", map[string]string{"verificationCodeID": att.VerificationCodeID, "code": "000000"}, from...)
				}
			}
		}
		if refused == 0 {
			t.Fatal("40 requests from 8 networks: the per-address cap never held")
		}
		// The victim, from home, still gets a code and it works. The attacker's mails
		// have all arrived first, so the newest is the victim's (two mail workers may
		// deliver queued messages in either order).
		e.smtp.LatestCodeFor(t, "victim@example.com", sent, 10*time.Second)
		r = e.req("POST", "/session", map[string]string{"email": "victim@example.com"}, home...)
		wantStatus(t, r, 200)
		var mine pendingSession
		r.json(t, &mine)
		got := e.smtp.LatestCodeFor(t, "victim@example.com", sent+1, 10*time.Second)
		wantStatus(t, e.req("PUT", "/session/verification", map[string]string{"verificationCodeID": mine.VerificationCodeID, "code": got}, home...), 200)
	})
}

// TestRegistrationsCannotSquat (H11): a registration nobody verifies does not keep its
// alias (it expires), and whoever proves the address names the account, not whoever
// registered it first.
func TestRegistrationsCannotSquat(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		// Mallory registers the victim's address first, with her own name and alias.
		wantStatus(t, e.req("POST", "/user", map[string]string{"email": "victim@example.com", "fullName": "Mallory", "alias": "mallory"}), 200)
		// Her code's mail is delivered before the victim registers: two mail workers
		// may deliver two queued messages in either order, and the newest to arrive
		// must be the victim's.
		e.smtp.LatestCodeFor(t, "victim@example.com", 1, 10*time.Second)
		p, _ := e.register("victim@example.com", "victoria") // the victim, later
		code := e.smtp.LatestCodeFor(t, "victim@example.com", 2, 10*time.Second)
		v := e.verify(p.VerificationCodeID, code)
		var info sessionInfo
		e.req("GET", "/session", nil, bearer(v.Bearer)...).json(t, &info)
		if info.Alias != "victoria" || info.FullName == "Mallory" {
			t.Fatalf("the victim's account: alias %q name %q; want their own", info.Alias, info.FullName)
		}
		wantStatus(t, e.req("GET", "/user/id/"+info.UserID, nil), 200)

		// A squatted alias on a registration nobody verifies is freed after a day.
		wantStatus(t, e.req("POST", "/user", map[string]string{"email": "nobody@example.com", "fullName": "S", "alias": "wanted"}), 200)
		wantStatus(t, e.req("POST", "/user", map[string]string{"email": "real@example.com", "fullName": "R", "alias": "wanted"}), 409)
		e.clock.Advance(25 * time.Hour)
		if n, err := e.app.Directory.ExpireRegistrations(context.Background()); err != nil || n != 1 {
			t.Fatalf("expired registrations: %d, %v; want 1", n, err)
		}
		wantStatus(t, e.req("POST", "/user", map[string]string{"email": "real@example.com", "fullName": "R", "alias": "wanted"}), 200)
		if got, err := e.app.Store.Identity(context.Background(), info.UserID); err != nil || got.User.Alias != "victoria" {
			t.Fatalf("a verified account was expired: %v %v", got, err)
		}
	})
}

// TestStolenKeyTokensAndSecondSpellings (H3): a token signed with authd's own key but
// living longer than the server's access lifetime, and any second spelling of a real
// token (high-S ECDSA, base64 padding, stray bits, a line break), are refused by the
// session API, forward auth and the gateways' verifier; the real token passes.
func TestStolenKeyTokensAndSecondSpellings(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.signup("ada@example.com", "ada")
		parts, hdr, claims := splitToken(v.Bearer)
		sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
		highS := append([]byte(nil), sig...)
		n := elliptic.P256().Params().N
		new(big.Int).Sub(n, new(big.Int).SetBytes(sig[32:])).FillBytes(highS[32:]) // the same signature, s flipped
		now := e.clock.Now()
		gw := e.gatewayVerifier(t, time.Second)
		cases := map[string]string{
			"ten-year token": e.signWithServerKey(t, hdr, withKV(claims, "exp", now.Add(10*365*24*time.Hour).Unix())),
			"one-hour token": e.signWithServerKey(t, hdr, withKV(claims, "exp", now.Add(time.Hour+time.Minute).Unix())),
			"no iat":         e.signWithServerKey(t, hdr, withKV(claims, "iat", nil)),
			"high-S":         parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(highS),
			"padded":         parts[0] + "." + parts[1] + "=." + parts[2],
			"padded sig":     parts[0] + "." + parts[1] + "." + base64.URLEncoding.EncodeToString(sig),
			"line break":     parts[0] + "." + parts[1][:4] + "\n" + parts[1][4:] + "." + parts[2],
		}
		if std := strings.NewReplacer("-", "+", "_", "/").Replace(v.Bearer); std != v.Bearer {
			cases["standard base64"] = std // only when the token has a character the alphabets spell apart
		}
		for name, tok := range cases {
			if tok == v.Bearer {
				t.Fatalf("%s: not a second spelling", name)
			}
			if _, err := e.app.Tokens.VerifyAccess(tok); err == nil {
				t.Errorf("%s: authd's issuer accepted it", name)
			}
			if strings.ContainsAny(tok, "\r\n") { // no HTTP header carries it
				if _, err := gw.Verify(context.Background(), tok); err == nil {
					t.Errorf("%s: the verifier accepted it", name)
				}
				continue
			}
			if r := e.req("GET", "/session", nil, "Authorization", "Bearer "+tok); r.Status != 401 {
				t.Errorf("%s: GET /session %d, want 401", name, r.Status)
			}
			if r := e.req("GET", "/check", nil, "Authorization", "Bearer "+tok); r.Status != 401 {
				t.Errorf("%s: GET /check %d, want 401", name, r.Status)
			}
			if _, err := gw.Verify(context.Background(), tok); err == nil {
				t.Errorf("%s: the verifier accepted it", name)
			}
		}
		wantStatus(t, e.req("GET", "/session", nil, bearer(v.Bearer)...), 200)
		if _, err := gw.Verify(context.Background(), v.Bearer); err != nil {
			t.Fatalf("the real token: %v", err)
		}
	})
}
