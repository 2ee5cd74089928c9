package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

type newKeyPair struct {
	APIKey             string `json:"apiKey"`
	APISecret          string `json:"apiSecret"`
	KeyID              string `json:"keyID"`
	KeyName            string `json:"keyName"`
	ExpireAt           int64  `json:"expireAt"`
	Verified           bool   `json:"verified"`
	VerificationCodeID string `json:"verificationCodeID"`
}

func keyHeaders(k newKeyPair) []string {
	return []string{"api-key", k.APIKey, "api-secret", k.APISecret}
}

// createKeyPair makes a key pair for the holder of token and verifies it with the code
// sent to preferred.
func (e *env) createKeyPair(token, preferred string, days int) newKeyPair {
	e.t.Helper()
	r := e.req("POST", "/keypair", map[string]any{"name": "ci", "days": days}, bearer(token)...)
	wantStatus(e.t, r, 200)
	var k newKeyPair
	r.json(e.t, &k)
	code := e.smtp.CodeFor(e.t, preferred, 10*time.Second)
	wantStatus(e.t, e.req("PUT", "/keypair/verification", map[string]string{"verificationCodeID": k.VerificationCodeID, "code": code}, bearer(token)...), 200)
	return k
}

func TestKeyPairs(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada := e.signup("ada@example.com", "ada")
		bob := e.signup("bob@example.com", "bob")

		r := e.req("POST", "/keypair", map[string]any{"name": "deploy", "days": 30}, bearer(ada.Bearer)...)
		wantStatus(t, r, 200)
		var k newKeyPair
		r.json(t, &k)
		if !strings.HasPrefix(k.APIKey, "authd_ak_") || !strings.HasPrefix(k.APISecret, "authd_sk_") || k.Verified ||
			k.KeyName != "deploy" || k.ExpireAt != e.clock.Now().Add(30*24*time.Hour).Unix() {
			t.Fatalf("new key pair: %+v", k)
		}
		// Unverified: refused.
		wantStatus(t, e.req("GET", "/keypair", nil, keyHeaders(k)...), 401)
		code := e.smtp.CodeFor(t, "ada@example.com", 10*time.Second)
		wantStatus(t, e.req("PUT", "/keypair/verification", map[string]string{"verificationCodeID": k.VerificationCodeID, "code": code}, bearer(bob.Bearer)...), 401)
		wantStatus(t, e.req("PUT", "/keypair/verification", map[string]string{"verificationCodeID": k.VerificationCodeID, "code": code}, bearer(ada.Bearer)...), 200)

		r = e.req("GET", "/keypair", nil, keyHeaders(k)...)
		wantStatus(t, r, 200)
		var info struct {
			KeyID, UserID, UserName, UserAlias string
			Verified                           bool
			Roles                              []string
		}
		r.json(t, &info)
		if info.KeyID != k.KeyID || !info.Verified || info.UserAlias != "ada" || info.UserName != "Ada Lovelace" || strings.Join(info.Roles, ",") != "user" {
			t.Fatalf("GET /keypair: %+v", info)
		}
		// Header names are case-insensitive.
		wantStatus(t, e.req("GET", "/keypair", nil, "Api-Key", k.APIKey, "API-SECRET", k.APISecret), 200)

		r = e.req("GET", "/keypairs", nil, bearer(ada.Bearer)...)
		wantStatus(t, r, 200)
		if strings.Contains(string(r.Body), k.APISecret) || !strings.Contains(string(r.Body), `"lastUsedAt":`+fmt.Sprint(e.clock.Now().Unix())) {
			t.Errorf("GET /keypairs: %s", r.Body)
		}
		wantStatus(t, e.req("GET", "/keypairs", nil, keyHeaders(k)...), 200)
		wantStatus(t, e.req("GET", "/emails", nil, keyHeaders(k)...), 200)

		other := e.createKeyPair(bob.Bearer, "bob@example.com", 1)
		t.Run("refused credentials", func(t *testing.T) {
			for name, hdr := range map[string][]string{
				"wrong secret":         {"api-key", k.APIKey, "api-secret", other.APISecret},
				"another key's secret": {"api-key", other.APIKey, "api-secret", k.APISecret},
				"swapped":              {"api-key", k.APISecret, "api-secret", k.APIKey},
				"unknown key":          {"api-key", "authd_ak_AAAAAAAAAAAAAAAAAAAAAA", "api-secret", k.APISecret},
				"key without secret":   {"api-key", k.APIKey},
				"non-ASCII key":        {"api-key", "authd_ak_ÄÄÄÄÄÄÄÄÄÄÄ", "api-secret", k.APISecret},
				"1 KB key":             {"api-key", strings.Repeat("a", 1024), "api-secret", k.APISecret},
			} {
				t.Run(name, func(t *testing.T) {
					r := e.req("GET", "/keypair", nil, hdr...)
					wantStatus(t, r, 401)
					assertNoLeak(t, r)
				})
			}
		})
		t.Run("a key pair cannot manage credentials", func(t *testing.T) {
			wantStatus(t, e.req("POST", "/keypair", map[string]any{"name": "x", "days": 1}, keyHeaders(k)...), 403)
			wantStatus(t, e.req("POST", "/email", map[string]string{"address": "x@example.com"}, keyHeaders(k)...), 403)
			wantStatus(t, e.req("DELETE", "/keypair/"+k.KeyID, nil, keyHeaders(k)...), 403)
			wantStatus(t, e.req("DELETE", "/user", nil, keyHeaders(k)...), 403)
			wantStatus(t, e.req("GET", "/session", nil, keyHeaders(k)...), 403)
			wantStatus(t, e.req("GET", "/keypair", nil, append(bearer(ada.Bearer), keyHeaders(k)...)...), 400)
		})
		t.Run("bad input", func(t *testing.T) {
			for _, body := range []string{`{"name":"x","days":0}`, `{"name":"x","days":-1}`, `{"name":"x","days":100000}`,
				`{"name":"x","days":1.5}`, `{"name":"x","days":"365"}`, `{"name":"x"}`, `{"name":"","days":1}`,
				`{"name":"` + strings.Repeat("n", 65) + `","days":1}`, `{"name":"x","days":1,"roles":["admin"]}`} {
				wantStatus(t, e.req("POST", "/keypair", body, bearer(ada.Bearer)...), 400)
			}
		})
		t.Run("another user's key pair is not found", func(t *testing.T) {
			wantStatus(t, e.req("DELETE", "/keypair/"+other.KeyID, nil, bearer(ada.Bearer)...), 404)
			wantStatus(t, e.req("GET", "/keypair", nil, keyHeaders(other)...), 200)
		})
		t.Run("expired", func(t *testing.T) {
			e.clock.Advance(24*time.Hour + time.Second)
			wantStatus(t, e.req("GET", "/keypair", nil, keyHeaders(other)...), 401)
		})
		t.Run("deleted: refused at once", func(t *testing.T) {
			ada := e.verifyAfterLogin("ada@example.com")                        // the first token expired with the clock
			wantStatus(t, e.req("GET", "/keypair", nil, keyHeaders(k)...), 200) // cached
			wantStatus(t, e.req("DELETE", "/keypair/"+k.KeyID, nil, bearer(ada.Bearer)...), 200)
			wantStatus(t, e.req("GET", "/keypair", nil, keyHeaders(k)...), 401)
		})
		t.Run("last use is stored", func(t *testing.T) {
			if err := e.app.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			e2 := e.restart()
			bob := e2.verifyAfterLogin("bob@example.com")
			r := e2.req("GET", "/keypairs", nil, bearer(bob.Bearer)...)
			if !strings.Contains(string(r.Body), `"lastUsedAt":1`) {
				t.Errorf("last use lost across restart: %s", r.Body)
			}
		})
	})
}

func (e *env) verifyAfterLogin(address string) verified {
	e.t.Helper()
	p, code := e.login(address)
	return e.verify(p.VerificationCodeID, code)
}

func TestMaxKeyPairs(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada := e.signup("ada@example.com", "ada")
		for i := range 20 {
			r := e.req("POST", "/keypair", map[string]any{"name": fmt.Sprint("k", i), "days": 1}, bearer(ada.Bearer)...)
			wantStatus(t, r, 200)
		}
		wantStatus(t, e.req("POST", "/keypair", map[string]any{"name": "k20", "days": 1}, bearer(ada.Bearer)...), 409)
	})
}
