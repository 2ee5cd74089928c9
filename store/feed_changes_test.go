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

// TestRecordWritesEveryEffectAtOnce: events, revocations, changes and audit rows are
// written with the time given, and a failing part leaves none of the others.
func TestRecordWritesEveryEffectAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := t0.Add(time.Minute)
		var fx models.Effects
		fx.Emit(models.EventUserDisabled, "user-1", map[string]string{"userId": "user-1"}).
			Revoke(models.RevokedUser, "user-1", now.Add(time.Hour)).
			Changed(models.ChangedSigningKeys, "")
		fx.Audit = append(fx.Audit, *feedAudit(models.AuditUserDisabled, "user-1", now))
		feedRecord(t, s, fx, now)

		changes := feedChanges(t, s, t0)
		if got, want := feedSubjects(changes), []string{"user-1", ""}; !slices.Equal(got, want) {
			t.Fatalf("change subjects: got %q, want %q", got, want)
		}
		for _, c := range changes {
			if _, err := uuid.Parse(c.ID); err != nil || !c.CreatedAt.Equal(now) || utcOffset(c.CreatedAt) != 0 {
				t.Errorf("change %+v: want a UUID and created_at %v in UTC", c, now)
			}
		}
		if changes[0].Kind != models.ChangedUser || changes[1].Kind != models.ChangedSigningKeys {
			t.Errorf("change kinds: got %q, %q", changes[0].Kind, changes[1].Kind)
		}
		revs, err := s.Revocations(ctx, t0, now, 10)
		if err != nil || len(revs) != 1 {
			t.Fatalf("Revocations: got %+v, %v; want 1 entry", revs, err)
		}
		if r := revs[0]; r.Kind != models.RevokedUser || r.Subject != "user-1" || !r.CreatedAt.Equal(now) || !r.ExpiresAt.Equal(now.Add(time.Hour)) {
			t.Errorf("revocation: got %+v", r)
		}
		audit, total, err := s.ListAudit(ctx, "user-1", 10, 0)
		if err != nil || total != 1 || audit[0].Action != models.AuditUserDisabled || !audit[0].At.Equal(now) {
			t.Errorf("audit: got %+v (total %d), %v", audit, total, err)
		}
		if n, err := s.RouteEvents(ctx, []models.EventRoute{{Name: "hook"}}, t0, now, 10); err != nil || n != 1 {
			t.Errorf("RouteEvents: got %d, %v; want the 1 recorded event", n, err)
		}

		// Two audit rows with one ID: the second fails, and the change before it is gone too.
		var bad models.Effects
		bad.Changed(models.ChangedUser, "user-2")
		row := feedAudit(models.AuditUserEnabled, "user-2", now)
		bad.Audit = []models.AuditEvent{*row, *row}
		if err := s.Record(ctx, bad, now); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("Record with a duplicate audit ID: got %v, want ErrConflict", err)
		}
		if feedHasSubject(t, s, t0, "user-2") {
			t.Error("a failed Record left its change behind")
		}
	})
}

// TestChangesAreOldestFirstAfterTheKey: the feed is in (created_at, id) order; the
// key (since, afterID) excludes what is before it, "" takes all of since; limit cuts
// the oldest-first list; paging by the last entry's key reads every entry once,
// however many share one timestamp.
func TestChangesAreOldestFirstAfterTheKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i, subjects := range [][]string{{"a"}, {"b", "c", "d"}, {"e"}} {
			var fx models.Effects
			for _, sub := range subjects {
				fx.Changed(models.ChangedSession, sub)
			}
			feedRecord(t, s, fx, t0.Add(time.Duration(i)*time.Second))
		}
		// Recorded later but at an earlier time: the feed orders by created_at.
		var early models.Effects
		early.Changed(models.ChangedSession, "z")
		feedRecord(t, s, early, t0.Add(-time.Second))
		all := feedChanges(t, s, t0.Add(-time.Hour))
		if got, want := feedSubjects(all), []string{"z", "a", "b", "c", "d", "e"}; !slices.Equal(got, want) {
			t.Fatalf("whole feed: got %q, want %q", got, want)
		}
		b, c := all[2], all[3]

		for _, tc := range []struct {
			name    string
			since   time.Time
			afterID string
			limit   int
			want    []string
		}{
			{"empty ID takes all of since", t0.Add(time.Second), "", 10, []string{"b", "c", "d", "e"}},
			{"after an ID at since", b.CreatedAt, b.ID, 10, []string{"c", "d", "e"}},
			{"after the last ID at since", c.CreatedAt, all[4].ID, 10, []string{"e"}},
			{"between two timestamps", t0.Add(time.Second + time.Microsecond), "", 10, []string{"e"}},
			{"limit keeps the oldest", t0, "", 3, []string{"a", "b", "c"}},
			{"after the last entry", all[5].CreatedAt, all[5].ID, 10, []string{}},
		} {
			got, err := s.Changes(ctx, tc.since, tc.afterID, tc.limit)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if subs := feedSubjects(got); !slices.Equal(subs, tc.want) {
				t.Errorf("%s: got %q, want %q", tc.name, subs, tc.want)
			}
		}

		// Pages of 2 through entries of which three share one timestamp.
		var paged []string
		since, after := t0.Add(-time.Hour), ""
		for range 10 {
			page, err := s.Changes(ctx, since, after, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			paged = append(paged, feedSubjects(page)...)
			last := page[len(page)-1]
			since, after = last.CreatedAt, last.ID
		}
		if want := feedSubjects(all); !slices.Equal(paged, want) {
			t.Errorf("paged: got %q, want %q", paged, want)
		}
	})
}

// TestPruneChangesKeepsTheRetentionWindow: entries older than ChangeRetention go,
// the one exactly at the horizon and newer ones stay.
func TestPruneChangesKeepsTheRetentionWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := t0.Add(24 * time.Hour)
		for sub, at := range map[string]time.Time{
			"old":     now.Add(-models.ChangeRetention - time.Microsecond),
			"horizon": now.Add(-models.ChangeRetention),
			"recent":  now.Add(-time.Minute),
		} {
			var fx models.Effects
			fx.Changed(models.ChangedUser, sub)
			feedRecord(t, s, fx, at)
		}
		if n, err := s.PruneChanges(ctx, now); err != nil || n != 1 {
			t.Fatalf("PruneChanges: got %d, %v; want 1", n, err)
		}
		if got, want := feedSubjects(feedChanges(t, s, t0)), []string{"horizon", "recent"}; !slices.Equal(got, want) {
			t.Errorf("after pruning: got %q, want %q", got, want)
		}
		if n, err := s.PruneChanges(ctx, now); err != nil || n != 0 {
			t.Errorf("second PruneChanges: got %d, %v; want 0", n, err)
		}
	})
}

// TestRevocationsListOnlyLiveEntriesOldestFirst covers Revocations, PruneRevocations
// and TokenRevoked.
func TestRevocationsListOnlyLiveEntriesOldestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := t0.Add(time.Hour)
		add := func(kind, subject string, at, until time.Time) {
			var fx models.Effects
			fx.Revoke(kind, subject, until)
			feedRecord(t, s, fx, at)
		}
		add(models.RevokedToken, "jti-expired", t0, now)                              // expires exactly at now
		add(models.RevokedSession, "sess-1", t0.Add(time.Minute), now.Add(time.Hour)) // live
		add(models.RevokedToken, "jti-live", t0.Add(2*time.Minute), now.Add(time.Hour))
		add(models.RevokedUser, "user-1", t0.Add(2*time.Minute), now.Add(time.Minute))

		subjects := func(rs []models.Revocation) []string {
			out := []string{}
			for _, r := range rs {
				out = append(out, r.Subject)
			}
			return out
		}
		for _, tc := range []struct {
			name       string
			since, now time.Time
			limit      int
			want       []string
		}{
			{"live only", t0, now, 10, []string{"sess-1", "jti-live", "user-1"}},
			{"before the first expiry", t0, now.Add(-time.Microsecond), 10, []string{"jti-expired", "sess-1", "jti-live", "user-1"}},
			{"since is inclusive", t0.Add(2 * time.Minute), now, 10, []string{"jti-live", "user-1"}},
			{"limit keeps the oldest", t0, now, 2, []string{"sess-1", "jti-live"}},
			{"later, fewer live", t0, now.Add(time.Minute), 10, []string{"sess-1", "jti-live"}},
		} {
			got, err := s.Revocations(ctx, tc.since, tc.now, tc.limit)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if subs := subjects(got); !slices.Equal(subs, tc.want) {
				t.Errorf("%s: got %q, want %q", tc.name, subs, tc.want)
			}
		}

		for jti, want := range map[string]bool{"jti-live": true, "jti-expired": true, "sess-1": false, "unknown": false} {
			if got, err := s.TokenRevoked(ctx, jti); err != nil || got != want {
				t.Errorf("TokenRevoked(%s) = %v, %v; want %v", jti, got, err, want)
			}
		}

		if n, err := s.PruneRevocations(ctx, now); err != nil || n != 1 {
			t.Fatalf("PruneRevocations(now): got %d, %v; want 1", n, err)
		}
		if got, _ := s.TokenRevoked(ctx, "jti-expired"); got {
			t.Error("a pruned token is still reported revoked")
		}
		if n, err := s.PruneRevocations(ctx, now.Add(time.Hour)); err != nil || n != 3 {
			t.Fatalf("PruneRevocations(later): got %d, %v; want 3", n, err)
		}
		if got, err := s.Revocations(ctx, t0, t0, 10); err != nil || len(got) != 0 {
			t.Errorf("after pruning everything: got %+v, %v", got, err)
		}
	})
}

// TestRunInTxRollsBackAndNestedCallsJoin: an error undoes every write of the
// transaction, nested calls included; a nested call sees the outer writes.
func TestRunInTxRollsBackAndNestedCallsJoin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		change := func(sub string) models.Effects {
			var fx models.Effects
			fx.Changed(models.ChangedUser, sub)
			return fx
		}
		boom := errors.New("boom")
		err := s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
			if err := tx.Record(ctx, change("outer"), t0); err != nil {
				return err
			}
			return tx.RunInTx(ctx, func(ctx context.Context, inner *store.Store) error {
				got, err := inner.Changes(ctx, t0, "", 10)
				if err != nil || !slices.Equal(feedSubjects(got), []string{"outer"}) {
					t.Errorf("nested call sees %q, %v; want the outer write", feedSubjects(got), err)
				}
				if err := inner.Record(ctx, change("inner"), t0); err != nil {
					return err
				}
				return boom
			})
		})
		if !errors.Is(err, boom) {
			t.Fatalf("RunInTx: got %v, want the callback's error", err)
		}
		if got := feedSubjects(feedChanges(t, s, t0)); len(got) != 0 {
			t.Fatalf("after rollback: got %q, want nothing", got)
		}

		err = s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
			if err := tx.Record(ctx, change("outer"), t0); err != nil {
				return err
			}
			return tx.RunInTx(ctx, func(ctx context.Context, inner *store.Store) error {
				return inner.Record(ctx, change("inner"), t0)
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := feedSubjects(feedChanges(t, s, t0)), []string{"outer", "inner"}; !slices.Equal(got, want) {
			t.Errorf("after commit: got %q, want %q", got, want)
		}
	})
}

// TestPingAndDialectMatchTheBackend: each backend reports its dialect, answers a ping
// while open and fails it once closed.
func TestPingAndDialectMatchTheBackend(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t, b.DSN)
			if got := s.Dialect(); got != b.Name {
				t.Errorf("Dialect() = %q, want %q", got, b.Name)
			}
			if err := s.Ping(ctx); err != nil {
				t.Fatalf("Ping on an open store: %v", err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := s.Ping(ctx); err == nil {
				t.Error("Ping on a closed store: got nil, want an error")
			}
		})
	}
}
