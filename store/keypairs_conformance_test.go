package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

func TestAddKeyPairStoresUnverifiedPairCodeAndEffects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		at := t0.Add(time.Minute)
		k, c := keyPairOf(f, at)
		p := newProbe()
		if err := s.AddKeyPair(ctx, &k, &c, 5, p.fx); err != nil {
			t.Fatalf("AddKeyPair: %v", err)
		}
		wantRecorded(t, s, p, at, recordedAll)

		got, err := s.KeyPairByID(ctx, k.ID)
		if err != nil {
			t.Fatalf("KeyPairByID: %v", err)
		}
		if got.Verified || got.VerifiedAt != nil || got.LastUsedAt != nil || got.APIKey != k.APIKey ||
			string(got.SecretHash) != "secret-hash" || got.UserID != f.user.ID || got.Name != "ci" {
			t.Errorf("stored pair: got %+v, want an unverified copy of %+v", got, k)
		}
		if !got.CreatedAt.Equal(at) || !got.ExpiresAt.Equal(k.ExpiresAt) || utcOffset(got.CreatedAt) != 0 {
			t.Errorf("pair times: got %v / %v, want %v / %v", got.CreatedAt, got.ExpiresAt, at, k.ExpiresAt)
		}
		code, err := s.CodeByID(ctx, c.ID)
		if err != nil {
			t.Fatalf("CodeByID: %v", err)
		}
		if code.SubjectID != k.ID || code.Purpose != models.PurposeKeyPair || code.UsedAt != nil || !code.ExpiresAt.Equal(c.ExpiresAt) {
			t.Errorf("stored code: got %+v, want %+v", code, c)
		}

		// Admins add pairs without a code.
		k2, _ := keyPairOf(f, at)
		if err := s.AddKeyPair(ctx, &k2, nil, 5, models.Effects{}); err != nil {
			t.Fatalf("AddKeyPair without a code: %v", err)
		}
		if _, err := s.KeyPairByID(ctx, k2.ID); err != nil {
			t.Errorf("pair added without a code: %v", err)
		}
	})
}

func TestAddKeyPairAtLimitIsErrLimitAndWritesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ada := newAccount(t, s, "ada", "ada@example.com")
		bob := newAccount(t, s, "bob", "bob@example.com")
		for range 2 {
			k, c := keyPairOf(ada, t0)
			if err := s.AddKeyPair(ctx, &k, &c, 2, models.Effects{}); err != nil {
				t.Fatalf("under the limit: %v", err)
			}
		}
		k, c := keyPairOf(ada, t0)
		p := newProbe()
		wantErr(t, "third pair at max 2", s.AddKeyPair(ctx, &k, &c, 2, p.fx), models.ErrLimit)
		wantRecorded(t, s, p, t0, recordedNone)
		if _, err := s.KeyPairByID(ctx, k.ID); !errorsIsNotFound(err) {
			t.Errorf("pair over the limit stored: %v", err)
		}
		if _, err := s.CodeByID(ctx, c.ID); !errorsIsNotFound(err) {
			t.Errorf("code of a refused pair stored: %v", err)
		}
		// The limit is per user.
		kb, cb := keyPairOf(bob, t0)
		wantErr(t, "another user's first pair", s.AddKeyPair(ctx, &kb, &cb, 2, models.Effects{}), nil)
	})
}

func TestVerifyKeyPairCode(t *testing.T) {
	now := t0.Add(2 * time.Minute)
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, s *store.Store, k models.KeyPair, c models.VerificationCode)
		at      time.Time
		want    error
	}{
		{name: "live code verifies its pair", at: now},
		{name: "spent code is not found", at: now, want: models.ErrNotFound,
			prepare: func(t *testing.T, s *store.Store, _ models.KeyPair, c models.VerificationCode) {
				if err := s.VerifyKeyPairCode(context.Background(), &c, t0.Add(time.Minute)); err != nil {
					t.Fatalf("first spend: %v", err)
				}
			}},
		{name: "expired code is not found", at: t0.Add(10 * time.Minute), want: models.ErrNotFound},
		{name: "pair verified meanwhile is not found and the code stays unspent", at: now, want: models.ErrNotFound,
			prepare: func(t *testing.T, s *store.Store, k models.KeyPair, _ models.VerificationCode) {
				if err := s.SetKeyPairVerified(context.Background(), k.ID, t0.Add(time.Minute)); err != nil {
					t.Fatalf("SetKeyPairVerified: %v", err)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				f := newAccount(t, s, "ada", "ada@example.com")
				k, c := addKeyPair(t, s, f, t0)
				if tc.prepare != nil {
					tc.prepare(t, s, k, c)
				}
				before, _ := s.CodeByID(ctx, c.ID)
				err := s.VerifyKeyPairCode(ctx, &c, tc.at)
				wantErr(t, "VerifyKeyPairCode", err, tc.want)
				got, _ := s.KeyPairByID(ctx, k.ID)
				code, _ := s.CodeByID(ctx, c.ID)
				wantCodeOutcome(t, tc.want != nil, *before, *code, got.Verified, got.VerifiedAt, now)
			})
		})
	}
}

func TestKeyPairByAPIKeyReturnsPairWithOwnerIdentity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		k, _ := addKeyPair(t, s, f, t0)
		if err := s.GrantRole(ctx, f.user.ID, models.RolePartner, t0, models.Effects{}); err != nil {
			t.Fatal(err)
		}
		got, err := s.KeyPairByAPIKey(ctx, k.APIKey)
		if err != nil {
			t.Fatalf("KeyPairByAPIKey: %v", err)
		}
		if got.KeyPair.ID != k.ID || got.Identity.User.ID != f.user.ID || !got.Identity.User.Enabled {
			t.Errorf("got pair %s of %s (enabled %v), want %s of %s", got.KeyPair.ID, got.Identity.User.ID,
				got.Identity.User.Enabled, k.ID, f.user.ID)
		}
		if want := []string{models.RolePartner, models.RoleUser}; !slices.Equal(got.Identity.Roles, want) {
			t.Errorf("roles: got %v, want %v", got.Identity.Roles, want)
		}
		if want := []string{models.GroupPublic}; !slices.Equal(got.Identity.Groups, want) {
			t.Errorf("groups: got %v, want %v", got.Identity.Groups, want)
		}
		// The owner's state is read fresh: a disabled owner shows as disabled.
		if err := s.SetUserEnabled(ctx, f.user.ID, false, t0, models.Effects{}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.KeyPairByAPIKey(ctx, k.APIKey); err != nil || got.Identity.User.Enabled {
			t.Errorf("disabled owner: got %+v, %v; want Enabled false", got, err)
		}
		if _, err := s.KeyPairByAPIKey(ctx, "ak_unknown"); !errorsIsNotFound(err) {
			t.Errorf("unknown API key: got %v, want ErrNotFound", err)
		}
		if _, err := s.KeyPairByID(ctx, uuid.NewString()); !errorsIsNotFound(err) {
			t.Errorf("unknown pair ID: got %v, want ErrNotFound", err)
		}
	})
}

func TestKeyPairListingsOrderPageAndCount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ada := newAccount(t, s, "ada", "ada@example.com")
		bob := newAccount(t, s, "bob", "bob@example.com")
		var adas []string
		for i := range 3 { // inserted newest first, so order comes from created_at
			k, _ := addKeyPair(t, s, ada, t0.Add(time.Duration(3-i)*time.Minute))
			adas = append([]string{k.ID}, adas...)
		}
		kb, _ := addKeyPair(t, s, bob, t0.Add(10*time.Minute))
		pairID := func(k models.KeyPair) string { return k.ID }

		oldest, err := s.KeyPairsOfUser(ctx, ada.user.ID)
		if got := idsOf(oldest, pairID); err != nil || !slices.Equal(got, adas) {
			t.Errorf("KeyPairsOfUser oldest first: got %v, %v; want %v", got, err, adas)
		}
		if none, err := s.KeyPairsOfUser(ctx, uuid.NewString()); err != nil || len(none) != 0 {
			t.Errorf("KeyPairsOfUser of nobody: got %v, %v", none, err)
		}
		for _, tc := range []struct {
			name          string
			user          string
			limit, offset int
			want          []string
			total         int
		}{
			{"everyone's first page, newest first", "", 2, 0, []string{kb.ID, adas[2]}, 4},
			{"everyone's last page", "", 2, 2, []string{adas[1], adas[0]}, 4},
			{"one user's pairs", ada.user.ID, 10, 0, []string{adas[2], adas[1], adas[0]}, 3},
			{"one user's page past the first", ada.user.ID, 1, 1, []string{adas[1]}, 3},
			{"past the end", bob.user.ID, 10, 5, []string{}, 1},
		} {
			rows, total, err := s.KeyPairs(ctx, tc.user, tc.limit, tc.offset)
			if got := idsOf(rows, pairID); err != nil || !slices.Equal(got, tc.want) || total != tc.total {
				t.Errorf("%s: got %v total %d (%v), want %v total %d", tc.name, got, total, err, tc.want, tc.total)
			}
		}
	})
}

func TestSetKeyPairVerifiedWithoutCodeKeepsFirstTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		k, _ := addKeyPair(t, s, f, t0)
		first := t0.Add(time.Minute)
		for _, at := range []time.Time{first, first.Add(time.Hour)} {
			if err := s.SetKeyPairVerified(ctx, k.ID, at); err != nil {
				t.Fatalf("SetKeyPairVerified at %v: %v", at, err)
			}
		}
		got, _ := s.KeyPairByID(ctx, k.ID)
		if !got.Verified || got.VerifiedAt == nil || !got.VerifiedAt.Equal(first) {
			t.Errorf("got verified=%v at %v, want true at %v", got.Verified, got.VerifiedAt, first)
		}
		wantErr(t, "unknown pair", s.SetKeyPairVerified(ctx, uuid.NewString(), first), models.ErrNotFound)
	})
}

func TestRecordKeyPairUseNeverMovesBackwards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		a, _ := addKeyPair(t, s, f, t0)
		b, _ := addKeyPair(t, s, f, t0)
		t1, t2 := t0.Add(time.Hour), t0.Add(2*time.Hour)
		steps := []struct {
			used  map[string]time.Time
			wantA time.Time
			wantB *time.Time
		}{
			{map[string]time.Time{a.ID: t1, uuid.NewString(): t1}, t1, nil}, // an unknown ID is ignored
			{map[string]time.Time{a.ID: t0, b.ID: t2}, t1, &t2},             // older than stored: kept
			{map[string]time.Time{a.ID: t2}, t2, &t2},
		}
		for i, st := range steps {
			if err := s.RecordKeyPairUse(ctx, st.used); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			ga, _ := s.KeyPairByID(ctx, a.ID)
			gb, _ := s.KeyPairByID(ctx, b.ID)
			if ga.LastUsedAt == nil || !ga.LastUsedAt.Equal(st.wantA) {
				t.Errorf("step %d: a last used %v, want %v", i, ga.LastUsedAt, st.wantA)
			}
			if (gb.LastUsedAt == nil) != (st.wantB == nil) || st.wantB != nil && !gb.LastUsedAt.Equal(*st.wantB) {
				t.Errorf("step %d: b last used %v, want %v", i, gb.LastUsedAt, st.wantB)
			}
		}
	})
}

func TestDeleteKeyPair(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ada := newAccount(t, s, "ada", "ada@example.com")
		bob := newAccount(t, s, "bob", "bob@example.com")
		k, _ := addKeyPair(t, s, ada, t0)
		now := t0.Add(time.Hour)
		for _, tc := range []struct {
			name     string
			user, id string
			want     error
		}{
			{"another user's pair is not found", bob.user.ID, k.ID, models.ErrNotFound},
			{"an unknown pair is not found", ada.user.ID, uuid.NewString(), models.ErrNotFound},
			{"the owner deletes it", ada.user.ID, k.ID, nil},
			{"a deleted pair is not found", ada.user.ID, k.ID, models.ErrNotFound},
		} {
			p := newProbe()
			got, err := s.DeleteKeyPair(ctx, tc.user, tc.id, now, p.fx)
			wantErr(t, tc.name, err, tc.want)
			if tc.want != nil {
				wantRecorded(t, s, p, now, recordedNone)
				continue
			}
			wantRecorded(t, s, p, now, recordedAll)
			if got == nil || got.ID != k.ID || got.APIKey != k.APIKey || !got.CreatedAt.Equal(k.CreatedAt) {
				t.Errorf("%s: returned %+v, want the deleted pair %s", tc.name, got, k.ID)
			}
			if _, err := s.KeyPairByID(ctx, k.ID); !errorsIsNotFound(err) {
				t.Errorf("%s: pair still readable (%v)", tc.name, err)
			}
		}
	})
}

func TestCodeByIDSpendsNoAttempt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		_, c := addKeyPair(t, s, f, t0)
		for range 3 {
			got, err := s.CodeByID(ctx, c.ID)
			if err != nil || got.Attempts != 0 || got.UserID != f.user.ID || string(got.CodeHash) != string(c.CodeHash) ||
				!got.CreatedAt.Equal(t0) {
				t.Fatalf("CodeByID: got %+v, %v; want %+v with no attempt", got, err, c)
			}
		}
		if _, err := s.CodeByID(ctx, uuid.NewString()); !errorsIsNotFound(err) {
			t.Errorf("unknown code: got %v, want ErrNotFound", err)
		}
	})
}
