package apikeys

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/codes"
	"github.com/authd/authd/models"
	"github.com/authd/authd/revocation"
)

// Key and secret prefixes let secret scanners recognise leaked credentials.
const (
	apiKeyPrefix = "authd_ak_"
	secretPrefix = "authd_sk_"
)

var errBadKeyPair = models.E(models.KindUnauthorized, "invalid API key pair")

// hashSecret binds a secret to its key under the server pepper (authn.CredentialHash).
func hashSecret(pepper []byte, apiKey, secret string) []byte {
	return authn.CredentialHash(pepper, "authd-secret/v1", apiKey, secret)
}

// AuthenticateKeyPair checks an api-key / api-secret pair. A pair that is unknown,
// has a wrong secret, is unverified or expired, or whose owner is disabled gets the
// same 401. Checked pairs are trusted from memory for the caches' key-pair TTL.
func (s *Service) AuthenticateKeyPair(ctx context.Context, apiKey, secret, ip string) (*authn.Principal, error) {
	now := s.now()
	if err := s.guard.CheckKeyPairIP(ip); err != nil {
		return nil, err
	}
	p, err := s.authenticateKeyPair(ctx, apiKey, secret, ip, now)
	if errors.Is(err, errBadKeyPair) {
		s.guard.KeyPairIPFailed(ctx, ip)
	}
	return p, err
}

func (s *Service) authenticateKeyPair(ctx context.Context, apiKey, secret, ip string, now time.Time) (*authn.Principal, error) {
	if !authn.WellFormedCredential(apiKey, apiKeyPrefix, 16) || !authn.WellFormedCredential(secret, secretPrefix, 32) {
		return nil, errBadKeyPair
	}
	want := hashSecret(s.o.SecretPepper, apiKey, secret)
	owner, cached := s.caches.KeyPair(apiKey)
	if !cached {
		var err error
		owner, err = s.store.KeyPairByAPIKey(ctx, apiKey)
		if errors.Is(err, models.ErrNotFound) {
			return nil, errBadKeyPair
		}
		if err != nil {
			return nil, models.Internal(err)
		}
	}
	k := owner.KeyPair
	if why := unusable(owner, want, now); why != "" {
		// A real key: its owner's audit log shows the attempt (never the secret).
		s.audit.Record(ctx, models.AuditKeyPairFailed, authn.Actor{Client: authn.Client{IP: ip}}, k.UserID, "key pair "+k.ID+": "+why)
		return nil, errBadKeyPair
	}
	if !cached {
		s.caches.PutKeyPair(owner)
	}
	s.markUsed(k.ID, now)
	return authn.ForKeyPair(owner), nil
}

// unusable says why a found key pair does not authenticate with the secret hashing to
// want, or "" when it does.
func unusable(o *models.KeyPairOwner, want []byte, now time.Time) string {
	k := o.KeyPair
	switch {
	case !hmac.Equal(want, k.SecretHash):
		return "wrong secret"
	case !k.Verified:
		return "not verified"
	case !now.Before(k.ExpiresAt):
		return "expired"
	case !o.Identity.User.Enabled:
		return "owner disabled"
	}
	return ""
}

// FlushKeyPairUse writes the last-use times gathered since the previous flush.
// It also writes the audit rows of the client_credentials tokens issued meanwhile.
func (s *Service) FlushKeyPairUse(ctx context.Context) error {
	used, issued := s.takeUsed()
	for keyID, n := range issued {
		detail := fmt.Sprintf("client_credentials with key pair %s: %d token(s) from %s to %s", keyID, n.count,
			n.first.Format(time.RFC3339), n.last.Format(time.RFC3339))
		s.audit.Record(ctx, models.AuditTokenIssued, authn.Actor{ID: n.userID, Client: n.client}, n.userID, detail)
	}
	if len(used) == 0 {
		return nil
	}
	return s.store.RecordKeyPairUse(ctx, used)
}

// NewKeyPair is what POST /keypair answers; the secret is never shown again.
type NewKeyPair struct {
	APIKey, APISecret, KeyID, Name string
	ExpiresAt                      time.Time
	VerificationCodeID             string
}

// CreateKeyPair makes an unverified key pair and emails its code to the preferred
// address. Only a person's session may create one.
func (s *Service) CreateKeyPair(ctx context.Context, p *authn.Principal, name string, days int) (*NewKeyPair, error) {
	if err := authn.RequireVerified(p); err != nil {
		return nil, err
	}
	// Its code goes to the caller's own verified address: counted per IP only, so an
	// integrator can create several pairs in a row.
	if err := s.guard.AllowSend(ctx, "", p.Client.IP, nil); err != nil {
		return nil, err
	}
	k, err := s.newKeyPair(ctx, p.UserID, name, days, true)
	if err != nil {
		return nil, err
	}
	s.audit.Own(ctx, p, models.AuditKeyPairCreated, "key pair "+k.KeyID)
	return k, nil
}

// newKeyPair validates and stores an unverified pair for userID, with a code sent to
// the preferred address when withCode is set (an admin creates pairs without one).
func (s *Service) newKeyPair(ctx context.Context, userID, name string, days int, withCode bool) (*NewKeyPair, error) {
	name, err := NormalizeKeyName(name)
	if err != nil {
		return nil, err
	}
	if days < 1 || days > s.o.MaxDays {
		return nil, models.Invalid(fmt.Sprintf("days must be 1 to %d", s.o.MaxDays))
	}
	apiKey, err := authn.NewCredential(s.o.Rand, apiKeyPrefix, 16)
	if err != nil {
		return nil, models.Internal(err)
	}
	secret, err := authn.NewCredential(s.o.Rand, secretPrefix, 32)
	if err != nil {
		return nil, models.Internal(err)
	}
	now := s.now()
	k := &models.KeyPair{ID: uuid.NewString(), UserID: userID, Name: name, APIKey: apiKey,
		SecretHash: hashSecret(s.o.SecretPepper, apiKey, secret), CreatedAt: now,
		ExpiresAt: now.Add(time.Duration(days) * 24 * time.Hour)}
	var (
		code  *models.VerificationCode
		plain string
		email *models.Email
	)
	if withCode {
		if email, err = s.store.PreferredEmail(ctx, userID); err != nil {
			return nil, models.Internal(err)
		}
		owner := models.EmailOwner{Email: *email, User: models.User{ID: userID}}
		if code, plain, err = s.codes.Issue(models.PurposeKeyPair, k.ID, owner, now, now.Add(s.codes.TTL())); err != nil {
			return nil, err
		}
	}
	switch err := s.store.AddKeyPair(ctx, k, code, s.o.MaxPerUser, revocation.KeyPairCreated(userID, k.ID)); {
	case errors.Is(err, models.ErrLimit):
		return nil, models.Wrap(models.KindConflict, fmt.Sprintf("at most %d key pairs per user", s.o.MaxPerUser), err)
	case errors.Is(err, models.ErrNotFound):
		return nil, errNoUser
	case err != nil:
		return nil, models.Internal(err)
	}
	out := &NewKeyPair{APIKey: apiKey, APISecret: secret, KeyID: k.ID, Name: name, ExpiresAt: k.ExpiresAt}
	if withCode {
		s.codes.Send(ctx, models.CodeEmail{To: email.Address, Code: plain, Purpose: models.PurposeKeyPair, ExpiresAt: code.ExpiresAt})
		out.VerificationCodeID = code.ID
	}
	return out, nil
}

// VerifyKeyPair checks the code sent for one of the caller's key pairs.
func (s *Service) VerifyKeyPair(ctx context.Context, p *authn.Principal, codeID, code string) error {
	c, err := s.codes.CheckOwn(ctx, p, models.PurposeKeyPair, codeID, code)
	if err != nil {
		return err
	}
	if err := s.store.VerifyKeyPairCode(ctx, c, s.now()); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return codes.ErrBad(err)
		}
		return models.Internal(err)
	}
	s.audit.Own(ctx, p, models.AuditKeyPairVerify, "key pair "+c.SubjectID)
	return nil
}

// KeyPairView is one key pair as its owner sees it; the secret is never in it.
type KeyPairView struct {
	APIKey, KeyID, Name string
	ExpiresAt           time.Time
	Verified            bool
	LastUsedAt          *time.Time
}

// KeyPairInfo describes the key pair the caller authenticated with (GET /keypair).
func (s *Service) KeyPairInfo(p *authn.Principal) (*KeyPairView, *models.Identity, error) {
	if p.KeyPair() == nil {
		return nil, nil, models.E(models.KindUnauthorized, "this endpoint needs an api-key and api-secret")
	}
	k := p.KeyPair().KeyPair
	return &KeyPairView{APIKey: k.APIKey, KeyID: k.ID, Name: k.Name, ExpiresAt: k.ExpiresAt, Verified: k.Verified}, &p.KeyPair().Identity, nil
}

// ListKeyPairs lists the caller's key pairs.
func (s *Service) ListKeyPairs(ctx context.Context, p *authn.Principal) ([]KeyPairView, error) {
	if err := authn.RequireUser(p); err != nil {
		return nil, err
	}
	rows, err := s.store.KeyPairsOfUser(ctx, p.UserID)
	if err != nil {
		return nil, models.Internal(err)
	}
	out := make([]KeyPairView, 0, len(rows))
	for _, k := range rows {
		last := k.LastUsedAt
		if at, ok := s.lastUsed(k.ID); ok && (last == nil || at.After(*last)) {
			last = &at
		}
		out = append(out, KeyPairView{APIKey: k.APIKey, KeyID: k.ID, Name: k.Name, ExpiresAt: k.ExpiresAt, Verified: k.Verified, LastUsedAt: last})
	}
	return out, nil
}

// DeleteKeyPair deletes one of the caller's key pairs; it stops working on this
// instance at once. Another user's pair is "not found".
func (s *Service) DeleteKeyPair(ctx context.Context, p *authn.Principal, id string) error {
	if err := authn.RequireVerified(p); err != nil {
		return err
	}
	if _, err := models.ParseID(id, "key pair id"); err != nil {
		return err
	}
	k, err := s.deleteKeyPair(ctx, p.UserID, id)
	if errors.Is(err, models.ErrNotFound) {
		return models.Wrap(models.KindNotFound, "key pair not found", err)
	}
	if err != nil {
		return models.Internal(err)
	}
	s.audit.Own(ctx, p, models.AuditKeyPairDeleted, "key pair "+k.ID)
	return nil
}

// deleteKeyPair deletes one of userID's key pairs with what goes with it.
func (s *Service) deleteKeyPair(ctx context.Context, userID, id string) (*models.KeyPair, error) {
	now := s.now()
	var k *models.KeyPair
	err := s.caches.Commit(s.caches.KeyPairDeleted(userID, id, now), func(fx models.Effects) (err error) {
		k, err = s.store.DeleteKeyPair(ctx, userID, id, now, fx)
		return err
	})
	return k, err
}

// NormalizeKeyName trims a key pair's name and checks it is 1-64 printable characters.
func NormalizeKeyName(raw string) (string, error) {
	n, err := models.NormalizeFullName(raw)
	if err != nil || len([]rune(n)) > 64 {
		return "", models.Invalid("name must be 1 to 64 printable characters")
	}
	return n, nil
}
