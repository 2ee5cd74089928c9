package store_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

// feedApp registers an app; uri is its back-channel logout URI ("" for none).
func feedApp(t *testing.T, s *store.Store, id, uri string) {
	t.Helper()
	app := &models.Client{ID: id, Name: id, Type: models.ClientWeb, RedirectURIs: []string{"https://app.example.com/cb"},
		PostLogoutRedirectURIs: []string{}, BackchannelLogoutURI: uri, Scopes: []string{"openid"},
		GrantTypes: []string{"authorization_code"}, IDTokenAlg: "RS256", CreatedAt: t0, UpdatedAt: t0}
	if err := s.AddClient(context.Background(), app, models.Effects{}); err != nil {
		t.Fatal(err)
	}
}

// feedAppSession stores an open session of f's user opened by the app clientID ("":
// an API session).
func feedAppSession(t *testing.T, s *store.Store, f fixture, clientID string) models.Session {
	t.Helper()
	sess := models.Session{ID: uuid.NewString(), UserID: f.user.ID, Kind: models.SessionWeb, IP: "192.0.2.9",
		UserAgent: "app", CreatedAt: t0, ExpiresAt: t0.Add(24 * time.Hour), LastSeenAt: t0, VerifiedAt: &t0,
		RefreshHash: []byte(uuid.NewString())}
	if clientID != "" {
		sess.Kind, sess.ClientID = models.SessionApp, clientID
	}
	if err := s.CreateVerifiedSession(context.Background(), &sess, models.Effects{}); err != nil {
		t.Fatalf("CreateVerifiedSession: %v", err)
	}
	return sess
}

// feedAppLogouts claims the due deliveries, as "endpoint/sessionID", and marks them
// delivered.
func feedAppLogouts(t *testing.T, s *store.Store, now time.Time) []string {
	t.Helper()
	ds, err := s.ClaimDeliveries(context.Background(), now, time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, d := range ds {
		var ev struct{ Data map[string]string }
		if err := json.Unmarshal([]byte(d.Payload), &ev); err != nil || d.Type != models.EventAppLogout || !models.IsAppEndpoint(d.Endpoint) {
			t.Errorf("delivery %+v: want an app logout to an app", d)
		}
		out = append(out, d.Endpoint+"/"+ev.Data["sessionID"])
		d.Status, d.Attempts, d.DeliveredAt = models.DeliveryDelivered, 1, &now
		if err := s.FinishDelivery(context.Background(), d.EventDelivery); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(out)
	return out
}

// TestAppLogoutsAreQueuedForTheSessionsAChangeEnds: a change that asks for it
// (Effects.LogoutApps) queues one back-channel logout delivery for each open app
// session it ends whose app has a back-channel logout URI, in its transaction:
// closing sessions by ID, disabling and deleting the account. Apps without a URI,
// API sessions, sessions already closed and changes that do not ask get none, and a
// webhook route never receives these events.
func TestAppLogoutsAreQueuedForTheSessionsAChangeEnds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		feedApp(t, s, "authd_app_told", "https://told.example/bc")
		feedApp(t, s, "authd_app_quiet", "")
		now := t0.Add(time.Hour)
		logout := models.Effects{LogoutApps: true}

		f := feedAccount(t, s)
		told, quiet, api := feedAppSession(t, s, f, "authd_app_told"), feedAppSession(t, s, f, "authd_app_quiet"), feedAppSession(t, s, f, "")
		closed := feedAppSession(t, s, f, "authd_app_told")
		if err := s.RevokeSessions(ctx, f.user.ID, []string{closed.ID}, now, models.Effects{}); err != nil {
			t.Fatal(err)
		}
		if got := feedAppLogouts(t, s, now); len(got) != 0 {
			t.Fatalf("a change that did not ask queued %v", got)
		}
		if err := s.RevokeSessions(ctx, f.user.ID, []string{told.ID, quiet.ID, api.ID, closed.ID}, now, logout); err != nil {
			t.Fatal(err)
		}
		if n, err := s.RouteEvents(ctx, []models.EventRoute{{Name: "all"}}, t0, now, 100); err != nil || n != 0 {
			t.Errorf("RouteEvents routed %d app logouts to a webhook (%v)", n, err)
		}
		if got, want := feedAppLogouts(t, s, now), []string{"app:authd_app_told/" + told.ID}; !slices.Equal(got, want) {
			t.Errorf("closing sessions queued %v, want %v", got, want)
		}

		one := feedAppSession(t, s, f, "authd_app_told")
		if err := s.RevokeSession(ctx, f.user.ID, one.ID, now, logout); err != nil {
			t.Fatal(err)
		}
		disabled := feedAccount(t, s)
		d1, d2 := feedAppSession(t, s, disabled, "authd_app_told"), feedAppSession(t, s, disabled, "authd_app_told")
		if err := s.SetUserEnabled(ctx, disabled.user.ID, false, now, logout); err != nil {
			t.Fatal(err)
		}
		deleted := feedAccount(t, s)
		gone := feedAppSession(t, s, deleted, "authd_app_told")
		if err := s.DeleteUser(ctx, deleted.user.ID, now, logout); err != nil {
			t.Fatal(err)
		}
		// One per user and app is first in line: the second round gets the other of d1, d2.
		got := append(feedAppLogouts(t, s, now), feedAppLogouts(t, s, now)...)
		want := []string{"app:authd_app_told/" + one.ID, "app:authd_app_told/" + d1.ID, "app:authd_app_told/" + d2.ID,
			"app:authd_app_told/" + gone.ID}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("closing, disabling and deleting queued %v, want %v", got, want)
		}
	})
}

// TestSessionWithItsEventsIsOneWrite: a session stored with lifecycle events only (an
// app session's) is one statement on Postgres, the row and its events together or
// neither: a second insert of the same ID fails and queues no event.
func TestSessionWithItsEventsIsOneWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := feedAccount(t, s)
		count := &statements{}
		counted := s.WithQueryHook(count)
		sess := models.Session{ID: uuid.NewString(), UserID: f.user.ID, Kind: models.SessionApp, IP: "192.0.2.9",
			UserAgent: "app", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), LastSeenAt: t0, VerifiedAt: &t0}
		var fx models.Effects
		fx.Emit(models.EventSessionCreated, f.user.ID, map[string]string{"sessionID": sess.ID}).
			Emit(models.EventUserEnabled, f.user.ID, nil)
		n := count.during(func() {
			if err := counted.CreateVerifiedSession(ctx, &sess, fx); err != nil {
				t.Fatal(err)
			}
		})
		if s.Dialect() == store.Postgres && n != 1 {
			t.Errorf("a session with two events took %d statements on Postgres, want 1", n)
		}
		again := sess
		if err := s.CreateVerifiedSession(ctx, &again, fx); err == nil {
			t.Fatal("a second session with the same ID was stored")
		}
		if routed, err := s.RouteEvents(ctx, []models.EventRoute{{Name: "all"}}, t0, t0.Add(time.Hour), 100); err != nil || routed != 2 {
			t.Errorf("events queued: %d (%v), want the first insert's 2 only", routed, err)
		}
		if got, err := s.SessionByID(ctx, sess.ID); err != nil || got.UserID != f.user.ID {
			t.Errorf("the session: %+v %v", got, err)
		}
	})
}
