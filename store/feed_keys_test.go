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

// feedSigningKey is a signing key in state, created at at.
func feedSigningKey(id, state string, at time.Time) models.SigningKey {
	return models.SigningKey{ID: id, Algorithm: "ES256", State: state, PublicJWK: `{"kid":"` + id + `"}`,
		PrivateSealed: []byte("sealed-" + id), SealKeyID: "v1", CreatedAt: at}
}

// TestUpdateSigningKeysDecidesOnCurrentKeys: decide sees the keys as they are; its
// inserts, updates and effects are written together, and nothing is written when
// decide fails, an update finds no key or an insert conflicts.
func TestUpdateSigningKeysDecidesOnCurrentKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		k1 := feedSigningKey("kid-1", models.KeyActive, t0)
		k1.ActivatedAt = &t0
		if err := s.InsertSigningKey(ctx, &k1); err != nil {
			t.Fatal(err)
		}
		now := t0.Add(time.Minute)
		notAfter := now.Add(2 * time.Hour)
		err := s.UpdateSigningKeys(ctx, func(current []models.SigningKey) (models.KeyChanges, error) {
			if len(current) != 1 || current[0].ID != "kid-1" || current[0].State != models.KeyActive || !current[0].ActivatedAt.Equal(t0) {
				t.Errorf("decide saw %+v, want the one active key", current)
			}
			retired := current[0]
			retired.State, retired.RetiredAt, retired.NotAfter = models.KeyRetired, &now, &notAfter
			ch := models.KeyChanges{Insert: []models.SigningKey{feedSigningKey("kid-2", models.KeyNext, now)},
				Update: []models.SigningKey{retired}, Now: now}
			ch.Effects.Changed(models.ChangedSigningKeys, "")
			ch.Effects.Audit = []models.AuditEvent{*feedAudit(models.AuditSigningKeyRevoked, "kid-1", now)}
			return ch, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		keys, err := s.ListSigningKeys(ctx)
		if err != nil || len(keys) != 2 {
			t.Fatalf("ListSigningKeys: got %+v, %v; want 2 keys", keys, err)
		}
		if k := keys[0]; k.ID != "kid-1" || k.State != models.KeyRetired || k.RetiredAt == nil || !k.RetiredAt.Equal(now) ||
			k.NotAfter == nil || !k.NotAfter.Equal(notAfter) || !k.ActivatedAt.Equal(t0) || string(k.PrivateSealed) != "sealed-kid-1" {
			t.Errorf("updated key: got %+v", k)
		}
		if k := keys[1]; k.ID != "kid-2" || k.State != models.KeyNext || k.ActivatedAt != nil || !k.CreatedAt.Equal(now) {
			t.Errorf("inserted key: got %+v", k)
		}
		changes := feedChanges(t, s, t0)
		if len(changes) != 1 || changes[0].Kind != models.ChangedSigningKeys || !changes[0].CreatedAt.Equal(now) {
			t.Errorf("effects: got %+v, want one signing-keys change at %v", changes, now)
		}
		if audit, total, err := s.ListAudit(ctx, "kid-1", 10, 0); err != nil || total != 1 || !audit[0].At.Equal(now) {
			t.Errorf("effects' audit: got %+v, %v", audit, err)
		}

		boom := errors.New("boom")
		for _, tc := range []struct {
			name string
			ch   models.KeyChanges
			err  error
			want error
		}{
			{"decide fails", models.KeyChanges{Insert: []models.SigningKey{feedSigningKey("kid-3", models.KeyNext, now)}}, boom, boom},
			{"an update finds no key", models.KeyChanges{Insert: []models.SigningKey{feedSigningKey("kid-3", models.KeyNext, now)},
				Update: []models.SigningKey{feedSigningKey("ghost", models.KeyActive, now)}}, nil, models.ErrNotFound},
			{"an insert conflicts", models.KeyChanges{Insert: []models.SigningKey{feedSigningKey("kid-3", models.KeyNext, now),
				feedSigningKey("kid-2", models.KeyNext, now)}}, nil, models.ErrConflict},
		} {
			var seen []string
			err := s.UpdateSigningKeys(ctx, func(current []models.SigningKey) (models.KeyChanges, error) {
				for _, k := range current {
					seen = append(seen, k.ID+":"+k.State)
				}
				tc.ch.Now = now.Add(time.Hour)
				tc.ch.Effects.Changed(models.ChangedSigningKeys, tc.name)
				return tc.ch, tc.err
			})
			if !errors.Is(err, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
			}
			if want := []string{"kid-1:retired", "kid-2:next"}; !slices.Equal(seen, want) {
				t.Errorf("%s: decide saw %q, want %q", tc.name, seen, want)
			}
			if keys, _ := s.ListSigningKeys(ctx); len(keys) != 2 {
				t.Errorf("%s: %d keys after the failure, want 2", tc.name, len(keys))
			}
			if feedHasSubject(t, s, t0, tc.name) {
				t.Errorf("%s: effects recorded", tc.name)
			}
		}
	})
}

// TestSessionByLegacyRefreshFindsOnlyCurrentLegacyTokens: a token in
// legacy_refresh_tokens (as the migration leaves it) finds its session while it is
// the session's current token, and nothing once rotated either way.
func TestSessionByLegacyRefreshFindsOnlyCurrentLegacyTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := feedAccount(t, s)
		now := t0.Add(time.Minute)
		session := func() *models.Session {
			t.Helper()
			sess, code := pendingSession(t, s, f, 10*time.Minute)
			if err := activate(t, s, f, sess, code, now); err != nil {
				t.Fatal(err)
			}
			got, err := s.SessionByID(ctx, sess.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		legacy := func(sess *models.Session) {
			t.Helper()
			if err := s.ExecRaw(ctx, "INSERT INTO legacy_refresh_tokens (hash, session_id) VALUES (?, ?)", sess.RefreshHash, sess.ID); err != nil {
				t.Fatalf("insert legacy token: %v", err)
			}
		}
		notFound := func(what string, h []byte) {
			t.Helper()
			if got, err := s.SessionByLegacyRefresh(ctx, h); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("%s: got %+v, %v; want ErrNotFound", what, got, err)
			}
		}

		a := session()
		notFound("a current-format token", a.RefreshHash)
		legacy(a)
		got, err := s.SessionByLegacyRefresh(ctx, a.RefreshHash)
		if err != nil || got.ID != a.ID || got.UserID != f.user.ID || string(got.RefreshHash) != string(a.RefreshHash) ||
			got.VerifiedAt == nil || !got.VerifiedAt.Equal(now) || got.RefreshGen != 0 {
			t.Fatalf("SessionByLegacyRefresh: got %+v, %v", got, err)
		}
		notFound("an unknown hash", []byte(uuid.NewString()))
		if err := s.RotateLegacyRefresh(ctx, a.ID, a.RefreshHash, []byte("next"), now); err != nil {
			t.Fatal(err)
		}
		notFound("a legacy token rotated into the current format", a.RefreshHash)
		notFound("the token it was rotated into", []byte("next"))

		// Rotated by the current-format path while its legacy row stays behind.
		b := session()
		legacy(b)
		if _, err := s.RefreshCurrent(ctx, b.ID, 0, b.RefreshHash, []byte("gen-1"), now, time.Hour); err != nil {
			t.Fatal(err)
		}
		notFound("a legacy row no longer the session's token", b.RefreshHash)
	})
}
