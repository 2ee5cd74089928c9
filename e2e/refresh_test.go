package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"sync"
	"testing"
	"time"
)

type refreshed struct {
	Bearer          string `json:"bearer"`
	ExpireAt        int64  `json:"expireAt"`
	RefreshToken    string `json:"refreshToken"`
	SessionExpireAt int64  `json:"sessionExpireAt"`
}

func (e *env) refresh(token string) (response, refreshed) {
	e.t.Helper()
	r := e.req("POST", "/session/refresh", map[string]string{"refreshToken": token})
	var out refreshed
	if r.Status == 200 {
		r.json(e.t, &out)
	}
	return r, out
}

// sql runs a raw statement on the test's database.
func (e *env) sql(query string, args ...any) {
	e.t.Helper()
	if err := e.app.Store.ExecRaw(context.Background(), query, args...); err != nil {
		e.t.Fatal(err)
	}
}

func TestRefreshRotation(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.signup("ada@example.com", "ada")
		r, r1 := e.refresh(v.RefreshToken)
		wantStatus(t, r, 200)
		if r1.RefreshToken == v.RefreshToken || r1.SessionExpireAt != v.SessionExpireAt || r1.ExpireAt != e.clock.Now().Add(15*time.Minute).Unix() {
			t.Fatalf("first refresh: %+v", r1)
		}
		wantStatus(t, e.req("GET", "/session", nil, bearer(r1.Bearer)...), 200)
		e.verifyWithJWKS(r1.Bearer)

		t.Run("a retry within the grace window gets the same token", func(t *testing.T) {
			e.clock.Advance(5 * time.Second)
			r, again := e.refresh(v.RefreshToken)
			wantStatus(t, r, 200)
			if again.RefreshToken != r1.RefreshToken {
				t.Errorf("retry got another refresh token")
			}
		})
		r, r2 := e.refresh(r1.RefreshToken)
		wantStatus(t, r, 200)

		t.Run("reuse after the grace window closes the session", func(t *testing.T) {
			e.clock.Advance(11 * time.Second)
			r, _ := e.refresh(r1.RefreshToken)
			wantStatus(t, r, 401)
			r, _ = e.refresh(r2.RefreshToken)
			wantStatus(t, r, 401)
			wantStatus(t, e.req("GET", "/session", nil, bearer(r2.Bearer)...), 401)
		})
	})
}

func TestRefreshReuseOfAnOlderToken(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.signup("ada@example.com", "ada")
		_, r1 := e.refresh(v.RefreshToken)
		_, r2 := e.refresh(r1.RefreshToken)
		// v's successor is no longer current: even inside the grace window this is reuse.
		r, _ := e.refresh(v.RefreshToken)
		wantStatus(t, r, 401)
		r, _ = e.refresh(r2.RefreshToken)
		wantStatus(t, r, 401)
	})
}

func TestConcurrentRefreshesDoNotRevoke(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.signup("ada@example.com", "ada")
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			tokens = map[string]int{}
			codes  = map[int]int{}
		)
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, out := e.refresh(v.RefreshToken)
				mu.Lock()
				codes[r.Status]++
				tokens[out.RefreshToken]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if codes[200] != 20 || len(tokens) != 1 {
			t.Fatalf("statuses %v, distinct refresh tokens %d; want 20 OK with one token", codes, len(tokens))
		}
		for next := range tokens {
			r, _ := e.refresh(next)
			wantStatus(t, r, 200)
		}
	})
}

func TestRefreshRefusals(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.signup("ada@example.com", "ada")
		r0, _ := e.refresh("")
		wantStatus(t, r0, 400) // a missing refresh token is a missing field
		for name, tok := range map[string]string{"garbage": "rft_garbage", "access token": v.Bearer, "pending": "pnd_x.y"} {
			t.Run(name, func(t *testing.T) {
				r, _ := e.refresh(tok)
				wantStatus(t, r, 401)
			})
		}
		wantStatus(t, e.req("POST", "/session/refresh", map[string]any{"refreshToken": v.RefreshToken, "extra": 1}), 400)
		wantStatus(t, e.req("DELETE", "/session/"+e.sessionID(v.Bearer), nil, bearer(v.Bearer)...), 200)
		r, _ := e.refresh(v.RefreshToken)
		wantStatus(t, r, 401) // after logout

		v2 := e.verifyAfterLogin("ada@example.com")
		e.clock.Advance(7*24*time.Hour + time.Second)
		r, _ = e.refresh(v2.RefreshToken)
		wantStatus(t, r, 401) // idle for longer than 7 days
	})
}

func TestAdminSessionsAreShort(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada, _ := e.admin("ada@example.com", "ada")
		if want := e.clock.Now().Add(12 * time.Hour).Unix(); ada.SessionExpireAt != want {
			t.Errorf("admin session ends at %d, want %d (12 h)", ada.SessionExpireAt, want)
		}
		e.clock.Advance(29 * time.Minute)
		r, next := e.refresh(ada.RefreshToken)
		wantStatus(t, r, 200)
		e.clock.Advance(31 * time.Minute)
		r, _ = e.refresh(next.RefreshToken)
		wantStatus(t, r, 401) // idle for more than 30 minutes
	})
}

// TestLegacyRefreshTokenSurvivesUpgrade: a session whose refresh token is of the format
// before the generation chain (32 random bytes, stored as SHA-256 of the token, as an
// older authd wrote it) refreshes once into the current format, a retry within the
// grace window gets the same successor, and its reuse later closes the session.
func TestLegacyRefreshTokenSurvivesUpgrade(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		v := e.signup("ada@example.com", "ada")
		legacy := "rft_" + base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("L", 32)))
		sum := sha256.Sum256([]byte(legacy))
		// As the migration to the current format leaves a session an older authd wrote.
		sid := e.sessionID(v.Bearer)
		e.sql(`UPDATE sessions SET refresh_hash = ?, refresh_gen = 0 WHERE id = ?`, sum[:], sid)
		e.sql(`INSERT INTO legacy_refresh_tokens (hash, session_id) VALUES (?, ?)`, sum[:], sid)
		wantStatus(t, e.req("POST", "/session/refresh", map[string]string{"refreshToken": v.RefreshToken}), 401)

		r, next := e.refresh(legacy)
		wantStatus(t, r, 200)
		if len(next.RefreshToken) != len(v.RefreshToken) || next.RefreshToken == legacy {
			t.Fatalf("legacy token not rotated into the current format: %q", next.RefreshToken)
		}
		e.clock.Advance(5 * time.Second)
		if r, again := e.refresh(legacy); r.Status != 200 || again.RefreshToken != next.RefreshToken {
			t.Fatalf("retry within grace: %d %q", r.Status, again.RefreshToken)
		}
		r, after := e.refresh(next.RefreshToken)
		wantStatus(t, r, 200)
		e.clock.Advance(11 * time.Second)
		wantStatus(t, e.req("POST", "/session/refresh", map[string]string{"refreshToken": legacy}), 401)
		r, _ = e.refresh(after.RefreshToken)
		wantStatus(t, r, 401) // the reuse closed the session
	})
}
