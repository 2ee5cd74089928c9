package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
	"github.com/google/uuid"
)

// TestLimitSessionLifetime: a session is shortened, never lengthened, records its
// change only when it changed, and a closed one is left alone.
func TestLimitSessionLifetime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		f := accountAt(t, s, "lim", now)
		sess := verifiedSession(t, s, f, now, now.Add(30*24*time.Hour))
		var fx models.Effects
		fx.Changed(models.ChangedSession, sess.ID)
		end := now.Add(12 * time.Hour)
		if err := s.LimitSessionLifetime(ctx, sess.ID, end, 1800, now, fx); err != nil {
			t.Fatal(err)
		}
		got, err := s.SessionByID(ctx, sess.ID)
		if err != nil || !got.ExpiresAt.Equal(end) || got.IdleSeconds != 1800 {
			t.Fatalf("after limiting: %+v, %v", got, err)
		}
		if err := s.LimitSessionLifetime(ctx, sess.ID, now.Add(48*time.Hour), 1800, now, fx); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("a longer end: %v, want nothing changed", err)
		}
		if got, _ = s.SessionByID(ctx, sess.ID); !got.ExpiresAt.Equal(end) {
			t.Fatalf("lengthened to %s", got.ExpiresAt)
		}
		if changes := feedChanges(t, s, now.Add(-time.Minute)); len(changes) != 1 || changes[0].Subject != sess.ID {
			t.Fatalf("change feed: %+v; want exactly one entry", changes)
		}
		if err := s.RevokeSession(ctx, sess.UserID, sess.ID, now, models.Effects{}); err != nil {
			t.Fatal(err)
		}
		if err := s.LimitSessionLifetime(ctx, sess.ID, now.Add(time.Hour), 60, now, fx); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("a closed session: %v, want not found", err)
		}
	})
}

// TestSessionIPs: the IPs of an account's verified sessions since a time, once each;
// pending logins, app sessions (their IP is the app's server) and other accounts'
// sessions are not among them.
func TestSessionIPs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		f, other := accountAt(t, s, "ips", now), accountAt(t, s, "other", now)
		old := verifiedSession(t, s, f, now.Add(-100*24*time.Hour), now.Add(time.Hour)) // too old
		if err := s.ExecRaw(ctx, "UPDATE sessions SET ip = '198.51.100.1' WHERE id = ?", old.ID); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			verifiedSession(t, s, f, now, now.Add(time.Hour))
		}
		verifiedSession(t, s, other, now, now.Add(time.Hour))
		app := models.Session{ID: uuid.NewString(), UserID: f.user.ID, Kind: models.SessionApp, IP: "198.51.100.7",
			CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastSeenAt: now, VerifiedAt: &now}
		if err := s.CreateVerifiedSession(ctx, &app, models.Effects{}); err != nil {
			t.Fatal(err)
		}
		pending := models.Session{ID: uuid.NewString(), UserID: f.user.ID, Kind: models.SessionWeb, IP: "203.0.113.1",
			CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastSeenAt: now}
		code := codeFor(f, models.PurposeSession, pending.ID, now)
		if err := s.CreatePendingSession(ctx, &pending, &code); err != nil {
			t.Fatal(err)
		}
		ips, err := s.SessionIPs(ctx, f.user.ID, now.Add(-90*24*time.Hour))
		if err != nil || len(ips) != 1 || ips[0] != "192.0.2.9" {
			t.Fatalf("SessionIPs = %v, %v; want the one verified IP once", ips, err)
		}
	})
}

// TestANewLoginCodeSupersedesTheUnusedOnes: a second pending login to the same address
// retires the first one's code (only the newest works), in the same write as its own
// session and code (one statement on Postgres); a write that fails retires nothing.
func TestANewLoginCodeSupersedesTheUnusedOnes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := accountAt(t, s, "codes", t0)
		first, firstCode := pendingSession(t, s, f, 10*time.Minute)
		second, secondCode := pendingSession(t, s, f, 10*time.Minute)
		now := t0.Add(time.Minute)
		if err := activate(t, s, f, first, firstCode, now); !errorsIsNotFound(err) {
			t.Errorf("the superseded code activated its session: %v", err)
		}
		if err := activate(t, s, f, second, secondCode, now); err != nil {
			t.Errorf("the newest code: %v", err)
		}
		// The same login stored again fails on its session's ID: had its superseding
		// happened anyway, the code stored the first time would no longer work.
		third, thirdCode := pendingSession(t, s, f, 10*time.Minute)
		again := thirdCode
		again.ID = uuid.NewString()
		if err := s.CreatePendingSession(ctx, &third, &again); err == nil {
			t.Fatal("a pending session with a taken ID was stored")
		}
		if err := activate(t, s, f, third, thirdCode, now); err != nil {
			t.Errorf("a failed write retired the unused code: %v", err)
		}
	})
}
