package e2e

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

type sessionInfo struct {
	SessionID    string   `json:"sessionID"`
	UserID       string   `json:"userID"`
	Alias        string   `json:"alias"`
	FullName     string   `json:"fullName"`
	ExpireAt     int64    `json:"expireAt"`
	IP           string   `json:"ip"`
	UserAgent    string   `json:"userAgent"`
	Verified     bool     `json:"verified"`
	UserVerified bool     `json:"userVerified"`
	Roles        []string `json:"roles"`
	Groups       []string `json:"groups"`
}

// verifyWithJWKS checks a token the way a gateway would: fetch the served JWKS,
// parse it, and verify with the key the token names.
func (e *env) verifyWithJWKS(token string) jwt.Token {
	e.t.Helper()
	r := e.req("GET", "/jwks", nil)
	wantStatus(e.t, r, 200)
	if r.Header.Get("Cache-Control") == "" || r.Header.Get("ETag") == "" {
		e.t.Errorf("jwks headers: %v", r.Header)
	}
	set, err := jwk.Parse(r.Body)
	if err != nil {
		e.t.Fatalf("parse jwks: %v", err)
	}
	tok, err := jwt.Parse([]byte(token), jwt.WithKeySet(set), jwt.WithIssuer(e.cfg.Server.PublicURL),
		jwt.WithAudience(e.cfg.Tokens.Audience), jwt.WithClock(jwt.ClockFunc(e.clock.Now)))
	if err != nil {
		e.t.Fatalf("token does not verify against the served JWKS: %v", err)
	}
	return tok
}

func TestRegisterVerifyUseAndClose(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		p, code := e.register("Ada@Example.com ", "ada")
		if p.SessionID == "" || p.Bearer == "" || p.IP != "127.0.0.1" || p.UserAgent != "authd-e2e" ||
			p.ExpireAt != e.clock.Now().Add(10*time.Minute).Unix() {
			t.Fatalf("pending session: %+v", p)
		}
		// The pending credential shows its own session and nothing of the account.
		r := e.req("GET", "/session", nil, bearer(p.Bearer)...)
		wantStatus(t, r, 200)
		var pending sessionInfo
		r.json(t, &pending)
		if pending.Verified || pending.UserID != "" || pending.Alias != "" || pending.SessionID != p.SessionID {
			t.Errorf("pending GET /session: %+v", pending)
		}
		wantStatus(t, e.req("PUT", "/session/extend", nil, bearer(p.Bearer)...), 401)
		wantStatus(t, e.req("GET", "/sessions", nil, bearer(p.Bearer)...), 401)

		v := e.verify(p.VerificationCodeID, code)
		if v.Message != "acknowledged" || v.RefreshToken == "" || v.ExpireAt != e.clock.Now().Add(15*time.Minute).Unix() ||
			v.SessionExpireAt != e.clock.Now().Add(30*24*time.Hour).Unix() {
			t.Fatalf("verification: %+v", v)
		}
		tok := e.verifyWithJWKS(v.Bearer)
		if sid, _ := tok.Get("sid"); sid != p.SessionID {
			t.Errorf("sid claim = %v, want %s", sid, p.SessionID)
		}

		r = e.req("GET", "/session", nil, bearer(v.Bearer)...)
		wantStatus(t, r, 200)
		var info sessionInfo
		r.json(t, &info)
		if !info.Verified || info.UserVerified || info.UserID != tok.Subject() || info.Alias != "ada" ||
			info.FullName != "Ada Lovelace" || info.SessionID != p.SessionID || info.IP != "127.0.0.1" ||
			len(info.Roles) != 1 || info.Roles[0] != "user" || len(info.Groups) != 1 || info.Groups[0] != "public" {
			t.Fatalf("GET /session: %+v", info)
		}
		r = e.req("GET", "/user/id/"+info.UserID, nil)
		wantStatus(t, r, 200)
		if string(r.Body) != "{\"alias\":\"ada\"}\n" {
			t.Errorf("alias: %s", r.Body)
		}
		wantStatus(t, e.req("GET", "/user/"+info.UserID, nil), 200)

		e.clock.Advance(5 * time.Minute)
		r = e.req("PUT", "/session/extend", nil, bearer(v.Bearer)...)
		wantStatus(t, r, 200)
		var ext struct {
			Bearer   string `json:"bearer"`
			ExpireAt int64  `json:"expireAt"`
		}
		r.json(t, &ext)
		if ext.ExpireAt != e.clock.Now().Add(15*time.Minute).Unix() || ext.Bearer == v.Bearer {
			t.Errorf("extend: %+v", ext)
		}
		e.verifyWithJWKS(ext.Bearer)

		// A second login: the list shows two sessions, exactly one current.
		p2, code2 := e.login("ada@example.com")
		v2 := e.verify(p2.VerificationCodeID, code2)
		r = e.req("GET", "/sessions", nil, bearer(v2.Bearer)...)
		wantStatus(t, r, 200)
		var list struct {
			Sessions []struct {
				SessionID string `json:"sessionID"`
				Kind      string `json:"kind"`
				Current   bool   `json:"current"`
			} `json:"sessions"`
		}
		r.json(t, &list)
		current := 0
		for _, s := range list.Sessions {
			if s.Current {
				current++
				if s.SessionID != p2.SessionID {
					t.Errorf("current session = %s, want %s", s.SessionID, p2.SessionID)
				}
			}
		}
		if len(list.Sessions) != 2 || current != 1 {
			t.Fatalf("sessions: %+v", list)
		}

		// Closing the first session from the second kills the first's tokens at once.
		wantStatus(t, e.req("DELETE", "/session/"+p.SessionID, nil, bearer(v2.Bearer)...), 200)
		wantStatus(t, e.req("GET", "/session", nil, bearer(ext.Bearer)...), 401)
		wantStatus(t, e.req("PUT", "/session/extend", nil, bearer(ext.Bearer)...), 401)
		wantStatus(t, e.req("GET", "/session", nil, bearer(v2.Bearer)...), 200)
	})
}

func TestRestartKeepsTokensValid(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.signup("ada@example.com", "ada")
		jwks1 := e.req("GET", "/jwks", nil).Body
		e2 := e.restart()
		if got := e2.req("GET", "/jwks", nil).Body; string(got) != string(jwks1) {
			t.Errorf("JWKS changed across restart:\n%s\n%s", jwks1, got)
		}
		wantStatus(t, e2.req("GET", "/session", nil, bearer(v.Bearer)...), 200)
		e2.verifyWithJWKS(v.Bearer)
	})
}

func TestCodeRules(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		p, code := e.register("ada@example.com", "ada")
		wrong := wrongCode(code)
		verifyReq := func(id, c string) response {
			return e.req("PUT", "/session/verification", map[string]string{"verificationCodeID": id, "code": c})
		}
		t.Run("wrong code", func(t *testing.T) { wantStatus(t, verifyReq(p.VerificationCodeID, wrong), 401) })
		t.Run("unknown code id", func(t *testing.T) {
			wantStatus(t, verifyReq("0b5cf3a8-7a2f-4b59-9d3c-1f0e0c6a9d11", code), 401)
		})
		t.Run("right code then replay", func(t *testing.T) {
			wantStatus(t, verifyReq(p.VerificationCodeID, code), 200)
			wantStatus(t, verifyReq(p.VerificationCodeID, code), 401)
		})
		t.Run("five wrong attempts kill the code", func(t *testing.T) {
			p, code := e.login("ada@example.com")
			for range 5 {
				wantStatus(t, verifyReq(p.VerificationCodeID, wrongCode(code)), 401)
			}
			wantStatus(t, verifyReq(p.VerificationCodeID, code), 401)
		})
		t.Run("expired code", func(t *testing.T) {
			p, code := e.login("ada@example.com")
			e.clock.Advance(10*time.Minute + time.Second)
			wantStatus(t, verifyReq(p.VerificationCodeID, code), 401)
		})
		t.Run("a newer code retires the older", func(t *testing.T) {
			p1, code1 := e.login("ada@example.com")
			e.login("ada@example.com")
			wantStatus(t, verifyReq(p1.VerificationCodeID, code1), 401)
		})
		t.Run("malformed codes are 400", func(t *testing.T) {
			for _, c := range []string{"00012", "1234567", "12 345", "١٢٣٤٥٦", "１２３４５６", ""} {
				wantStatus(t, verifyReq(p.VerificationCodeID, c), 400)
			}
			// An integer is a code (TestCodesAsIntegers); a fraction is not.
			wantStatus(t, e.req("PUT", "/session/verification", `{"verificationCodeID":"`+p.VerificationCodeID+`","code":123456.5}`), 400)
			wantStatus(t, verifyReq("not-a-uuid", "123456"), 400)
			wantStatus(t, verifyReq("0B5CF3A8-7A2F-4B59-9D3C-1F0E0C6A9D11", "123456"), 400)
		})
	})
}

func wrongCode(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

func TestConcurrentVerificationActivatesOneSession(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		p, code := e.register("ada@example.com", "ada")
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			statuses = map[int]int{}
		)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := e.req("PUT", "/session/verification", map[string]string{"verificationCodeID": p.VerificationCodeID, "code": code})
				mu.Lock()
				statuses[r.Status]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if statuses[200] != 1 || statuses[401] != 7 {
			t.Fatalf("statuses = %v, want one 200 and seven 401", statuses)
		}
	})
}

func TestNoAccountEnumeration(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.signup("ada@example.com", "ada")
		before := len(e.smtp.Messages())

		// Unknown address: the same shape, a working pending credential, nothing sent.
		r := e.req("POST", "/session", map[string]string{"email": "nobody@example.com"})
		wantStatus(t, r, 200)
		var decoy pendingSession
		r.json(t, &decoy)
		if decoy.Bearer == "" || decoy.SessionID == "" || decoy.VerificationCodeID == "" {
			t.Fatalf("decoy: %+v", decoy)
		}
		wantStatus(t, e.req("GET", "/session", nil, bearer(decoy.Bearer)...), 200)
		wantStatus(t, e.req("DELETE", "/session/"+decoy.SessionID, nil, bearer(decoy.Bearer)...), 200)

		// Registering a taken address answers like a login and mails the owner.
		r = e.req("POST", "/user", map[string]string{"email": "ada@example.com", "fullName": "Mallory", "alias": "mallory"})
		wantStatus(t, r, 200)
		var again pendingSession
		r.json(t, &again)
		code := e.smtp.CodeFor(t, "ada@example.com", 10*time.Second)
		v := e.verify(again.VerificationCodeID, code)
		var info sessionInfo
		e.req("GET", "/session", nil, bearer(v.Bearer)...).json(t, &info)
		if info.Alias != "ada" || info.FullName != "Ada Lovelace" {
			t.Errorf("registration over an existing account changed it: %+v", info)
		}

		time.Sleep(200 * time.Millisecond) // let any wrongly queued mail arrive
		if n := e.smtp.Count("nobody@example.com"); n != 0 {
			t.Errorf("%d messages sent to an unknown address", n)
		}
		if got := len(e.smtp.Messages()); got != before+1 {
			t.Errorf("messages sent = %d, want %d", got, before+1)
		}
		if n := e.smtp.Count("mallory@example.com"); n != 0 {
			t.Error("mail to an address nobody registered")
		}
	})
}

func TestAliasTaken(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.register("ada@example.com", "ada")
		r := e.req("POST", "/user", map[string]string{"email": "bob@example.com", "fullName": "Bob", "alias": "ADA"})
		wantStatus(t, r, http.StatusConflict)
	})
}

func TestShutdownFlushesMail(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		wantStatus(t, e.req("POST", "/user", map[string]string{"email": "ada@example.com", "fullName": "Ada", "alias": "ada"}), 200)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := e.app.Close(ctx); err != nil {
			t.Fatalf("close: %v", err)
		}
		e.srv.Close()
		e.srv = nil
		if e.smtp.Count("ada@example.com") != 1 {
			t.Fatal("queued mail not delivered by shutdown")
		}
	})
}

// TestOtherUsersSessionIsNotFound: closing someone else's real session is a 404 (never
// 403) and leaves it open.
func TestOtherUsersSessionIsNotFound(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada := e.signup("ada@example.com", "ada")
		bob := e.signup("bob@example.com", "bob")
		adaSession := e.sessionID(ada.Bearer)
		wantStatus(t, e.req("DELETE", "/session/"+adaSession, nil, bearer(bob.Bearer)...), 404)
		wantStatus(t, e.req("GET", "/session", nil, bearer(ada.Bearer)...), 200)
		r := e.req("GET", "/sessions", nil, bearer(bob.Bearer)...)
		if strings.Contains(string(r.Body), adaSession) {
			t.Error("another user's session is listed")
		}
	})
}
