package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
)

// probe is an Effects whose every entry names one fresh subject, so a test can tell
// exactly what a single write recorded: one revocation, two changes (the revocation's
// and a plain one) and one audit row.
type probe struct {
	subject string
	fx      models.Effects
}

func newProbe() probe {
	p := probe{subject: uuid.NewString()}
	p.fx.Revoke(models.RevokedUser, p.subject, t0.Add(48*time.Hour)).Changed(models.ChangedSession, p.subject)
	p.fx.Audit = []models.AuditEvent{{ID: uuid.NewString(), At: t0, Action: "test.probe",
		ActorID: models.ActorOperator, TargetID: p.subject, Detail: "probe"}}
	return p
}

// recorded is what the feeds and the audit log hold for a probe's subject.
type recorded struct{ changes, revocations, audit int }

var (
	recordedAll  = recorded{changes: 2, revocations: 1, audit: 1}
	recordedNone = recorded{}
)

// recordedOf counts the entries naming p's subject; every feed entry must carry at
// (the write's time) as its creation time.
func recordedOf(t *testing.T, s *store.Store, p probe, at time.Time) recorded {
	t.Helper()
	ctx := context.Background()
	var got recorded
	changes, err := s.Changes(ctx, t0.Add(-48*time.Hour), "", 10000)
	if err != nil {
		t.Fatalf("Changes: %v", err)
	}
	for _, c := range changes {
		if c.Subject != p.subject {
			continue
		}
		got.changes++
		if !c.CreatedAt.Equal(at) {
			t.Errorf("change %s created at %v, want %v", c.Kind, c.CreatedAt, at)
		}
	}
	revs, err := s.Revocations(ctx, t0.Add(-48*time.Hour), t0.Add(-time.Hour), 10000)
	if err != nil {
		t.Fatalf("Revocations: %v", err)
	}
	for _, r := range revs {
		if r.Subject != p.subject {
			continue
		}
		got.revocations++
		if r.Kind != models.RevokedUser || !r.CreatedAt.Equal(at) || !r.ExpiresAt.Equal(t0.Add(48*time.Hour)) {
			t.Errorf("revocation: got %+v, want kind user created %v", r, at)
		}
	}
	_, got.audit, err = s.ListAudit(ctx, p.subject, 10, 0)
	if err != nil {
		t.Fatalf("ListAudit: %v", err)
	}
	return got
}

// wantRecorded fails unless the write that took p recorded want.
func wantRecorded(t *testing.T, s *store.Store, p probe, at time.Time, want recorded) {
	t.Helper()
	if got := recordedOf(t, s, p, at); got != want {
		t.Errorf("effects recorded: got %+v, want %+v", got, want)
	}
}

// wantErr fails unless err is want (nil meaning success).
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if want == nil && err != nil || want != nil && !errors.Is(err, want) {
		t.Errorf("%s: got error %v, want %v", what, err, want)
	}
}

// accountAt creates an account like newAccount, created at at.
func accountAt(t *testing.T, s *store.Store, alias string, at time.Time) fixture {
	t.Helper()
	u := models.User{ID: uuid.NewString(), Alias: alias, FullName: "Ada " + alias, Enabled: true, CreatedAt: at, UpdatedAt: at}
	e := models.Email{ID: uuid.NewString(), UserID: u.ID, Address: alias + "@example.com", CreatedAt: at}
	err := s.CreateAccount(context.Background(), models.NewAccount{
		User: u, Roles: []string{models.RoleUser}, Groups: []string{models.GroupPublic}, Email: e,
	}, models.Effects{})
	if err != nil {
		t.Fatalf("CreateAccount(%s): %v", alias, err)
	}
	return fixture{user: u, email: e}
}

// keyPairOf builds an unverified key pair of f's user created at at, and the code
// that verifies it (sent to f's address, live for ten minutes).
func keyPairOf(f fixture, at time.Time) (models.KeyPair, models.VerificationCode) {
	k := models.KeyPair{ID: uuid.NewString(), UserID: f.user.ID, Name: "ci", APIKey: "ak_" + uuid.NewString(),
		SecretHash: []byte("secret-hash"), CreatedAt: at, ExpiresAt: at.Add(90 * 24 * time.Hour)}
	return k, codeFor(f, models.PurposeKeyPair, k.ID, at)
}

// addKeyPair stores a key pair of f's user created at at, with its code.
func addKeyPair(t *testing.T, s *store.Store, f fixture, at time.Time) (models.KeyPair, models.VerificationCode) {
	t.Helper()
	k, c := keyPairOf(f, at)
	if err := s.AddKeyPair(context.Background(), &k, &c, 100, models.Effects{}); err != nil {
		t.Fatalf("AddKeyPair: %v", err)
	}
	return k, c
}

// emailOf builds an unverified address of f's user created at at, and its code.
func emailOf(f fixture, address string, at time.Time) (models.Email, models.VerificationCode) {
	e := models.Email{ID: uuid.NewString(), UserID: f.user.ID, Address: address, CreatedAt: at}
	c := codeFor(f, models.PurposeEmail, e.ID, at)
	c.EmailID = e.ID // an address's code goes to that address
	return e, c
}

// addEmail stores an unverified address of f's user created at at, with its code.
func addEmail(t *testing.T, s *store.Store, f fixture, address string, at time.Time) (models.Email, models.VerificationCode) {
	t.Helper()
	e, c := emailOf(f, address, at)
	if err := s.AddEmail(context.Background(), &e, &c, 100); err != nil {
		t.Fatalf("AddEmail(%s): %v", address, err)
	}
	return e, c
}

func codeFor(f fixture, purpose, subject string, at time.Time) models.VerificationCode {
	return models.VerificationCode{ID: uuid.NewString(), Purpose: purpose, SubjectID: subject, UserID: f.user.ID,
		EmailID: f.email.ID, CodeHash: []byte("hash-" + subject), CreatedAt: at, ExpiresAt: at.Add(10 * time.Minute)}
}

// verifiedSession stores an admin-style session of f's user that needs no code.
func verifiedSession(t *testing.T, s *store.Store, f fixture, created, expires time.Time) models.Session {
	t.Helper()
	sess := models.Session{ID: uuid.NewString(), UserID: f.user.ID, Kind: models.SessionWeb, IP: "192.0.2.9",
		UserAgent: "admin", CreatedAt: created, ExpiresAt: expires, LastSeenAt: created, VerifiedAt: &created,
		RefreshHash: []byte(uuid.NewString())}
	if err := s.CreateVerifiedSession(context.Background(), &sess, models.Effects{}); err != nil {
		t.Fatalf("CreateVerifiedSession: %v", err)
	}
	return sess
}

// idsOf returns the IDs of rows, in order.
func idsOf[T any](rows []T, id func(T) string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = id(r)
	}
	return out
}

func errorsIsNotFound(err error) bool { return errors.Is(err, models.ErrNotFound) }

// wantCodeOutcome checks what a code verification left: on failure the code as it was
// before; on success the subject verified at now and the code spent at now.
func wantCodeOutcome(t *testing.T, failed bool, before, after models.VerificationCode, verified bool, verifiedAt *time.Time, now time.Time) {
	t.Helper()
	if failed {
		if (before.UsedAt == nil) != (after.UsedAt == nil) {
			t.Errorf("failed verification changed the code: used %v -> %v", before.UsedAt, after.UsedAt)
		}
		return
	}
	if !verified || verifiedAt == nil || !verifiedAt.Equal(now) {
		t.Errorf("after verification: got verified=%v at %v, want true at %v", verified, verifiedAt, now)
	}
	if after.UsedAt == nil || !after.UsedAt.Equal(now) {
		t.Errorf("code used at: got %v, want %v", after.UsedAt, now)
	}
}
