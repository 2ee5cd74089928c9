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

func emailID(e models.Email) string { return e.ID }

func TestEmailReadsRoundTripOldestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ada := newAccount(t, s, "ada", "ada@example.com")
		bob := newAccount(t, s, "bob", "bob@example.com")
		late, _ := addEmail(t, s, ada, "late@example.com", t0.Add(2*time.Minute))
		early, _ := addEmail(t, s, ada, "early@example.com", t0.Add(time.Minute))
		wantAda := []string{ada.email.ID, early.ID, late.ID}

		got, err := s.EmailByID(ctx, early.ID)
		if err != nil || got.Address != "early@example.com" || got.UserID != ada.user.ID || got.Verified || got.Preferred ||
			got.VerifiedAt != nil || !got.CreatedAt.Equal(early.CreatedAt) || utcOffset(got.CreatedAt) != 0 {
			t.Errorf("EmailByID: got %+v, %v; want %+v", got, err, early)
		}
		if _, err := s.EmailByID(ctx, uuid.NewString()); !errorsIsNotFound(err) {
			t.Errorf("unknown email: got %v, want ErrNotFound", err)
		}
		list, err := s.EmailsOfUser(ctx, ada.user.ID)
		if got := idsOf(list, emailID); err != nil || !slices.Equal(got, wantAda) {
			t.Errorf("EmailsOfUser: got %v, %v; want %v", got, err, wantAda)
		}

		nobody := uuid.NewString()
		byUser, err := s.EmailsOfUsers(ctx, []string{ada.user.ID, bob.user.ID, nobody})
		if err != nil {
			t.Fatalf("EmailsOfUsers: %v", err)
		}
		if got := idsOf(byUser[ada.user.ID], emailID); !slices.Equal(got, wantAda) {
			t.Errorf("EmailsOfUsers[ada]: got %v, want %v", got, wantAda)
		}
		if got := idsOf(byUser[bob.user.ID], emailID); !slices.Equal(got, []string{bob.email.ID}) {
			t.Errorf("EmailsOfUsers[bob]: got %v, want [%s]", got, bob.email.ID)
		}
		if _, ok := byUser[nobody]; ok || len(byUser) != 2 {
			t.Errorf("EmailsOfUsers: got %d users (unknown present: %v), want 2", len(byUser), ok)
		}
		if empty, err := s.EmailsOfUsers(ctx, nil); err != nil || empty == nil || len(empty) != 0 {
			t.Errorf("EmailsOfUsers(nil): got %v, %v; want an empty map", empty, err)
		}
	})
}

func TestSetEmailVerifiedMakesFirstVerifiedPreferred(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ada := newAccount(t, s, "ada", "ada@example.com")
		bob := newAccount(t, s, "bob", "bob@example.com")
		second, _ := addEmail(t, s, ada, "second@example.com", t0)
		if _, err := s.PreferredEmail(ctx, ada.user.ID); !errorsIsNotFound(err) {
			t.Errorf("PreferredEmail before any verification: got %v, want ErrNotFound", err)
		}
		now := t0.Add(time.Minute)
		wantErr(t, "first address", s.SetEmailVerified(ctx, ada.user.ID, ada.email.ID, now), nil)
		wantErr(t, "second address", s.SetEmailVerified(ctx, ada.user.ID, second.ID, now.Add(time.Minute)), nil)
		for _, tc := range []struct {
			id        string
			preferred bool
			at        time.Time
		}{{ada.email.ID, true, now}, {second.ID, false, now.Add(time.Minute)}} {
			e, _ := s.EmailByID(ctx, tc.id)
			if !e.Verified || e.Preferred != tc.preferred || e.VerifiedAt == nil || !e.VerifiedAt.Equal(tc.at) {
				t.Errorf("%s: got verified=%v preferred=%v at %v, want true %v %v", e.Address, e.Verified, e.Preferred, e.VerifiedAt, tc.preferred, tc.at)
			}
		}
		if p, err := s.PreferredEmail(ctx, ada.user.ID); err != nil || p.ID != ada.email.ID {
			t.Errorf("PreferredEmail: got %+v, %v; want %s", p, err, ada.email.ID)
		}

		wantErr(t, "another user's address", s.SetEmailVerified(ctx, bob.user.ID, second.ID, now), models.ErrNotFound)
		taken, _ := addEmail(t, s, bob, "ada@example.com", t0)
		wantErr(t, "address verified on another account", s.SetEmailVerified(ctx, bob.user.ID, taken.ID, now), models.ErrConflict)
		if e, _ := s.EmailByID(ctx, taken.ID); e.Verified || e.Preferred {
			t.Errorf("conflicting address changed: %+v", e)
		}
	})
}

func TestSetPreferredEmail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ada := newAccount(t, s, "ada", "ada@example.com")
		bob := newAccount(t, s, "bob", "bob@example.com")
		verified, _ := addEmail(t, s, ada, "work@example.com", t0)
		unverified, _ := addEmail(t, s, ada, "new@example.com", t0)
		for _, id := range []string{ada.email.ID, verified.ID} {
			if err := s.SetEmailVerified(ctx, ada.user.ID, id, t0); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name     string
			user, id string
			want     error
		}{
			{"an unknown address is not found", ada.user.ID, uuid.NewString(), models.ErrNotFound},
			{"another user's address is not found", bob.user.ID, verified.ID, models.ErrNotFound},
			{"an unverified address is a conflict", ada.user.ID, unverified.ID, models.ErrConflict},
			{"a verified address becomes preferred", ada.user.ID, verified.ID, nil},
			{"preferring it again succeeds", ada.user.ID, verified.ID, nil},
		} {
			wantErr(t, tc.name, s.SetPreferredEmail(ctx, tc.user, tc.id), tc.want)
			list, _ := s.EmailsOfUser(ctx, ada.user.ID)
			var preferred []string
			for _, e := range list {
				if e.Preferred {
					preferred = append(preferred, e.ID)
				}
			}
			want := []string{ada.email.ID}
			if tc.want == nil {
				want = []string{verified.ID}
			}
			if !slices.Equal(preferred, want) {
				t.Errorf("%s: preferred %v, want %v", tc.name, preferred, want)
			}
		}
		if p, err := s.PreferredEmail(ctx, ada.user.ID); err != nil || p.ID != verified.ID {
			t.Errorf("PreferredEmail: got %+v, %v; want %s", p, err, verified.ID)
		}
	})
}

func TestVerifyEmailCode(t *testing.T) {
	now := t0.Add(2 * time.Minute)
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, s *store.Store, e models.Email, c models.VerificationCode)
		want    error
	}{
		{name: "live code verifies its address"},
		{name: "spent code is not found", want: models.ErrNotFound,
			prepare: func(t *testing.T, s *store.Store, _ models.Email, c models.VerificationCode) {
				if err := s.VerifyEmailCode(context.Background(), &c, t0.Add(time.Minute)); err != nil {
					t.Fatalf("first spend: %v", err)
				}
			}},
		{name: "address verified on another account meanwhile is a conflict", want: models.ErrConflict,
			prepare: func(t *testing.T, s *store.Store, e models.Email, _ models.VerificationCode) {
				bob := newAccount(t, s, "bob", e.Address)
				if err := s.SetEmailVerified(context.Background(), bob.user.ID, bob.email.ID, t0.Add(time.Minute)); err != nil {
					t.Fatalf("verify on bob: %v", err)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				ctx := context.Background()
				ada := newAccount(t, s, "ada", "ada@example.com")
				e, c := addEmail(t, s, ada, "work@example.com", t0)
				if tc.prepare != nil {
					tc.prepare(t, s, e, c)
				}
				before, _ := s.CodeByID(ctx, c.ID)
				wantErr(t, "VerifyEmailCode", s.VerifyEmailCode(ctx, &c, now), tc.want)
				got, _ := s.EmailByID(ctx, e.ID)
				code, _ := s.CodeByID(ctx, c.ID)
				if tc.want == models.ErrConflict && got.Verified {
					t.Errorf("conflicting address verified: %+v", got)
				}
				wantCodeOutcome(t, tc.want != nil, *before, *code, got.Verified, got.VerifiedAt, now)
			})
		})
	}
}

func TestAddEmailRefusesOverLimitAndDuplicates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ada := newAccount(t, s, "ada", "ada@example.com")
		bob := newAccount(t, s, "bob", "bob@example.com")
		e, c := emailOf(ada, "two@example.com", t0)
		wantErr(t, "second address at max 2", s.AddEmail(ctx, &e, &c, 2), nil)
		if got, err := s.CodeByID(ctx, c.ID); err != nil || got.SubjectID != e.ID || got.Purpose != models.PurposeEmail {
			t.Errorf("stored code: got %+v, %v", got, err)
		}
		for _, tc := range []struct {
			name    string
			owner   fixture
			address string
			max     int
			want    error
		}{
			{"third address at max 2 is over the limit", ada, "three@example.com", 2, models.ErrLimit},
			{"an address already on the account is a conflict", ada, "two@example.com", 10, models.ErrConflict},
			{"another account may hold it unverified", bob, "two@example.com", 10, nil},
		} {
			e, c := emailOf(tc.owner, tc.address, t0)
			wantErr(t, tc.name, s.AddEmail(ctx, &e, &c, tc.max), tc.want)
			_, errE := s.EmailByID(ctx, e.ID)
			_, errC := s.CodeByID(ctx, c.ID)
			if stored := errE == nil && errC == nil; stored != (tc.want == nil) || (errE == nil) != (errC == nil) {
				t.Errorf("%s: email stored %v, code stored %v", tc.name, errE == nil, errC == nil)
			}
		}
		if list, _ := s.EmailsOfUser(ctx, ada.user.ID); len(list) != 2 {
			t.Errorf("ada's addresses: got %d, want 2", len(list))
		}
	})
}

func TestDeleteEmailKeepsAnAccountLoggableInto(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ada := newAccount(t, s, "ada", "ada@example.com")
		bob := newAccount(t, s, "bob", "bob@example.com")
		other, _ := addEmail(t, s, ada, "other@example.com", t0)
		pending, _ := addEmail(t, s, ada, "pending@example.com", t0)
		for _, id := range []string{ada.email.ID, other.ID} { // the first becomes preferred
			if err := s.SetEmailVerified(ctx, ada.user.ID, id, t0); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name    string
			prepare string // a raw statement run first
			user    string
			id      string
			want    error
		}{
			{name: "another user's address is not found", user: bob.user.ID, id: pending.ID, want: models.ErrNotFound},
			{name: "an unknown address is not found", user: ada.user.ID, id: uuid.NewString(), want: models.ErrNotFound},
			{name: "the preferred address is a conflict", user: ada.user.ID, id: ada.email.ID, want: models.ErrConflict},
			{name: "an unverified address goes", user: ada.user.ID, id: pending.ID},
			{name: "a verified address goes while another is verified", user: ada.user.ID, id: other.ID},
			{name: "the last verified address is a conflict even when not preferred", user: ada.user.ID, id: ada.email.ID,
				prepare: "UPDATE emails SET preferred = FALSE", want: models.ErrConflict},
		} {
			if tc.prepare != "" {
				if err := s.ExecRaw(ctx, tc.prepare); err != nil {
					t.Fatal(err)
				}
			}
			wantErr(t, tc.name, s.DeleteEmail(ctx, tc.user, tc.id), tc.want)
			_, err := s.EmailByID(ctx, tc.id)
			if gone := errorsIsNotFound(err); tc.want == nil && !gone || tc.want == models.ErrConflict && gone {
				t.Errorf("%s: row gone = %v", tc.name, gone)
			}
		}
		list, _ := s.EmailsOfUser(ctx, ada.user.ID)
		if got := idsOf(list, emailID); !slices.Equal(got, []string{ada.email.ID}) {
			t.Errorf("addresses left: got %v, want [%s]", got, ada.email.ID)
		}
	})
}
