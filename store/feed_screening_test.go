package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

// TestClaimScreeningsLeasesDueAttempts covers ClaimScreenings (due only, oldest
// first, limit, a lease keeps the next claimer off until it lapses) and RetryScreening.
func TestClaimScreeningsLeasesDueAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a := feedScreening(t, s, feedAccount(t, s), t0.Add(2*time.Minute))
		b := feedScreening(t, s, feedAccount(t, s), t0.Add(time.Minute))
		feedAttempt(t, s, feedAccount(t, s), models.VerificationProcessing, t0) // never due: not screening
		lease := 5 * time.Minute
		claim := func(now time.Time, limit int) []string {
			t.Helper()
			got, err := s.ClaimScreenings(ctx, now, lease, limit)
			if err != nil {
				t.Fatalf("ClaimScreenings(%v): %v", now, err)
			}
			ids := []string{}
			for _, v := range got {
				ids = append(ids, v.ID)
			}
			return ids
		}
		for _, tc := range []struct {
			name  string
			now   time.Time
			limit int
			want  []string
		}{
			{"before any is due", t0.Add(time.Minute - time.Microsecond), 10, []string{}},
			{"limit takes the oldest due", t0.Add(2 * time.Minute), 1, []string{b.ID}},
			{"another claimer gets only the other", t0.Add(3 * time.Minute), 10, []string{a.ID}},
			{"while leased", t0.Add(2*time.Minute + lease - time.Microsecond), 10, []string{}},
			{"once the first lease lapsed", t0.Add(2*time.Minute + lease), 10, []string{b.ID}},
			{"once the second lease lapsed", t0.Add(3*time.Minute + lease), 10, []string{a.ID}},
		} {
			if got := claim(tc.now, tc.limit); !slices.Equal(got, tc.want) {
				t.Errorf("%s: claimed %q, want %q", tc.name, got, tc.want)
			}
		}

		next := t0.Add(time.Hour)
		if err := s.RetryScreening(ctx, a.ID, 1, next, "NameScan timeout"); err != nil {
			t.Fatal(err)
		}
		got := feedReload(t, s, a)
		if got.ScreeningTries != 1 || got.ScreeningError != "NameScan timeout" || got.ScreeningNextAt == nil ||
			!got.ScreeningNextAt.Equal(next) || got.Screening != models.ScreeningPending || got.Status != models.VerificationScreening {
			t.Fatalf("after RetryScreening: got %+v", got)
		}
		if ids := claim(next.Add(-time.Microsecond), 10); slices.Contains(ids, a.ID) {
			t.Error("a retried attempt was claimed before its next try")
		}
		if ids := claim(next, 10); !slices.Contains(ids, a.ID) {
			t.Errorf("at its next try: claimed %q, want %s", ids, a.ID)
		}
	})
}

// TestFinishScreeningOutcomes: clear verifies the user, a hit fails the attempt, each
// with its effects; an attempt no longer waiting is ErrNotFound and records nothing.
func TestFinishScreeningOutcomes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := t0.Add(time.Hour)
		for _, tc := range []struct {
			name                          string
			hit                           bool
			wantStatus, wantScreen, wantE string
			wantVerified                  bool
		}{
			{"clear", false, models.VerificationVerified, models.ScreeningClear, "", true},
			{"hit", true, models.VerificationFailed, models.ScreeningHit, "screening_hit", false},
		} {
			f := feedAccount(t, s)
			v := feedScreening(t, s, f, t0)
			if err := s.RetryScreening(ctx, v.ID, 2, t0.Add(time.Minute), "timeout"); err != nil {
				t.Fatal(err)
			}
			r := models.ScreeningResult{VerificationID: v.ID, UserID: f.user.ID, Hit: tc.hit, Matches: 3, ScanID: "scan-" + tc.name, Now: now}
			typ := models.EventUserVerified
			if tc.hit {
				typ = models.EventUserVerificationFailed
			}
			r.Effects.Emit(typ, f.user.ID, nil).Changed(models.ChangedUser, tc.name)
			if err := s.FinishScreening(ctx, r); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			got := feedReload(t, s, v)
			if got.Status != tc.wantStatus || got.Screening != tc.wantScreen || got.LastError != tc.wantE || got.ScanID != r.ScanID ||
				got.Matches != 3 || got.ScreeningError != "" || got.ScreeningNextAt != nil || !got.UpdatedAt.Equal(now) {
				t.Errorf("%s: attempt %+v, want status %q screening %q", tc.name, got, tc.wantStatus, tc.wantScreen)
			}
			if u, err := s.UserByID(ctx, f.user.ID); err != nil || u.Verified != tc.wantVerified {
				t.Errorf("%s: user verified = %v, %v; want %v", tc.name, u.Verified, err, tc.wantVerified)
			}
			if !feedHasSubject(t, s, now, tc.name) {
				t.Errorf("%s: effects not recorded", tc.name)
			}
			// Finished: a second outcome finds nothing to finish and records nothing.
			r.Effects = models.Effects{}
			r.Effects.Changed(models.ChangedUser, tc.name+" again")
			if err := s.FinishScreening(ctx, r); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("%s: second FinishScreening: got %v, want ErrNotFound", tc.name, err)
			}
			if feedHasSubject(t, s, now, tc.name+" again") {
				t.Errorf("%s: a refused outcome recorded its effects", tc.name)
			}
			if claimed, _ := s.ClaimScreenings(ctx, now.Add(time.Hour), time.Minute, 10); slices.ContainsFunc(claimed, func(c models.IdentityVerification) bool { return c.ID == v.ID }) {
				t.Errorf("%s: a finished attempt was claimed", tc.name)
			}
		}
		if n, err := s.RouteEvents(ctx, []models.EventRoute{{Name: "hook"}}, t0, now, 10); err != nil || n != 2 {
			t.Errorf("events of the two outcomes: routed %d, %v; want 2", n, err)
		}

		// Revoked by an admin meanwhile: the outcome is refused and the user stays unverified.
		f := feedAccount(t, s)
		v := feedScreening(t, s, f, t0)
		if err := s.RevokeVerification(ctx, f.user.ID, feedAudit(models.AuditVerificationRevoked, f.user.ID, now), models.Effects{}); err != nil {
			t.Fatal(err)
		}
		err := s.FinishScreening(ctx, models.ScreeningResult{VerificationID: v.ID, UserID: f.user.ID, Now: now})
		if !errors.Is(err, models.ErrNotFound) {
			t.Errorf("FinishScreening of a revoked attempt: got %v, want ErrNotFound", err)
		}
		if u, _ := s.UserByID(ctx, f.user.ID); u.Verified {
			t.Error("a revoked attempt's clear screen verified the user")
		}
	})
}

// TestRevokeVerificationWithdrawsFieldsAndAttempts covers KYC, KYCs and
// RevokeVerification: the flag clears, the sealed fields go, verified and screening
// attempts become revoked (others stay), audited with its effects.
func TestRevokeVerificationWithdrawsFieldsAndAttempts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f, g, none := feedAccount(t, s), feedAccount(t, s), feedAccount(t, s)
		failed := feedAttempt(t, s, f, models.VerificationProcessing, t0)
		if ok, err := s.ApplyStripeChange(ctx, models.StripeChange{EventID: uuid.NewString(), EventType: "x", VerificationID: failed.ID,
			Status: models.VerificationFailed, Now: t0}); err != nil || !ok {
			t.Fatalf("fail an attempt: %v, %v", ok, err)
		}
		verified := feedScreening(t, s, f, t0.Add(time.Minute))
		if err := s.FinishScreening(ctx, models.ScreeningResult{VerificationID: verified.ID, UserID: f.user.ID, Now: t0.Add(2 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
		screening := feedScreening(t, s, f, t0.Add(3*time.Minute)) // a second attempt replaces the sealed fields
		gv := feedScreening(t, s, g, t0.Add(4*time.Minute))

		if k, err := s.KYC(ctx, f.user.ID); err != nil || k.VerificationID != screening.ID || k.SealKeyID != "kek1" ||
			string(k.Sealed) != "sealed:"+screening.ID || !k.UpdatedAt.Equal(t0.Add(3*time.Minute)) {
			t.Fatalf("KYC: got %+v, %v; want the latest attempt's fields", k, err)
		}
		if _, err := s.KYC(ctx, none.user.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("KYC of a user without fields: got %v, want ErrNotFound", err)
		}
		ks, err := s.KYCs(ctx, []string{f.user.ID, g.user.ID, none.user.ID, uuid.NewString()})
		users := []string{}
		for _, k := range ks {
			users = append(users, k.UserID)
		}
		slices.Sort(users)
		want := []string{f.user.ID, g.user.ID}
		slices.Sort(want)
		if err != nil || !slices.Equal(users, want) {
			t.Errorf("KYCs: got users %q, %v; want %q", users, err, want)
		}
		if ks, err := s.KYCs(ctx, nil); err != nil || len(ks) != 0 {
			t.Errorf("KYCs(nil): got %+v, %v", ks, err)
		}

		at := t0.Add(time.Hour)
		var fx models.Effects
		fx.Changed(models.ChangedUser, f.user.ID)
		if err := s.RevokeVerification(ctx, f.user.ID, feedAudit(models.AuditVerificationRevoked, f.user.ID, at), fx); err != nil {
			t.Fatal(err)
		}
		if u, _ := s.UserByID(ctx, f.user.ID); u.Verified {
			t.Error("user still verified after revocation")
		}
		if _, err := s.KYC(ctx, f.user.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("KYC after revocation: got %v, want ErrNotFound", err)
		}
		for _, tc := range []struct {
			v    models.IdentityVerification
			want string
		}{
			{failed, models.VerificationFailed},
			{verified, models.VerificationRevoked},
			{screening, models.VerificationRevoked},
			{gv, models.VerificationScreening},
		} {
			got := feedReload(t, s, tc.v)
			if got.Status != tc.want {
				t.Errorf("attempt %s: status %q, want %q", tc.v.ID, got.Status, tc.want)
			}
			if tc.want == models.VerificationRevoked && (got.ScreeningNextAt != nil || !got.UpdatedAt.Equal(at)) {
				t.Errorf("revoked attempt %s: got %+v", tc.v.ID, got)
			}
		}
		if _, err := s.KYC(ctx, g.user.ID); err != nil {
			t.Errorf("another user's KYC after revocation: %v", err)
		}
		if claimed, _ := s.ClaimScreenings(ctx, at, time.Minute, 10); len(claimed) != 1 || claimed[0].ID != gv.ID {
			t.Errorf("screenings after revocation: got %d, want only the other user's", len(claimed))
		}
		if audit, total, err := s.ListAudit(ctx, f.user.ID, 10, 0); err != nil || total != 1 || audit[0].Action != models.AuditVerificationRevoked {
			t.Errorf("revocation audit: got %+v, %v", audit, err)
		}
		if !feedHasSubject(t, s, at, f.user.ID) {
			t.Error("revocation effects not recorded")
		}
	})
}
