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

func sessionID(s models.Session) string { return s.ID }

func TestCreateVerifiedSessionStoresItAndRecordsEffects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		at := t0.Add(time.Minute)
		sess := models.Session{ID: uuid.NewString(), UserID: f.user.ID, Kind: models.SessionWeb, IP: "192.0.2.7",
			UserAgent: "admin-ui", CreatedAt: at, ExpiresAt: at.Add(8 * time.Hour), LastSeenAt: at, VerifiedAt: &at,
			RefreshHash: []byte("refresh"), IdleSeconds: 900}
		p := newProbe()
		wantErr(t, "CreateVerifiedSession", s.CreateVerifiedSession(ctx, &sess, p.fx), nil)
		wantRecorded(t, s, p, at, recordedAll)

		got, err := s.SessionByID(ctx, sess.ID)
		if err != nil {
			t.Fatalf("SessionByID: %v", err)
		}
		if got.UserID != f.user.ID || got.Kind != models.SessionWeb || got.IP != "192.0.2.7" || got.UserAgent != "admin-ui" ||
			got.IdleSeconds != 900 || string(got.RefreshHash) != "refresh" || got.RevokedAt != nil || got.EmailID != "" {
			t.Errorf("stored session: got %+v, want %+v", got, sess)
		}
		if got.VerifiedAt == nil || !got.VerifiedAt.Equal(at) || !got.CreatedAt.Equal(at) || !got.ExpiresAt.Equal(sess.ExpiresAt) ||
			!got.LastSeenAt.Equal(at) || utcOffset(got.ExpiresAt) != 0 {
			t.Errorf("session times: got created %v verified %v expires %v, want %v %v %v", got.CreatedAt, got.VerifiedAt, got.ExpiresAt, at, at, sess.ExpiresAt)
		}
		if active, _ := s.ActiveSessions(ctx, f.user.ID, at.Add(time.Minute), time.Hour); len(active) != 1 || active[0].ID != sess.ID {
			t.Errorf("ActiveSessions: got %v, want the new session", active)
		}

		p = newProbe()
		dup := sess
		wantErr(t, "a taken session ID", s.CreateVerifiedSession(ctx, &dup, p.fx), models.ErrConflict)
		wantRecorded(t, s, p, at, recordedNone)
	})
}

func TestOpenSessionsPagesLiveSessionsNewestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ada := newAccount(t, s, "ada", "ada@example.com")
		bob := newAccount(t, s, "bob", "bob@example.com")
		end := t0.Add(24 * time.Hour)
		s1 := verifiedSession(t, s, ada, t0.Add(1*time.Minute), end)
		s2 := verifiedSession(t, s, ada, t0.Add(2*time.Minute), end)
		s3 := verifiedSession(t, s, ada, t0.Add(3*time.Minute), end)
		short := verifiedSession(t, s, ada, t0.Add(4*time.Minute), t0.Add(30*time.Minute))
		revoked := verifiedSession(t, s, ada, t0.Add(5*time.Minute), end)
		if err := s.RevokeSession(ctx, ada.user.ID, revoked.ID, t0.Add(6*time.Minute), models.Effects{}); err != nil {
			t.Fatal(err)
		}
		b1 := verifiedSession(t, s, bob, t0.Add(7*time.Minute), end)

		later, atEnd := t0.Add(time.Hour), short.ExpiresAt
		for _, tc := range []struct {
			name          string
			user          string
			now           time.Time
			limit, offset int
			want          []string
			total         int
		}{
			{"everyone's", "", later, 10, 0, []string{b1.ID, s3.ID, s2.ID, s1.ID}, 4},
			{"a middle page", "", later, 2, 1, []string{s3.ID, s2.ID}, 4},
			{"one user's", ada.user.ID, later, 10, 0, []string{s3.ID, s2.ID, s1.ID}, 3},
			{"one user's page past the end", bob.user.ID, later, 10, 1, []string{}, 1},
			{"an unknown user's", uuid.NewString(), later, 10, 0, []string{}, 0},
			{"just before an absolute end", ada.user.ID, atEnd.Add(-time.Microsecond), 10, 0, []string{short.ID, s3.ID, s2.ID, s1.ID}, 4},
			{"at the absolute end", ada.user.ID, atEnd, 10, 0, []string{s3.ID, s2.ID, s1.ID}, 3},
		} {
			rows, total, err := s.OpenSessions(ctx, tc.user, tc.now, tc.limit, tc.offset)
			if got := idsOf(rows, sessionID); err != nil || !slices.Equal(got, tc.want) || total != tc.total {
				t.Errorf("%s: got %v total %d (%v), want %v total %d", tc.name, got, total, err, tc.want, tc.total)
			}
		}
	})
}

func TestRecordAuditRoundTripsAndListAuditPagesNewestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ada, bob := uuid.NewString(), uuid.NewString()
		event := func(at time.Time, actor, target string) models.AuditEvent {
			return models.AuditEvent{ID: uuid.NewString(), At: at, Action: models.AuditRoleGranted, ActorID: actor,
				TargetID: target, IP: "2001:db8::1", UserAgent: "cli/1.0", Detail: `{"role":"admin"}`}
		}
		e1 := event(t0, ada, ada)
		e2 := event(t0.Add(time.Minute), models.ActorOperator, bob)
		e3 := event(t0.Add(2*time.Minute), ada, bob)
		e4 := event(t0.Add(2*time.Minute), models.ActorOperator, models.ActorOperator)
		for _, e := range []*models.AuditEvent{&e3, &e1, &e4, &e2} {
			if err := s.RecordAudit(ctx, e); err != nil {
				t.Fatalf("RecordAudit: %v", err)
			}
		}
		// Events at one instant come in descending ID order.
		newest := []string{e3.ID, e4.ID}
		if e4.ID > e3.ID {
			newest = []string{e4.ID, e3.ID}
		}
		auditID := func(e models.AuditEvent) string { return e.ID }
		for _, tc := range []struct {
			name          string
			user          string
			limit, offset int
			want          []string
			total         int
		}{
			{"everything", "", 10, 0, append(slices.Clone(newest), e2.ID, e1.ID), 4},
			{"a middle page", "", 2, 1, []string{newest[1], e2.ID}, 4},
			{"past the end", "", 2, 4, []string{}, 4},
			{"as actor or target, counted once", ada, 10, 0, []string{e3.ID, e1.ID}, 2},
			{"as target", bob, 10, 0, []string{e3.ID, e2.ID}, 2},
			{"as target, second page", bob, 1, 1, []string{e2.ID}, 2},
			{"nobody's", uuid.NewString(), 10, 0, []string{}, 0},
		} {
			rows, total, err := s.ListAudit(ctx, tc.user, tc.limit, tc.offset)
			if got := idsOf(rows, auditID); err != nil || !slices.Equal(got, tc.want) || total != tc.total {
				t.Errorf("%s: got %v total %d (%v), want %v total %d", tc.name, got, total, err, tc.want, tc.total)
			}
		}
		rows, _, _ := s.ListAudit(ctx, ada, 10, 1)
		if len(rows) != 1 {
			t.Fatalf("ada's second page: got %d rows, want 1", len(rows))
		}
		got := rows[0]
		if got.ID != e1.ID || !got.At.Equal(t0) || utcOffset(got.At) != 0 || got.Action != e1.Action || got.ActorID != ada ||
			got.TargetID != ada || got.IP != e1.IP || got.UserAgent != e1.UserAgent || got.Detail != e1.Detail {
			t.Errorf("audit round trip: got %+v, want %+v", got, e1)
		}
	})
}
