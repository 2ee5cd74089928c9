package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 123456000, time.UTC)

type fixture struct {
	user  models.User
	email models.Email
}

func newAccount(t *testing.T, s *store.Store, alias, address string) fixture {
	t.Helper()
	u := models.User{ID: uuid.NewString(), Alias: alias, FullName: "Ada " + alias, Enabled: true, CreatedAt: t0, UpdatedAt: t0}
	e := models.Email{ID: uuid.NewString(), UserID: u.ID, Address: address, CreatedAt: t0}
	err := s.CreateAccount(context.Background(), models.NewAccount{
		User: u, Roles: []string{models.RoleUser}, Groups: []string{models.GroupPublic}, Email: e,
	}, models.Effects{})
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	return fixture{user: u, email: e}
}

func pendingSession(t *testing.T, s *store.Store, f fixture, codeTTL time.Duration) (models.Session, models.VerificationCode) {
	t.Helper()
	sess := models.Session{ID: uuid.NewString(), UserID: f.user.ID, EmailID: f.email.ID, Kind: models.SessionWeb,
		IP: "192.0.2.1", UserAgent: "test", CreatedAt: t0, ExpiresAt: t0.Add(codeTTL), LastSeenAt: t0}
	code := models.VerificationCode{ID: uuid.NewString(), Purpose: models.PurposeSession, SubjectID: sess.ID,
		UserID: f.user.ID, EmailID: f.email.ID, CodeHash: []byte("hash"), CreatedAt: t0, ExpiresAt: t0.Add(codeTTL)}
	if err := s.CreatePendingSession(context.Background(), &sess, &code); err != nil {
		t.Fatalf("CreatePendingSession: %v", err)
	}
	return sess, code
}

func activate(t *testing.T, s *store.Store, f fixture, sess models.Session, code models.VerificationCode, now time.Time) error {
	t.Helper()
	return s.ActivateSession(context.Background(), models.Activation{
		CodeID: code.ID, SessionID: sess.ID, UserID: f.user.ID, EmailID: f.email.ID,
		RefreshHash: []byte(uuid.NewString()), ExpiresAt: now.Add(30 * 24 * time.Hour), Now: now,
	}, models.Effects{})
}

func TestAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")

		got, err := s.Identity(ctx, f.user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.User.Alias != "ada" || !got.User.CreatedAt.Equal(t0) || utcOffset(got.User.CreatedAt) != 0 {
			t.Errorf("user round trip: got %+v", got.User)
		}
		if len(got.Roles) != 1 || got.Roles[0] != models.RoleUser || len(got.Groups) != 1 || got.Groups[0] != models.GroupPublic {
			t.Errorf("roles/groups: got %v %v", got.Roles, got.Groups)
		}
		if taken, err := s.AliasTaken(ctx, "ada"); err != nil || !taken {
			t.Errorf("AliasTaken(ada) = %v, %v; want true", taken, err)
		}
		if taken, _ := s.AliasTaken(ctx, "bob"); taken {
			t.Error("AliasTaken(bob) = true")
		}

		dup := models.User{ID: uuid.NewString(), Alias: "ada", FullName: "x", Enabled: true, CreatedAt: t0, UpdatedAt: t0}
		err = s.CreateAccount(ctx, models.NewAccount{User: dup, Email: models.Email{ID: uuid.NewString(), UserID: dup.ID, Address: "x@example.com", CreatedAt: t0}}, models.Effects{})
		if !errors.Is(err, models.ErrConflict) {
			t.Fatalf("duplicate alias: got %v, want ErrConflict", err)
		}
		// The failed registration left nothing behind.
		if owners, _ := s.EmailsByAddress(ctx, "x@example.com"); len(owners) != 0 {
			t.Errorf("partial write after conflict: %d email rows", len(owners))
		}
		if _, err := s.UserByID(ctx, uuid.NewString()); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("unknown user: got %v", err)
		}
	})
}

func TestCodeAttemptsAndActivation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		sess, code := pendingSession(t, s, f, 10*time.Minute)

		for i := 1; i <= 5; i++ {
			c, err := s.AttemptCode(ctx, code.ID, models.PurposeSession, 5, t0.Add(time.Minute))
			if err != nil || c.Attempts != i || string(c.CodeHash) != "hash" {
				t.Fatalf("attempt %d: got %+v, %v", i, c, err)
			}
		}
		if _, err := s.AttemptCode(ctx, code.ID, models.PurposeSession, 5, t0.Add(time.Minute)); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("6th attempt: got %v, want ErrNotFound", err)
		}

		sess2, code2 := pendingSession(t, s, f, 10*time.Minute)
		if _, err := s.AttemptCode(ctx, code2.ID, models.PurposeEmail, 5, t0); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("wrong purpose: got %v", err)
		}
		if _, err := s.AttemptCode(ctx, code2.ID, models.PurposeSession, 5, t0.Add(10*time.Minute)); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("expired code: got %v", err)
		}
		now := t0.Add(2 * time.Minute)
		if err := activate(t, s, f, sess2, code2, now); err != nil {
			t.Fatalf("activate: %v", err)
		}
		if err := activate(t, s, f, sess2, code2, now); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("second activation: got %v, want ErrNotFound", err)
		}
		owners, err := s.EmailsByAddress(ctx, "ada@example.com")
		if err != nil || len(owners) != 1 || !owners[0].Email.Verified || !owners[0].Email.Preferred || !owners[0].UserHasVerifiedEmail {
			t.Fatalf("email after activation: %+v, %v", owners, err)
		}
		v, err := s.SessionView(ctx, sess2.ID)
		if err != nil || v.Session.VerifiedAt == nil || !v.Session.VerifiedAt.Equal(now) || v.Alias != "ada" || !v.UserEnabled {
			t.Fatalf("SessionView: %+v, %v", v, err)
		}
		if v.Session.Active(now, time.Hour) != true {
			t.Error("session not active after activation")
		}
		// The first session's code was retired when the second was issued.
		if err := activate(t, s, f, sess, code, now); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("retired code activated: %v", err)
		}
	})
}

func TestConcurrentActivationHasOneWinner(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		f := newAccount(t, s, "ada", "ada@example.com")
		sess, code := pendingSession(t, s, f, 10*time.Minute)
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			wins int
		)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := activate(t, s, f, sess, code, t0.Add(time.Minute))
				if err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				} else if !errors.Is(err, models.ErrNotFound) {
					t.Errorf("activation: unexpected %v", err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("wins = %d, want 1", wins)
		}
	})
}

func TestSessionLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ada := newAccount(t, s, "ada", "ada@example.com")
		bob := newAccount(t, s, "bob", "bob@example.com")
		sess, code := pendingSession(t, s, ada, 10*time.Minute)
		now := t0.Add(time.Minute)
		if err := activate(t, s, ada, sess, code, now); err != nil {
			t.Fatal(err)
		}
		later := now.Add(time.Hour)
		touched, err := s.TouchSession(ctx, ada.user.ID, sess.ID, later, 2*time.Hour)
		if err != nil || !touched.LastSeenAt.Equal(later) {
			t.Fatalf("touch: %+v %v", touched, err)
		}
		if _, err := s.TouchSession(ctx, ada.user.ID, sess.ID, later.Add(2*time.Hour), time.Hour); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("touch of an idle session: got %v", err)
		}
		list, err := s.ActiveSessions(ctx, ada.user.ID, later, time.Hour)
		if err != nil || len(list) != 1 || list[0].ID != sess.ID {
			t.Fatalf("ActiveSessions: %v %v", list, err)
		}
		if err := s.RevokeSession(ctx, bob.user.ID, sess.ID, later, models.Effects{}); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("revoke by another user: got %v, want ErrNotFound", err)
		}
		if err := s.CancelLogin(ctx, sess.ID, later.Add(time.Minute), later, models.Effects{}); err != nil {
			t.Fatal(err)
		}
		if v, _ := s.SessionView(ctx, sess.ID); v.RevokedAt != nil {
			t.Errorf("cancelling the login of a verified session closed it: %+v", v.Session)
		}
		for range 2 { // idempotent
			if err := s.RevokeSession(ctx, ada.user.ID, sess.ID, later, models.Effects{}); err != nil {
				t.Fatalf("revoke: %v", err)
			}
		}
		v, _ := s.SessionView(ctx, sess.ID)
		if v.Session.RevokedAt == nil || v.Session.RefreshHash != nil || v.Session.Active(later, time.Hour) {
			t.Errorf("after revoke: %+v", v.Session)
		}
		if list, _ := s.ActiveSessions(ctx, ada.user.ID, later, time.Hour); len(list) != 0 {
			t.Errorf("revoked session still listed")
		}
	})
}

func TestSigningKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		k := models.SigningKey{ID: "kid1", Algorithm: "ES256", State: models.KeyActive, PublicJWK: "{}",
			PrivateSealed: []byte{1, 2, 3}, SealKeyID: "v1", CreatedAt: t0, ActivatedAt: &t0}
		if err := s.InsertSigningKey(ctx, &k); err != nil {
			t.Fatal(err)
		}
		if err := s.InsertSigningKey(ctx, &k); !errors.Is(err, models.ErrConflict) {
			t.Errorf("duplicate kid: got %v", err)
		}
		got, err := s.ListSigningKeys(ctx)
		if err != nil || len(got) != 1 || string(got[0].PrivateSealed) != "\x01\x02\x03" || !got[0].ActivatedAt.Equal(t0) || got[0].NotAfter != nil {
			t.Fatalf("ListSigningKeys: %+v %v", got, err)
		}
	})
}

func TestMigrationsAreIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		applied, err := s.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migrate applied %v, %v", applied, err)
		}
		st, err := s.MigrationStatuses(ctx)
		if err != nil || len(st) == 0 {
			t.Fatalf("statuses: %v %v", st, err)
		}
		for _, m := range st {
			if !m.Applied {
				t.Errorf("%s not applied", m.Name)
			}
		}
	})
}

func utcOffset(tm time.Time) int {
	_, off := tm.Zone()
	return off
}

// CancelLogin closes a pending session and remembers the cancellation until the
// bearer's end; a decoy's (no row) is remembered the same way, and SessionView shows
// both. Pruning forgets them once expired.
func TestCancelLogin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		sess, code := pendingSession(t, s, f, 10*time.Minute)
		decoy := uuid.NewString()
		if _, err := s.SessionView(ctx, decoy); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("a session that never existed: %v", err)
		}
		until := t0.Add(10 * time.Minute)
		for _, id := range []string{sess.ID, decoy, sess.ID, decoy} { // twice each: idempotent
			fx := models.Effects{}
			fx.Changed(models.ChangedSession, id)
			if err := s.CancelLogin(ctx, id, until, t0, fx); err != nil {
				t.Fatalf("cancel %s: %v", id, err)
			}
		}
		real, err := s.SessionView(ctx, sess.ID)
		if err != nil || real.RevokedAt == nil || real.CancelledUntil == nil || real.UserID != f.user.ID {
			t.Fatalf("cancelled real login: %+v %v", real, err)
		}
		dv, err := s.SessionView(ctx, decoy)
		if err != nil || dv.ID != decoy || dv.UserID != "" || dv.CancelledUntil == nil || !dv.CancelledUntil.Equal(until) {
			t.Fatalf("cancelled decoy: %+v %v", dv, err)
		}
		// A cancelled login cannot be completed with its code.
		if err := activate(t, s, f, sess, code, t0.Add(time.Minute)); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("activation of a cancelled session: got %v", err)
		}
		if n, err := s.PruneCancelledLogins(ctx, until.Add(-time.Second)); err != nil || n != 0 {
			t.Fatalf("pruned %d live cancellations (%v)", n, err)
		}
		if n, err := s.PruneCancelledLogins(ctx, until); err != nil || n != 2 {
			t.Fatalf("pruned %d expired cancellations (%v), want 2", n, err)
		}
		if _, err := s.SessionView(ctx, decoy); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("a pruned decoy cancellation: %v", err)
		}
	})
}

func TestDeleteExpiredCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		_, code := pendingSession(t, s, f, 10*time.Minute)
		if n, err := s.DeleteExpiredCodes(ctx, t0.Add(5*time.Minute)); err != nil || n != 0 {
			t.Fatalf("live code deleted: %d %v", n, err)
		}
		if n, err := s.DeleteExpiredCodes(ctx, t0.Add(11*time.Minute)); err != nil || n != 1 {
			t.Fatalf("expired code not deleted: %d %v", n, err)
		}
		if _, err := s.AttemptCode(ctx, code.ID, models.PurposeSession, 5, t0); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("deleted code still attempts: %v", err)
		}
	})
}

func TestRefreshRotationAndPruning(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		sess, code := pendingSession(t, s, f, 10*time.Minute)
		now := t0.Add(time.Minute)
		if err := activate(t, s, f, sess, code, now); err != nil {
			t.Fatal(err)
		}
		cur, _ := s.SessionByID(ctx, sess.ID)
		if cur.RefreshGen != 0 {
			t.Fatalf("a new session's refresh generation is %d", cur.RefreshGen)
		}
		// The current format: one conditional UPDATE, generation and hash compared,
		// activity judged in SQL.
		idle := 7 * 24 * time.Hour
		got, err := s.RefreshCurrent(ctx, sess.ID, 0, cur.RefreshHash, []byte("gen-1"), now, idle)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != sess.ID || got.UserID != f.user.ID || got.RefreshGen != 1 || string(got.RefreshHash) != "gen-1" ||
			got.RefreshRotatedAt == nil || !got.LastSeenAt.Equal(now) || !got.ExpiresAt.Equal(cur.ExpiresAt) {
			t.Fatalf("after rotation: %+v", got)
		}
		for name, try := range map[string]func() error{
			"the same generation again": func() error {
				_, err := s.RefreshCurrent(ctx, sess.ID, 0, cur.RefreshHash, []byte("x"), now, idle)
				return err
			},
			"the right generation, another hash": func() error {
				_, err := s.RefreshCurrent(ctx, sess.ID, 1, []byte("other"), []byte("x"), now, idle)
				return err
			},
			"idle past the default": func() error {
				_, err := s.RefreshCurrent(ctx, sess.ID, 1, []byte("gen-1"), []byte("x"), now.Add(idle+time.Second), idle)
				return err
			},
			"past its absolute end": func() error {
				_, err := s.RefreshCurrent(ctx, sess.ID, 1, []byte("gen-1"), []byte("x"), cur.ExpiresAt, 365*24*time.Hour)
				return err
			},
		} {
			if !errors.Is(try(), models.ErrNotFound) {
				t.Errorf("%s: rotated", name)
			}
		}
		if _, err := s.RefreshCurrent(ctx, sess.ID, 1, []byte("gen-1"), []byte("gen-2"), now.Add(idle-time.Second), idle); err != nil {
			t.Fatalf("within the idle timeout: %v", err)
		}
		// A session's own idle timeout (admins') wins over the default.
		if err := s.ExecRaw(ctx, "UPDATE sessions SET idle_seconds = 60 WHERE id = ?", sess.ID); err != nil {
			t.Fatal(err)
		}
		later := now.Add(idle - time.Second)
		if _, err := s.RefreshCurrent(ctx, sess.ID, 2, []byte("gen-2"), []byte("gen-3"), later.Add(61*time.Second), idle); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("idle past the session's own timeout: rotated (%v)", err)
		}
		if _, err := s.RefreshCurrent(ctx, sess.ID, 2, []byte("gen-2"), []byte("gen-3"), later.Add(59*time.Second), idle); err != nil {
			t.Errorf("within the session's own timeout: %v", err)
		}
		if err := s.RevokeSession(ctx, f.user.ID, sess.ID, now, models.Effects{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RefreshCurrent(ctx, sess.ID, 3, []byte("gen-3"), []byte("gen-4"), later.Add(time.Minute), idle); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("a closed session rotated: %v", err)
		}
		// A legacy token: rotated once into generation 1, remembered as used.
		sess2, code2 := pendingSession(t, s, f, 10*time.Minute)
		if err := activate(t, s, f, sess2, code2, now); err != nil {
			t.Fatal(err)
		}
		cur, _ = s.SessionByID(ctx, sess2.ID)
		if err := s.RotateLegacyRefresh(ctx, sess2.ID, cur.RefreshHash, []byte("next-hash"), now); err != nil {
			t.Fatal(err)
		}
		// The same old hash cannot rotate twice (compare-and-swap).
		if err := s.RotateLegacyRefresh(ctx, sess2.ID, cur.RefreshHash, []byte("other"), now); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("second rotation of one token: %v", err)
		}
		if got, _ := s.SessionByID(ctx, sess2.ID); got.RefreshGen != 1 {
			t.Fatalf("legacy rotation left generation %d", got.RefreshGen)
		}
		sess = sess2
		if u, err := s.UsedRefreshToken(ctx, cur.RefreshHash); err != nil || u.SessionID != sess.ID {
			t.Fatalf("spent token not remembered: %+v %v", u, err)
		}
		// Kept while the session lives; pruned a day after it closes.
		if n, _ := s.PruneUsedRefreshTokens(ctx, now, now.Add(-24*time.Hour)); n != 0 {
			t.Fatalf("pruned %d tokens of a live session", n)
		}
		if err := s.RevokeSession(ctx, f.user.ID, sess.ID, now, models.Effects{}); err != nil {
			t.Fatal(err)
		}
		later = now.Add(25 * time.Hour)
		if n, err := s.PruneUsedRefreshTokens(ctx, later, later.Add(-24*time.Hour)); err != nil || n != 1 {
			t.Fatalf("pruned %d (%v), want 1", n, err)
		}
	})
}

// RefreshCurrent works on a Store bound to a transaction. On SQLite it runs in the
// transaction (a statement prepared on the pool would wait forever for the one
// connection the transaction holds); on Postgres it takes a pool connection of its
// own, as it always did.
func TestRefreshCurrentInTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		sess, code := pendingSession(t, s, f, 10*time.Minute)
		now := t0.Add(time.Minute)
		if err := activate(t, s, f, sess, code, now); err != nil {
			t.Fatal(err)
		}
		cur, _ := s.SessionByID(ctx, sess.ID)
		idle := 7 * 24 * time.Hour
		err := s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
			got, err := tx.RefreshCurrent(ctx, sess.ID, 0, cur.RefreshHash, []byte("gen-1"), now, idle)
			if err != nil {
				return err
			}
			if got.RefreshGen != 1 || string(got.RefreshHash) != "gen-1" || !got.LastSeenAt.Equal(now) {
				t.Errorf("after rotation in a transaction: %+v", got)
			}
			_, err = tx.RefreshCurrent(ctx, sess.ID, 0, cur.RefreshHash, []byte("x"), now, idle)
			if !errors.Is(err, models.ErrNotFound) {
				t.Errorf("the spent generation rotated again in the transaction: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := s.SessionByID(ctx, sess.ID); got.RefreshGen != 1 {
			t.Fatalf("generation %d after the transaction committed", got.RefreshGen)
		}
	})
}
