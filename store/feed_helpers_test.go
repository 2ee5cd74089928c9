package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
)

// Helpers shared by the feed_*_test.go files (change and revocation feeds, outbox,
// identity verification, signing keys). Prefixed "feed" to keep clear of other files.

// feedAccount makes an account with a unique alias and address.
func feedAccount(t *testing.T, s *store.Store) fixture {
	t.Helper()
	n := uuid.NewString()[:8]
	return newAccount(t, s, "u"+n, n+"@example.com")
}

// feedChanges reads the whole change feed from since (inclusive).
func feedChanges(t *testing.T, s *store.Store, since time.Time) []models.Change {
	t.Helper()
	out, err := s.Changes(context.Background(), since, "", 1000)
	if err != nil {
		t.Fatalf("Changes: %v", err)
	}
	return out
}

// feedSubjects lists the subjects of the change-feed entries, in order.
func feedSubjects(cs []models.Change) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Subject)
	}
	return out
}

// feedHasSubject reports whether the change feed from since holds subject.
func feedHasSubject(t *testing.T, s *store.Store, since time.Time, subject string) bool {
	t.Helper()
	return slices.Contains(feedSubjects(feedChanges(t, s, since)), subject)
}

// feedRecord writes fx at now.
func feedRecord(t *testing.T, s *store.Store, fx models.Effects, now time.Time) {
	t.Helper()
	if err := s.Record(context.Background(), fx, now); err != nil {
		t.Fatalf("Record: %v", err)
	}
}

// feedEvent records one lifecycle event of typ for userID at now.
func feedEvent(t *testing.T, s *store.Store, typ, userID string, now time.Time) {
	t.Helper()
	var fx models.Effects
	fx.Emit(typ, userID, map[string]string{"userId": userID})
	feedRecord(t, s, fx, now)
}

// feedKeys returns the deliveries as "endpoint/eventType/userID" keys, sorted.
func feedKeys(ds []models.DeliveryView) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Endpoint+"/"+d.Type+"/"+d.UserID)
	}
	slices.Sort(out)
	return out
}

// feedAudit is a complete audit row.
func feedAudit(action, target string, at time.Time) *models.AuditEvent {
	return &models.AuditEvent{ID: uuid.NewString(), At: at, Action: action, ActorID: models.ActorOperator, TargetID: target}
}

// feedAttempt starts an identity-verification attempt for f with status at createdAt.
func feedAttempt(t *testing.T, s *store.Store, f fixture, status string, createdAt time.Time) models.IdentityVerification {
	t.Helper()
	v := models.IdentityVerification{ID: uuid.NewString(), UserID: f.user.ID, StripeSessionID: "vs_" + uuid.NewString(),
		Status: status, Counted: true, CreatedAt: createdAt, UpdatedAt: createdAt}
	if err := s.AddVerification(context.Background(), &v, 100, createdAt.Add(-time.Hour)); err != nil {
		t.Fatalf("AddVerification: %v", err)
	}
	return v
}

// feedKYC is a sealed identity record of f for attempt verificationID.
func feedKYC(f fixture, verificationID string, at time.Time) *models.SealedKYC {
	return &models.SealedKYC{UserID: f.user.ID, VerificationID: verificationID, Sealed: []byte("sealed:" + verificationID),
		SealKeyID: "kek1", UpdatedAt: at}
}

// feedScreening gives f an attempt whose document Stripe verified at now, so its
// screening is due from now.
func feedScreening(t *testing.T, s *store.Store, f fixture, now time.Time) models.IdentityVerification {
	t.Helper()
	ctx := context.Background()
	v := feedAttempt(t, s, f, models.VerificationProcessing, now.Add(-time.Minute))
	applied, err := s.ApplyStripeChange(ctx, models.StripeChange{EventID: "evt_" + uuid.NewString(),
		EventType: "identity.verification_session.verified", VerificationID: v.ID, Status: models.VerificationScreening,
		KYC: feedKYC(f, v.ID, now), Now: now})
	if err != nil || !applied {
		t.Fatalf("ApplyStripeChange(screening) = %v, %v; want true, nil", applied, err)
	}
	return feedReload(t, s, v)
}

// feedReload reads an attempt again, through its Stripe session.
func feedReload(t *testing.T, s *store.Store, v models.IdentityVerification) models.IdentityVerification {
	t.Helper()
	got, err := s.VerificationBySession(context.Background(), v.StripeSessionID)
	if err != nil {
		t.Fatalf("VerificationBySession(%s): %v", v.StripeSessionID, err)
	}
	return *got
}

// feedVerifications lists a user's attempts, newest first.
func feedVerifications(t *testing.T, s *store.Store, userID string) []models.IdentityVerification {
	t.Helper()
	out, err := s.Verifications(context.Background(), userID)
	if err != nil {
		t.Fatalf("Verifications: %v", err)
	}
	return out
}
