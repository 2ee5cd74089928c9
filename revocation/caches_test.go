package revocation_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
	"github.com/authd/authd/revocation"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

var _ revocation.Store = (*store.Store)(nil)

func addUser(t *testing.T, st *store.Store, alias string) string {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Microsecond)
	u := models.User{ID: uuid.NewString(), Alias: alias, FullName: alias, Enabled: true, CreatedAt: now, UpdatedAt: now}
	err := st.CreateAccount(context.Background(), models.NewAccount{User: u, Roles: []string{models.RoleUser},
		Email: models.Email{ID: uuid.NewString(), UserID: u.ID, Address: alias + "@example.com", CreatedAt: now}}, models.Effects{})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestCommitEvictsOnlyWhatCommitted: a user's cached roles are read again at once
// after a committed change, and kept when the write failed (nothing changed).
func TestCommitEvictsOnlyWhatCommitted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := revocation.New(st, revocation.Options{SessionTTL: time.Hour})
		userID := addUser(t, st, "ada")
		if _, err := c.Identity(ctx, userID); err != nil {
			t.Fatal(err)
		}
		grant := func(role string) func(fx models.Effects) error {
			return func(fx models.Effects) error { return st.GrantRole(ctx, userID, role, time.Now(), fx) }
		}
		boom := errors.New("write failed")
		err := c.Commit(revocation.UserChanged(models.EventRoleGranted, userID, nil), func(fx models.Effects) error {
			if err := grant("auditor")(models.Effects{}); err != nil { // changed behind the cache's back
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("commit = %v, want the write's error", err)
		}
		if id, _ := c.Identity(ctx, userID); slices.Contains(id.Roles, "auditor") {
			t.Fatal("a failed write evicted the cache")
		}
		if err := c.Commit(revocation.UserChanged(models.EventRoleGranted, userID, nil), grant(models.RoleAdmin)); err != nil {
			t.Fatal(err)
		}
		id, err := c.Identity(ctx, userID)
		if err != nil || !slices.Contains(id.Roles, models.RoleAdmin) {
			t.Fatalf("after a committed grant: %v %v, want admin read again", id.Roles, err)
		}
	})
}

// TestEvictDropsWhatEachChangeCovers: a user revocation drops that user's session
// rows and roles, a session revocation one row, a token revocation is remembered;
// other users' entries stay.
func TestEvictDropsWhatEachChangeCovers(t *testing.T) {
	c := revocation.New(nil, revocation.Options{SessionTTL: time.Hour})
	c.PutSession(&models.SessionView{Session: models.Session{ID: "s1", UserID: "u1"}})
	c.PutSession(&models.SessionView{Session: models.Session{ID: "s2", UserID: "u1"}})
	c.PutSession(&models.SessionView{Session: models.Session{ID: "s3", UserID: "u2"}})
	c.PutKeyPair(&models.KeyPairOwner{KeyPair: models.KeyPair{ID: "k1", UserID: "u1", APIKey: "ak1"}})
	c.Evict(models.Change{Kind: models.RevokedSession, Subject: "s3"})
	if _, ok := c.Session("s3"); ok {
		t.Error("revoked session still cached")
	}
	if _, ok := c.Session("s1"); !ok {
		t.Error("another session was dropped")
	}
	c.Evict(models.Change{Kind: models.RevokedUser, Subject: "u1"})
	for _, id := range []string{"s1", "s2"} {
		if _, ok := c.Session(id); ok {
			t.Errorf("session %s of a revoked user still cached", id)
		}
	}
	if _, ok := c.KeyPair("ak1"); ok {
		t.Error("key pair of a revoked user still cached")
	}
	c.Evict(models.Change{Kind: models.RevokedToken, Subject: "jti-1"})
	if !c.TokenRevoked("jti-1") || c.TokenRevoked("jti-2") {
		t.Error("revoked token IDs not remembered exactly")
	}
}

// TestFeedEntriesOutliveWhatTheyCover: a revocation lives as long as the longest
// token or cached check it covers (a key pair: the longer of a client_credentials
// token and a gateway's cached check).
func TestFeedEntriesOutliveWhatTheyCover(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name              string
		horizon, keyTTL   time.Duration
		wantSession, want time.Duration
	}{
		{"tokens outlive the key cache", 15*time.Minute + 30*time.Second, 30 * time.Second, 15*time.Minute + 30*time.Second, 15*time.Minute + 30*time.Second},
		{"the key cache outlives tokens", time.Minute, 5 * time.Minute, time.Minute, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := revocation.New(nil, revocation.Options{TokenHorizon: tt.horizon, KeyPairTTL: tt.keyTTL})
			if got := c.SessionClosed("u", "s", now).Revocations[0].ExpiresAt.Sub(now); got != tt.wantSession {
				t.Errorf("session entry lives %s, want %s", got, tt.wantSession)
			}
			if got := c.KeyPairDeleted("u", "k", now).Revocations[0].ExpiresAt.Sub(now); got != tt.want {
				t.Errorf("key-pair entry lives %s, want %s", got, tt.want)
			}
			if got := c.TokenRevocation("jti", now).Revocations[0].ExpiresAt.Sub(now); got != tt.horizon {
				t.Errorf("token entry lives %s, want %s", got, tt.horizon)
			}
		})
	}
}

// TestFeedPages: the public feed lists live entries and refuses a cursor it did not
// give out.
func TestFeedPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		c := revocation.New(st, revocation.Options{})
		if err := st.Record(ctx, c.TokenRevocation("jti-9", now), now); err != nil {
			t.Fatal(err)
		}
		f, err := c.Revocations(ctx, "")
		if err != nil || len(f.Entries) != 1 || f.Entries[0].Subject != "jti-9" || f.More {
			t.Fatalf("feed = %+v, %v", f, err)
		}
		if _, err := c.Revocations(ctx, f.Cursor); err != nil {
			t.Fatalf("its own cursor: %v", err)
		}
		for _, bad := range []string{"x", "t-1", "tabc", "123"} {
			if _, err := c.Revocations(ctx, bad); models.KindOf(err) != models.KindInvalid {
				t.Errorf("cursor %q: %v, want invalid", bad, err)
			}
		}
	})
}

// TestAppsAreCachedUntilChanged: an app is read once and served from memory; an
// unknown ID is not remembered (it is found once it exists); a ChangedClient entry,
// here or from the change feed, drops it so the next read sees the change.
func TestAppsAreCachedUntilChanged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		c := revocation.New(st, revocation.Options{SessionTTL: time.Hour})
		const id = "authd_app_cached"
		if _, err := c.App(ctx, id); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("an unknown app: %v", err)
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		app := &models.Client{ID: id, Name: "One", Type: models.ClientWeb, RedirectURIs: []string{"https://a.example/cb"},
			PostLogoutRedirectURIs: []string{}, Scopes: []string{"openid"}, GrantTypes: []string{"authorization_code"},
			IDTokenAlg: "RS256", CreatedAt: now, UpdatedAt: now}
		if err := st.AddClient(ctx, app, models.Effects{}); err != nil {
			t.Fatal(err)
		}
		if got, err := c.App(ctx, id); err != nil || got.Name != "One" {
			t.Fatalf("a new app after a miss: %+v %v", got, err)
		}
		app.Name = "Two"
		if err := st.UpdateClient(ctx, app, models.Effects{}); err != nil { // behind the cache's back
			t.Fatal(err)
		}
		if got, _ := c.App(ctx, id); got.Name != "One" {
			t.Fatalf("the app was read again without a change entry: %q", got.Name)
		}
		c.Evict(models.Change{Kind: models.ChangedClient, Subject: id})
		if got, _ := c.App(ctx, id); got.Name != "Two" {
			t.Errorf("after its change entry the app is still %q", got.Name)
		}
	})
}
