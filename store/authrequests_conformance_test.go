package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

func newAuthRequest(t *testing.T, s *store.Store, clientID string) *models.AuthRequest {
	t.Helper()
	r := &models.AuthRequest{ID: uuid.NewString(), ClientID: clientID, RedirectURI: "https://app.example.com/cb",
		ResponseMode: "query", Scopes: []string{"openid", "email"}, State: "st", Nonce: "n", CodeChallenge: "abc",
		CodeChallengeMethod: "S256", Prompt: []string{}, LoginHint: "", AMR: []string{}, CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute)}
	if err := s.AddAuthRequest(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r
}

// An authorization request is answered once, gets one code, and the code is redeemed
// once: of concurrent redemptions exactly one is first; every later one (even after
// the code's expiry) is told it is a replay, with the request, so its session can be
// closed. An expired code never redeemed is unknown.
func TestAuthRequestLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		app := &models.Client{ID: "authd_app_test", Name: "App", Type: models.ClientWeb, RedirectURIs: []string{"https://app.example.com/cb"},
			PostLogoutRedirectURIs: []string{}, Scopes: []string{"openid"}, GrantTypes: []string{"authorization_code"},
			IDTokenAlg: "RS256", CreatedAt: t0, UpdatedAt: t0}
		if err := s.AddClient(ctx, app, models.Effects{}); err != nil {
			t.Fatal(err)
		}
		r := newAuthRequest(t, s, app.ID)
		got, err := s.AuthRequestByID(ctx, r.ID, t0.Add(time.Minute))
		if err != nil || got.Done() || got.CodeChallenge != "abc" || len(got.Scopes) != 2 {
			t.Fatalf("stored request: %+v %v", got, err)
		}
		if _, err := s.AuthRequestByID(ctx, r.ID, r.ExpiresAt); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("an expired request: %v", err)
		}
		now := t0.Add(time.Minute)
		code := []byte("code-hash-1")
		answer := models.AuthAnswer{RequestID: r.ID, UserID: f.user.ID, SessionID: "sess-1", BrowserSessionID: "browser-1",
			AuthTime: now, AMR: []string{"otp"}, CodeHash: code, CodeExpiresAt: now.Add(time.Minute)}
		if err := s.AnswerAuthRequest(ctx, answer, now); err != nil {
			t.Fatal(err)
		}
		second := answer
		second.SessionID, second.CodeHash = "sess-2", []byte("other")
		if err := s.AnswerAuthRequest(ctx, second, now); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("a second answer: %v", err)
		}
		expired := answer
		expired.RequestID = newAuthRequest(t, s, app.ID).ID
		if err := s.AnswerAuthRequest(ctx, expired, t0.Add(time.Hour)); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("an answer to an expired request: %v", err)
		}
		if _, _, err := s.RedeemAuthCode(ctx, []byte("wrong"), now); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("an unknown code: %v", err)
		}
		firsts := make([]bool, racers)
		errs := race(racers, func(i int) error {
			got, first, err := s.RedeemAuthCode(ctx, code, now.Add(time.Second))
			if err == nil && (got.ID != r.ID || got.SessionID != "sess-1" || got.BrowserSessionID != "browser-1" || got.UserID != f.user.ID) {
				t.Errorf("racer %d got %+v", i, got)
			}
			firsts[i] = first
			return err
		})
		n := 0
		for i, err := range errs {
			if err != nil {
				t.Fatalf("racer %d: %v", i, err)
			}
			if firsts[i] {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d first redemptions of one code, want 1", n)
		}
		if got, first, err := s.RedeemAuthCode(ctx, code, now.Add(time.Hour)); err != nil || first || got.ID != r.ID {
			t.Errorf("a replay after the code's expiry: %v %v %v", got, first, err)
		}

		// A code never redeemed expires.
		r2 := newAuthRequest(t, s, app.ID)
		if err := s.AnswerAuthRequest(ctx, models.AuthAnswer{RequestID: r2.ID, UserID: f.user.ID, SessionID: "sess-3",
			AMR: []string{"otp"}, AuthTime: now, CodeHash: []byte("code-hash-2"), CodeExpiresAt: now.Add(time.Minute)}, now); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.RedeemAuthCode(ctx, []byte("code-hash-2"), now.Add(time.Minute)); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("an expired code: %v", err)
		}
		if n, err := s.PruneAuthRequests(ctx, r.ExpiresAt); err != nil || n != 3 {
			t.Errorf("pruned %d (%v), want 3", n, err)
		}
		if err := s.DeleteAuthRequest(ctx, r.ID); err != nil {
			t.Errorf("deleting a pruned request: %v", err)
		}
	})
}
