package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

// Regressions for races the conformance suite found on Postgres: concurrent writers
// of one user's addresses left several preferred, and a grant whose effects failed
// reported success.

func preferredCount(t *testing.T, s *store.Store, userID string) int {
	t.Helper()
	emails, err := s.EmailsOfUser(context.Background(), userID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range emails {
		if e.Preferred {
			n++
		}
	}
	return n
}

func TestConcurrentAddressWritesLeaveOnePreferred(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := accountAt(t, s, "ada", t0)
		var ids []string
		for i := range 8 {
			e, _ := addEmail(t, s, f, fmt.Sprintf("a%d@example.com", i), t0)
			ids = append(ids, e.ID)
		}
		// No preferred address yet: of eight concurrent verifications one becomes it.
		for _, err := range race(8, func(i int) error { return s.SetEmailVerified(ctx, f.user.ID, ids[i], t0) }) {
			if err != nil {
				t.Error(err)
			}
		}
		if n := preferredCount(t, s, f.user.ID); n != 1 {
			t.Fatalf("after concurrent verifications %d addresses are preferred, want 1", n)
		}
		for _, err := range race(8, func(i int) error { return s.SetPreferredEmail(ctx, f.user.ID, ids[i]) }) {
			if err != nil {
				t.Error(err)
			}
		}
		if n := preferredCount(t, s, f.user.ID); n != 1 {
			t.Fatalf("after concurrent preferences %d addresses are preferred, want 1", n)
		}
	})
}

func TestGrantRoleWhoseEffectsFailReportsTheFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := accountAt(t, s, "ada", t0)
		audit := models.AuditEvent{ID: uuid.NewString(), At: t0, Action: models.AuditRoleGranted, ActorID: "x", TargetID: f.user.ID}
		if err := s.RecordAudit(ctx, &audit); err != nil {
			t.Fatal(err)
		}
		fx := models.Effects{Audit: []models.AuditEvent{audit}} // its ID is taken: the write must fail
		if err := s.GrantRole(ctx, f.user.ID, models.RoleAdmin, t0, fx); err == nil {
			t.Fatal("GrantRole reported success though its transaction rolled back")
		}
		if id, _ := s.Identity(ctx, f.user.ID); len(id.Roles) != 1 {
			t.Fatalf("roles %v after a failed grant", id.Roles)
		}
		// A role already held is a no-op that records nothing and succeeds.
		if err := s.GrantRole(ctx, f.user.ID, models.RoleUser, t0, fx); err != nil {
			t.Fatalf("re-granting a held role: %v", err)
		}
	})
}

func TestRevokedTokenIDsListsLiveTokenEntriesOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var fx models.Effects
		fx.Revoke(models.RevokedToken, "live", t0.Add(time.Hour)).Revoke(models.RevokedToken, "gone", t0.Add(time.Second)).
			Revoke(models.RevokedSession, "a-session", t0.Add(time.Hour))
		if err := s.Record(ctx, fx, t0); err != nil {
			t.Fatal(err)
		}
		ids, err := s.RevokedTokenIDs(ctx, t0.Add(time.Minute))
		if err != nil || len(ids) != 1 || ids[0] != "live" {
			t.Fatalf("RevokedTokenIDs = %v, %v; want [live]", ids, err)
		}
	})
}
