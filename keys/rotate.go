package keys

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/authd/authd/models"
)

// Rotation. A key goes next -> active -> retired:
//   - next: published in the JWKS but signing nothing, for PublishDelay, so every
//     gateway's cached JWKS knows it before the first token it signs arrives;
//   - active: signs new tokens;
//   - retired: signs nothing and stays published until NotAfter, when every token it
//     signed has expired; then it leaves the JWKS.
// Every change runs inside Store.UpdateSigningKeys, under a lock, so two instances
// never rotate at once.

// RotationResult says what a rotation step did.
type RotationResult struct {
	Published string    // kid of a new next key
	Activated string    // kid that now signs
	Retired   string    // kid that stopped signing
	SignsFrom time.Time // when the pending next key will be promoted
}

// Rotate takes one rotation step. Without immediate it publishes a next key, or
// promotes the next key once it has been published for PublishDelay. With immediate
// (a compromised key) a new key signs at once and the old one is retired.
func (m *Manager) Rotate(ctx context.Context, immediate bool) (RotationResult, error) {
	var res RotationResult
	err := m.store.UpdateSigningKeys(ctx, func(keys []models.SigningKey) (models.KeyChanges, error) {
		res = RotationResult{}
		return m.decide(keys, immediate, &res)
	})
	if err != nil {
		return res, err
	}
	if err := m.Reload(ctx); err != nil {
		return res, err
	}
	if res.Activated != "" {
		m.o.Logger.Info("signing key rotated", "active", res.Activated, "retired", res.Retired)
	}
	if res.Published != "" {
		m.o.Logger.Info("next signing key published", "kid", res.Published)
	}
	return res, nil
}

func (m *Manager) decide(keys []models.SigningKey, immediate bool, res *RotationResult) (ch models.KeyChanges, err error) {
	now := m.now()
	ch.Now = now
	defer func() {
		if len(ch.Insert)+len(ch.Update) > 0 {
			ch.Effects.Changed(models.ChangedSigningKeys, "") // other instances reload now, not at their next tick
		}
	}()
	active, next := newest(keys, models.KeyActive), newest(keys, models.KeyNext)
	switch {
	case active == nil || immediate:
		k, err := m.newKey(models.KeyActive, now)
		if err != nil {
			return ch, err
		}
		ch.Insert = append(ch.Insert, k)
		res.Activated = k.ID
	case next == nil:
		k, err := m.newKey(models.KeyNext, now)
		if err != nil {
			return ch, err
		}
		ch.Insert = append(ch.Insert, k)
		res.Published, res.SignsFrom = k.ID, now.Add(m.o.PublishDelay)
		return ch, nil
	case now.Before(next.CreatedAt.Add(m.o.PublishDelay)):
		res.SignsFrom = next.CreatedAt.Add(m.o.PublishDelay)
		return ch, nil
	default:
		promoted := *next
		promoted.State, promoted.ActivatedAt = models.KeyActive, &now
		ch.Update = append(ch.Update, promoted)
		res.Activated = promoted.ID
	}
	if active != nil {
		retired := *active
		notAfter := now.Add(m.o.TokenLifetime)
		retired.State, retired.RetiredAt, retired.NotAfter = models.KeyRetired, &now, &notAfter
		ch.Update = append(ch.Update, retired)
		res.Retired = retired.ID
	}
	return ch, nil
}

// newest returns the most recently created key in state, or nil.
func newest(keys []models.SigningKey, state string) *models.SigningKey {
	var out *models.SigningKey
	for i := range keys {
		if keys[i].State == state && (out == nil || keys[i].CreatedAt.After(out.CreatedAt)) {
			out = &keys[i]
		}
	}
	return out
}

// Tick runs the schedule: every RotationPeriod a next key is published, and promoted
// PublishDelay later. Every instance may call it; the lock makes it happen once.
func (m *Manager) Tick(ctx context.Context) error {
	if err := m.Reload(ctx); err != nil {
		return err
	}
	if m.o.RotationPeriod <= 0 {
		return nil
	}
	s := m.snap.Load()
	due := s.nextKID != "" || m.now().Sub(s.activeSince) >= m.o.RotationPeriod
	if !due {
		return nil
	}
	if _, err := m.Rotate(ctx, false); err != nil {
		return fmt.Errorf("scheduled key rotation: %w", err)
	}
	return nil
}

// KeyInfo describes a key for operators; it holds no key material.
type KeyInfo struct {
	ID, Algorithm, State          string
	CreatedAt                     time.Time
	ActivatedAt, RetiredAt, Until *time.Time
}

// List describes every stored key, oldest first.
func (m *Manager) List(ctx context.Context) ([]KeyInfo, error) {
	rows, err := m.store.ListSigningKeys(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]KeyInfo, 0, len(rows))
	for _, r := range rows {
		out = append(out, KeyInfo{ID: r.ID, Algorithm: r.Algorithm, State: r.State, CreatedAt: r.CreatedAt,
			ActivatedAt: r.ActivatedAt, RetiredAt: r.RetiredAt, Until: r.NotAfter})
	}
	return out, nil
}

// ErrUnknownKey is a revocation of a kid that is not stored.
var ErrUnknownKey = errors.New("no such signing key")

// RevokeResult says what a revocation did.
type RevokeResult struct {
	Revoked   string // the kid withdrawn
	Activated string // the kid that signs now, when the revoked key was signing
	WasState  string // the revoked key's state before
}

// Revoke withdraws a key at once, for a compromised key: it leaves the JWKS and
// verification here at once, and on every other instance when it reads the change
// feed (fx goes with the change, with a signing-keys change added). When it was the
// signing key, another signs at once: the published next key if there is one
// (gateways already hold it), else a new key. Revoking a revoked key changes nothing.
func (m *Manager) Revoke(ctx context.Context, kid string, fx models.Effects) (RevokeResult, error) {
	var res RevokeResult
	err := m.store.UpdateSigningKeys(ctx, func(keys []models.SigningKey) (models.KeyChanges, error) {
		res = RevokeResult{Revoked: kid}
		now := m.now()
		ch := models.KeyChanges{Now: now}
		i := slices.IndexFunc(keys, func(k models.SigningKey) bool { return k.ID == kid })
		if i < 0 {
			return ch, ErrUnknownKey
		}
		target := keys[i]
		res.WasState = target.State
		if target.State == models.KeyRevoked {
			return ch, nil
		}
		if target.State == models.KeyActive {
			if next := newest(keys, models.KeyNext); next != nil {
				promoted := *next
				promoted.State, promoted.ActivatedAt = models.KeyActive, &now
				ch.Update = append(ch.Update, promoted)
				res.Activated = promoted.ID
			} else {
				k, err := m.newKey(models.KeyActive, now)
				if err != nil {
					return ch, err
				}
				ch.Insert = append(ch.Insert, k)
				res.Activated = k.ID
			}
		}
		target.State, target.RetiredAt, target.NotAfter = models.KeyRevoked, &now, &now
		ch.Update = append(ch.Update, target)
		ch.Effects = fx
		ch.Effects.Changed(models.ChangedSigningKeys, "")
		return ch, nil
	})
	if err != nil {
		return res, err
	}
	if err := m.Reload(ctx); err != nil {
		return res, err
	}
	m.o.Logger.Warn("signing key revoked", "kid", kid, "was", res.WasState, "active", res.Activated)
	return res, nil
}
