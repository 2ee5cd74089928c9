package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

// TestRouteEventsQueuesEachEventOnceForMatchingRoutes: an event goes to every route
// that takes its type (no types: all), an event older than since is marked routed
// with no delivery, and a routed event is never routed again.
func TestRouteEventsQueuesEachEventOnceForMatchingRoutes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		routes := []models.EventRoute{
			{Name: "all"},
			{Name: "users", Types: []string{models.EventUserCreated, models.EventUserDeleted}},
			{Name: "none", Types: []string{models.EventRoleGranted}},
		}
		since := t0.Add(time.Minute)
		feedEvent(t, s, models.EventUserCreated, "old", since.Add(-time.Microsecond))
		feedEvent(t, s, models.EventUserCreated, "u1", since)
		feedEvent(t, s, models.EventSessionCreated, "u2", since.Add(time.Second))
		feedEvent(t, s, models.EventUserDeleted, "u3", since.Add(2*time.Second))
		now := since.Add(time.Hour)

		// limit takes the oldest first.
		if n, err := s.RouteEvents(ctx, routes, since, now, 2); err != nil || n != 2 {
			t.Fatalf("first RouteEvents: got %d, %v; want 2", n, err)
		}
		if n, err := s.RouteEvents(ctx, routes, since, now, 10); err != nil || n != 2 {
			t.Fatalf("second RouteEvents: got %d, %v; want the 2 left", n, err)
		}
		if n, err := s.RouteEvents(ctx, routes, since, now, 10); err != nil || n != 0 {
			t.Fatalf("third RouteEvents: got %d, %v; want 0", n, err)
		}
		got, err := s.ClaimDeliveries(ctx, now, time.Minute, 100)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"all/session.created/u2", "all/user.created/u1", "all/user.deleted/u3",
			"users/user.created/u1", "users/user.deleted/u3",
		}
		if keys := feedKeys(got); !slices.Equal(keys, want) {
			t.Errorf("deliveries: got %q, want %q", keys, want)
		}
		for _, d := range got {
			if d.Status != models.DeliveryPending || !d.NextAttemptAt.Equal(now) || d.Attempts != 0 {
				t.Errorf("new delivery %+v: want pending, due at %v, no attempts", d.EventDelivery, now)
			}
		}

		// An event recorded after routing is routed on the next call.
		feedEvent(t, s, models.EventUserDeleted, "u4", now)
		if n, err := s.RouteEvents(ctx, routes[1:2], since, now, 10); err != nil || n != 1 {
			t.Fatalf("RouteEvents of a new event: got %d, %v; want 1", n, err)
		}
		got, err = s.ClaimDeliveries(ctx, now, time.Minute, 100)
		if err != nil || !slices.Equal(feedKeys(got), []string{"users/user.deleted/u4"}) {
			t.Errorf("deliveries of the new event: got %q, %v", feedKeys(got), err)
		}
	})
}

// TestClaimDeliveriesLeasesFirstInLinePerEndpointAndUser: only due deliveries are
// claimed, oldest first, one per endpoint and user; a lease keeps them off until it
// lapses, and finishing one lets the user's next event through.
func TestClaimDeliveriesLeasesFirstInLinePerEndpointAndUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		feedEvent(t, s, models.EventUserCreated, "u1", t0.Add(1*time.Second))
		feedEvent(t, s, models.EventSessionCreated, "u2", t0.Add(2*time.Second))
		feedEvent(t, s, models.EventSessionCreated, "u1", t0.Add(3*time.Second))
		routes := []models.EventRoute{{Name: "a"}, {Name: "b", Types: []string{models.EventSessionCreated}}}
		now := t0.Add(time.Minute)
		if _, err := s.RouteEvents(ctx, routes, t0, now, 10); err != nil {
			t.Fatal(err)
		}
		claim := func(at time.Time, limit int) []models.DeliveryView {
			t.Helper()
			got, err := s.ClaimDeliveries(ctx, at, time.Minute, limit)
			if err != nil {
				t.Fatalf("ClaimDeliveries(%v): %v", at, err)
			}
			return got
		}
		if got := claim(now.Add(-time.Microsecond), 10); len(got) != 0 {
			t.Fatalf("before they are due: claimed %q", feedKeys(got))
		}
		// u1's session.created waits behind its user.created at a, not at b.
		first := claim(now, 10)
		var order []string // by event; the two deliveries of one event may come either way
		for _, d := range first {
			order = append(order, d.UserID+"/"+d.Type)
		}
		if want := []string{"u1/user.created", "u2/session.created", "u2/session.created", "u1/session.created"}; !slices.Equal(order, want) {
			t.Errorf("claim order: got %q, want %q (oldest first)", order, want)
		}
		if want := []string{"a/session.created/u2", "a/user.created/u1", "b/session.created/u1", "b/session.created/u2"}; !slices.Equal(feedKeys(first), want) {
			t.Fatalf("claimed %q, want %q", feedKeys(first), want)
		}
		if !first[0].OccurredAt.Equal(t0.Add(time.Second)) || utcOffset(first[0].OccurredAt) != 0 {
			t.Errorf("first claimed occurred at %v, want %v in UTC", first[0].OccurredAt, t0.Add(time.Second))
		}
		var body struct {
			ID, Type string
			Data     map[string]string
		}
		if err := json.Unmarshal([]byte(first[0].Payload), &body); err != nil || body.ID != first[0].EventID ||
			body.Type != models.EventUserCreated || body.Data["userId"] != "u1" {
			t.Errorf("payload %q (%v): want the event's id, type and data", first[0].Payload, err)
		}
		if got := claim(now, 10); len(got) != 0 {
			t.Fatalf("while leased: claimed %q", feedKeys(got))
		}
		if got := claim(now.Add(time.Minute), 10); len(got) != 0 {
			t.Fatalf("at the end of the lease: claimed %q", feedKeys(got))
		}
		lapsed := now.Add(time.Minute + time.Microsecond)
		if got := claim(lapsed, 2); len(got) != 2 || got[0].EventID != first[0].EventID {
			t.Fatalf("after the lease lapsed (limit 2): claimed %q, want the 2 oldest again", feedKeys(got))
		}

		// Delivered: u1's next event at a is first in line now.
		done := first[0].EventDelivery
		done.Status, done.Attempts, done.DeliveredAt = models.DeliveryDelivered, 1, &lapsed
		if err := s.FinishDelivery(ctx, done); err != nil {
			t.Fatal(err)
		}
		later := lapsed.Add(2 * time.Minute)
		got := claim(later, 10)
		if !slices.Contains(feedKeys(got), "a/session.created/u1") || slices.Contains(feedKeys(got), "a/user.created/u1") {
			t.Errorf("after delivery: claimed %q, want u1's next event at a and not the delivered one", feedKeys(got))
		}
		// A retry is not due before its next attempt, and its lease is cleared.
		retry := got[0].EventDelivery
		retry.Attempts, retry.NextAttemptAt, retry.LastError = 1, later.Add(time.Hour), "timeout"
		if err := s.FinishDelivery(ctx, retry); err != nil {
			t.Fatal(err)
		}
		for _, d := range claim(later.Add(time.Hour-time.Microsecond), 10) {
			if d.EventID == retry.EventID && d.Endpoint == retry.Endpoint {
				t.Fatal("a retry was claimed before its next attempt")
			}
		}
		again := claim(later.Add(time.Hour), 10)
		i := slices.IndexFunc(again, func(d models.DeliveryView) bool { return d.EventID == retry.EventID && d.Endpoint == retry.Endpoint })
		if i < 0 || again[i].Attempts != 1 || again[i].LastError != "timeout" {
			t.Errorf("retry at its next attempt: got %+v, want it claimed with 1 attempt and its error", again)
		}
	})
}

// TestFailedDeliveriesPageAndReplay covers FinishDelivery (failed for good, unknown),
// FailedDeliveries (newest first, total, paging) and ReplayDelivery.
func TestFailedDeliveriesPageAndReplay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		users := []string{"u1", "u2", "u3"}
		for i, u := range users {
			feedEvent(t, s, models.EventUserCreated, u, t0.Add(time.Duration(i)*time.Second))
		}
		now := t0.Add(time.Minute)
		if _, err := s.RouteEvents(ctx, []models.EventRoute{{Name: "hook"}}, t0, now, 10); err != nil {
			t.Fatal(err)
		}
		claimed, err := s.ClaimDeliveries(ctx, now, time.Minute, 10)
		if err != nil || len(claimed) != 3 {
			t.Fatalf("ClaimDeliveries: got %d, %v; want 3", len(claimed), err)
		}
		for i, d := range claimed {
			d.Attempts, d.LastError = 5, "HTTP 500"
			d.Status = models.DeliveryFailed
			if i == 0 {
				d.Status, d.DeliveredAt = models.DeliveryDelivered, &now
			}
			if err := s.FinishDelivery(ctx, d.EventDelivery); err != nil {
				t.Fatal(err)
			}
		}
		unknown := claimed[0].EventDelivery
		unknown.Endpoint = "elsewhere"
		if err := s.FinishDelivery(ctx, unknown); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("FinishDelivery of an unknown delivery: got %v, want ErrNotFound", err)
		}

		page, total, err := s.FailedDeliveries(ctx, 1, 0)
		if err != nil || total != 2 || len(page) != 1 || page[0].UserID != "u3" {
			t.Fatalf("first page: got %q (total %d), %v; want u3 of 2", feedKeys(page), total, err)
		}
		if d := page[0]; d.Attempts != 5 || d.LastError != "HTTP 500" || d.DeliveredAt != nil || d.LeaseUntil != nil || d.Type != models.EventUserCreated || d.Payload == "" {
			t.Errorf("failed delivery: got %+v", d)
		}
		page, total, err = s.FailedDeliveries(ctx, 10, 1)
		if err != nil || total != 2 || len(page) != 1 || page[0].UserID != "u2" {
			t.Fatalf("second page: got %q (total %d), %v; want u2 of 2", feedKeys(page), total, err)
		}

		for _, tc := range []struct {
			name, eventID, endpoint string
		}{
			{"a delivered one", claimed[0].EventID, "hook"},
			{"another endpoint", claimed[1].EventID, "elsewhere"},
			{"an unknown event", "nope", "hook"},
		} {
			if err := s.ReplayDelivery(ctx, tc.eventID, tc.endpoint, now); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("ReplayDelivery of %s: got %v, want ErrNotFound", tc.name, err)
			}
		}
		replayAt := now.Add(time.Hour)
		if err := s.ReplayDelivery(ctx, claimed[2].EventID, "hook", replayAt); err != nil {
			t.Fatal(err)
		}
		if err := s.ReplayDelivery(ctx, claimed[2].EventID, "hook", replayAt); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("second ReplayDelivery: got %v, want ErrNotFound", err)
		}
		if page, total, _ := s.FailedDeliveries(ctx, 10, 0); total != 1 || page[0].UserID != "u2" {
			t.Errorf("failed after replay: got %q (total %d), want only u2", feedKeys(page), total)
		}
		if got, _ := s.ClaimDeliveries(ctx, replayAt.Add(-time.Microsecond), time.Minute, 10); len(got) != 0 {
			t.Errorf("replayed delivery claimed before its time: %q", feedKeys(got))
		}
		got, err := s.ClaimDeliveries(ctx, replayAt, time.Minute, 10)
		if err != nil || len(got) != 1 || got[0].UserID != "u3" || got[0].Attempts != 0 || got[0].LastError != "" || got[0].Status != models.DeliveryPending {
			t.Errorf("replayed delivery: got %+v, %v; want u3 pending with a fresh start", got, err)
		}
	})
}
