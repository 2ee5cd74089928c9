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

// TestAddVerificationEnforcesLimitAndOpenAttempt covers AddVerification (an open
// attempt since openSince is ErrConflict, max counted attempts ErrLimit),
// Verifications (newest first), VerificationBySession and ResetVerifications (earlier
// attempts stop counting; audited with its effects).
func TestAddVerificationEnforcesLimitAndOpenAttempt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f, other := feedAccount(t, s), feedAccount(t, s)
		attempt := func(at time.Time) *models.IdentityVerification {
			return &models.IdentityVerification{ID: uuid.NewString(), UserID: f.user.ID, StripeSessionID: "vs_" + uuid.NewString(),
				Status: models.VerificationRequiresInput, Counted: true, CreatedAt: at, UpdatedAt: at}
		}
		v1, v2 := attempt(t0), attempt(t0.Add(time.Minute))
		if err := s.AddVerification(ctx, v1, 2, t0.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name      string
			v         *models.IdentityVerification
			max       int
			openSince time.Time
			want      error
		}{
			{"an open attempt since openSince", v2, 2, t0.Add(-time.Hour), models.ErrConflict},
			{"an open attempt older than openSince", v2, 2, t0, nil},
			{"the limit spent", attempt(t0.Add(2 * time.Minute)), 2, t0.Add(time.Hour), models.ErrLimit},
		} {
			if err := s.AddVerification(ctx, tc.v, tc.max, tc.openSince); !errors.Is(err, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
			}
		}
		if o := feedAttempt(t, s, other, models.VerificationProcessing, t0); o.UserID != other.user.ID {
			t.Errorf("another user's attempt: got %+v", o)
		}

		list, err := s.Verifications(ctx, f.user.ID)
		if err != nil || len(list) != 2 || list[0].ID != v2.ID || list[1].ID != v1.ID {
			t.Fatalf("Verifications: got %+v, %v; want v2 then v1", list, err)
		}
		if got := list[1]; !got.CreatedAt.Equal(t0) || utcOffset(got.CreatedAt) != 0 || !got.Counted ||
			got.Status != models.VerificationRequiresInput || got.Screening != "" || got.ScreeningNextAt != nil {
			t.Errorf("attempt round trip: got %+v", got)
		}
		if got, err := s.Verifications(ctx, uuid.NewString()); err != nil || len(got) != 0 {
			t.Errorf("Verifications of a user without attempts: got %+v, %v", got, err)
		}
		if got, err := s.VerificationBySession(ctx, v1.StripeSessionID); err != nil || got.ID != v1.ID || got.UserID != f.user.ID {
			t.Errorf("VerificationBySession: got %+v, %v", got, err)
		}
		if _, err := s.VerificationBySession(ctx, "vs_unknown"); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("VerificationBySession(unknown): got %v, want ErrNotFound", err)
		}

		at := t0.Add(time.Hour)
		var fx models.Effects
		fx.Changed(models.ChangedUser, f.user.ID)
		if err := s.ResetVerifications(ctx, f.user.ID, feedAudit(models.AuditVerificationReset, f.user.ID, at), fx); err != nil {
			t.Fatal(err)
		}
		for _, v := range feedVerifications(t, s, f.user.ID) {
			if v.Counted {
				t.Errorf("attempt %s still counted after reset", v.ID)
			}
		}
		if o := feedVerifications(t, s, other.user.ID); !o[0].Counted {
			t.Error("reset of one user uncounted another's attempt")
		}
		if audit, total, err := s.ListAudit(ctx, f.user.ID, 10, 0); err != nil || total != 1 || audit[0].Action != models.AuditVerificationReset {
			t.Errorf("reset audit: got %+v, %v", audit, err)
		}
		if !feedHasSubject(t, s, at, f.user.ID) {
			t.Error("reset effects not recorded")
		}
		if err := s.AddVerification(ctx, attempt(at), 2, at.Add(-time.Minute)); err != nil {
			t.Errorf("AddVerification after reset: got %v, want nil", err)
		}
	})
}

// TestApplyStripeChangeAppliesOnlyForwardSteps: each event is recorded as seen; it
// changes the attempt, and records its effects, only when it moves the attempt
// forward; a repeated event ID is ErrConflict; an unknown attempt leaves nothing.
func TestApplyStripeChangeAppliesOnlyForwardSteps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := feedAccount(t, s)
		v := feedAttempt(t, s, f, models.VerificationRequiresInput, t0)
		steps := []struct {
			name, event, status string
			redact              bool
			want                bool
			wantErr             error
			wantStatus          string
		}{
			{"forward to processing", "evt_1", models.VerificationProcessing, false, true, nil, models.VerificationProcessing},
			{"the same event again", "evt_1", models.VerificationFailed, false, false, models.ErrConflict, models.VerificationProcessing},
			{"a late requires_input", "evt_2", models.VerificationRequiresInput, false, false, nil, models.VerificationProcessing},
			{"forward to failed", "evt_3", models.VerificationFailed, false, true, nil, models.VerificationFailed},
			{"verified after a failure", "evt_4", models.VerificationScreening, false, true, nil, models.VerificationScreening},
			{"a failure once screening", "evt_5", models.VerificationFailed, false, false, nil, models.VerificationScreening},
			{"redacted", "evt_6", "", true, true, nil, models.VerificationScreening},
			{"redacted again", "evt_7", "", true, false, nil, models.VerificationScreening},
		}
		for i, st := range steps {
			now := t0.Add(time.Duration(i+1) * time.Minute)
			c := models.StripeChange{EventID: st.event, EventType: "identity.verification_session.x", VerificationID: v.ID,
				Status: st.status, Redact: st.redact, Now: now}
			if st.status == models.VerificationFailed {
				c.Reason = "document_expired"
			}
			if st.status == models.VerificationScreening {
				c.KYC = feedKYC(f, v.ID, now)
			}
			if !st.redact { // the redact path takes no effects (see the report)
				c.Effects.Changed(models.ChangedUser, st.name)
			}
			applied, err := s.ApplyStripeChange(ctx, c)
			if applied != st.want || !errors.Is(err, st.wantErr) {
				t.Fatalf("%s: got %v, %v; want %v, %v", st.name, applied, err, st.want, st.wantErr)
			}
			got := feedReload(t, s, v)
			if got.Status != st.wantStatus {
				t.Errorf("%s: status %q, want %q", st.name, got.Status, st.wantStatus)
			}
			if seen, err := s.StripeEventSeen(ctx, st.event); err != nil || !seen {
				t.Errorf("%s: StripeEventSeen = %v, %v; want true", st.name, seen, err)
			}
			switch st.event {
			case "evt_3":
				if got.LastError != "document_expired" || !got.UpdatedAt.Equal(now) {
					t.Errorf("failed attempt: got %+v", got)
				}
			case "evt_4":
				if got.Screening != models.ScreeningPending || got.ScreeningTries != 0 || got.ScreeningNextAt == nil || !got.ScreeningNextAt.Equal(now) {
					t.Errorf("screening not queued: got %+v", got)
				}
				if k, err := s.KYC(ctx, f.user.ID); err != nil || k.VerificationID != v.ID || string(k.Sealed) != "sealed:"+v.ID || !k.UpdatedAt.Equal(now) {
					t.Errorf("KYC after verification: got %+v, %v", k, err)
				}
			case "evt_6":
				if _, err := s.KYC(ctx, f.user.ID); !errors.Is(err, models.ErrNotFound) {
					t.Errorf("KYC after redaction: got %v, want ErrNotFound", err)
				}
			}
		}
		want := []string{"forward to processing", "forward to failed", "verified after a failure"}
		if got := feedSubjects(feedChanges(t, s, t0)); !slices.Equal(got, want) {
			t.Errorf("effects recorded: got %q, want only the applied steps' %q", got, want)
		}

		if seen, err := s.StripeEventSeen(ctx, "evt_unknown"); err != nil || seen {
			t.Errorf("StripeEventSeen(unknown) = %v, %v; want false", seen, err)
		}
		_, err := s.ApplyStripeChange(ctx, models.StripeChange{EventID: "evt_orphan", EventType: "x",
			VerificationID: uuid.NewString(), Status: models.VerificationProcessing, Now: t0})
		if !errors.Is(err, models.ErrNotFound) {
			t.Errorf("unknown attempt: got %v, want ErrNotFound", err)
		}
		if seen, _ := s.StripeEventSeen(ctx, "evt_orphan"); seen {
			t.Error("an event whose change failed was still recorded as seen")
		}
	})
}

// TestPruneStripeEventsForgetsOldIDs: IDs received before the cutoff are forgotten
// (and may be processed again), the one received at the cutoff is kept.
func TestPruneStripeEventsForgetsOldIDs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := feedAccount(t, s)
		v := feedAttempt(t, s, f, models.VerificationRequiresInput, t0)
		cutoff := t0.Add(time.Hour)
		received := map[string]time.Time{"evt_old": cutoff.Add(-time.Microsecond), "evt_cutoff": cutoff, "evt_new": cutoff.Add(time.Hour)}
		for id, at := range received {
			if _, err := s.ApplyStripeChange(ctx, models.StripeChange{EventID: id, EventType: "x", VerificationID: v.ID,
				Status: models.VerificationRequiresInput, Now: at}); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.PruneStripeEvents(ctx, cutoff); err != nil || n != 1 {
			t.Fatalf("PruneStripeEvents: got %d, %v; want 1", n, err)
		}
		for id, want := range map[string]bool{"evt_old": false, "evt_cutoff": true, "evt_new": true} {
			if seen, err := s.StripeEventSeen(ctx, id); err != nil || seen != want {
				t.Errorf("StripeEventSeen(%s) = %v, %v; want %v", id, seen, err, want)
			}
		}
		if _, err := s.ApplyStripeChange(ctx, models.StripeChange{EventID: "evt_old", EventType: "x", VerificationID: v.ID,
			Status: models.VerificationRequiresInput, Now: cutoff}); err != nil {
			t.Errorf("a forgotten event ID again: got %v, want nil", err)
		}
		if _, err := s.ApplyStripeChange(ctx, models.StripeChange{EventID: "evt_cutoff", EventType: "x", VerificationID: v.ID,
			Status: models.VerificationRequiresInput, Now: cutoff}); !errors.Is(err, models.ErrConflict) {
			t.Errorf("a kept event ID again: got %v, want ErrConflict", err)
		}
	})
}
