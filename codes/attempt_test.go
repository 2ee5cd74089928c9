package codes

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/limits"
	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

var _ Store = (*store.Store)(nil)

type noMail struct{}

func (noMail) SendCode(context.Context, models.CodeEmail) error { return nil }

// pendingLogin stores an account and a login awaiting a code issued by s; it returns
// the code row and the plain code.
func pendingLogin(t *testing.T, st *store.Store, s *Service, now time.Time) (*models.VerificationCode, string) {
	t.Helper()
	ctx := context.Background()
	u := models.User{ID: uuid.NewString(), Alias: "a" + uuid.NewString()[:8], FullName: "A", Enabled: true, CreatedAt: now, UpdatedAt: now}
	e := models.Email{ID: uuid.NewString(), UserID: u.ID, Address: u.Alias + "@example.com", CreatedAt: now}
	if err := st.CreateAccount(ctx, models.NewAccount{User: u, Email: e, Roles: []string{models.RoleUser}}, models.Effects{}); err != nil {
		t.Fatal(err)
	}
	sess := &models.Session{ID: uuid.NewString(), UserID: u.ID, EmailID: e.ID, Kind: models.SessionWeb, CreatedAt: now,
		ExpiresAt: now.Add(s.TTL()), LastSeenAt: now}
	c, plain, err := s.Issue(models.PurposeSession, sess.ID, models.EmailOwner{Email: e, User: u}, now, now.Add(s.TTL()))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreatePendingSession(ctx, sess, c); err != nil {
		t.Fatal(err)
	}
	return c, plain
}

func wrong(plain string) string {
	if plain == "000000" {
		return "000001"
	}
	return "000000"
}

// TestAttempt: a right code passes; wrong ones, a foreign owner and a code of another
// purpose get the one "bad code" answer, and after MaxAttempts wrong submissions the
// right code is dead too.
func TestAttempt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		clock := func() time.Time { return now }
		guard := limits.New(st, limits.Options{Pepper: []byte("codes-test-pepper-0123456789abcdef"), Now: clock})
		s := New(st, noMail{}, guard, Options{MaxAttempts: 3, Pepper: []byte("code-pepper-0123456789abcdef0123"), Now: clock})
		client := authn.Client{IP: "192.0.2.1"}
		isBad := func(err error) bool { return models.KindOf(err) == models.KindUnauthorized }

		c, plain := pendingLogin(t, st, s, now)
		if _, _, err := s.Attempt(ctx, c.ID, models.PurposeEmail, plain, "", client, now); !isBad(err) {
			t.Errorf("other purpose: %v, want bad code", err)
		}
		if _, _, err := s.Attempt(ctx, c.ID, models.PurposeSession, plain, uuid.NewString(), client, now); !isBad(err) {
			t.Errorf("someone else's code: %v, want bad code", err)
		}
		if got, u, err := s.Attempt(ctx, c.ID, models.PurposeSession, plain, c.UserID, client, now); err != nil || got.ID != c.ID || u.ID != c.UserID {
			t.Fatalf("right code: %v, %v", got, err)
		}

		c, plain = pendingLogin(t, st, s, now)
		for i := range 3 {
			if _, _, err := s.Attempt(ctx, c.ID, models.PurposeSession, wrong(plain), "", client, now); !isBad(err) {
				t.Fatalf("wrong code %d: %v, want bad code", i+1, err)
			}
		}
		if _, _, err := s.Attempt(ctx, c.ID, models.PurposeSession, plain, "", client, now); !isBad(err) {
			t.Fatalf("right code after MaxAttempts wrong ones: %v, want bad code", err)
		}
		if _, _, err := s.Attempt(ctx, uuid.NewString(), models.PurposeSession, plain, "", client, now); !isBad(err) || !errors.Is(err, models.ErrNotFound) {
			t.Errorf("unknown code: %v, want bad code", err)
		}
	})
}

// TestRunOfWrongCodesBlocksTheAccount: ten wrong codes in a row block every code of
// the account (the right one too) for a minute, answered exactly like a wrong code.
func TestRunOfWrongCodesBlocksTheAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		clock := func() time.Time { return now }
		guard := limits.New(st, limits.Options{Pepper: []byte("codes-test-pepper-0123456789abcdef"), Now: clock,
			Limits: limits.Limits{FailedCodesPerIP: 1000}})
		s := New(st, noMail{}, guard, Options{MaxAttempts: 20, Pepper: []byte("code-pepper-0123456789abcdef0123"), Now: clock})
		client := authn.Client{IP: "192.0.2.2"}
		c, plain := pendingLogin(t, st, s, now)
		for range 10 {
			if _, _, err := s.Attempt(ctx, c.ID, models.PurposeSession, wrong(plain), "", client, now); err == nil {
				t.Fatal("wrong code accepted")
			}
		}
		if _, _, err := s.Attempt(ctx, c.ID, models.PurposeSession, plain, "", client, now); models.KindOf(err) != models.KindUnauthorized {
			t.Fatalf("right code during the block: %v, want bad code", err)
		}
		now = now.Add(time.Minute + time.Second)
		if _, _, err := s.Attempt(ctx, c.ID, models.PurposeSession, plain, "", client, now); err != nil {
			t.Fatalf("right code after the block: %v", err)
		}
	})
}
