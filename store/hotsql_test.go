package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

// TestHotInsertWritesWhatBunWrites: the hot path's inserts (values sent apart from
// the text, prepared once) leave every column as bun's own insert leaves it, stored
// type included, for rows with every field set and rows with the nil and zero fields
// bun writes as DEFAULT or NULL: times in the text form SQLite compares, NULL bytes,
// JSON lists, nil lists, booleans.
func TestHotInsertWritesWhatBunWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		later := t0.Add(90 * time.Second)
		maxAge := 30
		app := &models.Client{ID: "authd_app_" + uuid.NewString()[:8], Name: "App", Type: "web", IDTokenAlg: "RS256",
			RedirectURIs: []string{"https://app.example/cb"}, CreatedAt: t0, UpdatedAt: t0}
		if err := s.AddClient(ctx, app, models.Effects{}); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name, table, id string
			row             any
		}{
			{"pending session", "sessions", "s1", &models.Session{ID: "s1", UserID: f.user.ID, EmailID: f.email.ID, Kind: models.SessionWeb,
				IP: "192.0.2.1", UserAgent: "ua", CreatedAt: t0, ExpiresAt: later, LastSeenAt: t0}},
			{"app session", "sessions", "s2", &models.Session{ID: "s2", UserID: f.user.ID, Kind: models.SessionApp, IP: "192.0.2.1",
				CreatedAt: t0, ExpiresAt: later, LastSeenAt: t0, VerifiedAt: &t0, RefreshHash: []byte{1, 2, 3}, RefreshGen: 4,
				IdleSeconds: 60, ClientID: app.ID, Scope: "openid email", RegisterAlias: "ada2", RegisterFullName: "Ada Two"}},
			{"new auth request", "oauth_auth_requests", "r1", &models.AuthRequest{ID: "r1", ClientID: app.ID,
				RedirectURI: "https://app.example/cb", ResponseMode: "query", Scopes: []string{"openid", "email"}, State: "st",
				CreatedAt: t0, ExpiresAt: later}},
			{"answered auth request", "oauth_auth_requests", "r2", &models.AuthRequest{ID: "r2", ClientID: app.ID,
				RedirectURI: "https://app.example/cb", ResponseMode: "form_post", Scopes: []string{"openid"}, Prompt: []string{"none"},
				MaxAgeSeconds: &maxAge, Nonce: "n", CodeChallenge: "c", CodeChallengeMethod: "S256", UserID: f.user.ID,
				AuthTime: &t0, AMR: []string{"otp"}, CodeHash: []byte("h"), CodeExpiresAt: &later, CreatedAt: t0, ExpiresAt: later}},
			{"code", "verification_codes", "c1", &models.VerificationCode{ID: "c1", Purpose: models.PurposeSession, SubjectID: "s1",
				UserID: f.user.ID, EmailID: f.email.ID, CodeHash: []byte("hash"), CreatedAt: t0, ExpiresAt: later}},
			{"audit row", "audit_log", "a1", &models.AuditEvent{ID: "a1", At: t0, Action: "login", ActorID: f.user.ID, Detail: "x"}},
			{"change", "changes", "ch1", &models.Change{ID: "ch1", Kind: "client", Subject: app.ID, CreatedAt: t0}},
			{"event", "outbox_events", "e1", &models.OutboxEvent{ID: "e1", Type: "session.created", UserID: f.user.ID,
				Payload: `{"a":1}`, OccurredAt: t0}},
		}
		for _, tc := range cases {
			byBun, byHot, err := s.InsertBoth(ctx, tc.row, tc.table, tc.id)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			for col, want := range byBun {
				if got := byHot[col]; got != want {
					t.Errorf("%s: column %s is %q by the hot insert, %q by bun's", tc.name, col, got, want)
				}
			}
		}
	})
}
