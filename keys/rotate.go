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

// RotationResult says what a rotation step did to one algorithm's keys.
type RotationResult struct {
	Algorithm string
	Published string    // kid of a new next key
	Activated string    // kid that now signs
	Retired   string    // kid that stopped signing
	SignsFrom time.Time // when the pending next key will be promoted
	// Others is the same step for the other algorithms in use (on the primary's result).
	Others []RotationResult
}

// Rotate takes one rotation step for every algorithm in use, in one transaction.
// Without immediate it publishes a next key, or promotes the next key once it has
// been published for PublishDelay. With immediate a new key signs at once and the old
// one is retired. The result is the primary algorithm's, with the others in Others.
func (m *Manager) Rotate(ctx context.Context, immediate bool) (RotationResult, error) {
	var res RotationResult
	err := m.store.UpdateSigningKeys(ctx, func(keys []models.SigningKey) (models.KeyChanges, error) {
		now := m.now()
		ch := models.KeyChanges{Now: now}
		res = RotationResult{}
		for _, alg := range m.inUse(keys) {
			r := RotationResult{Algorithm: alg}
			if err := m.decide(keys, alg, immediate, now, &ch, &r); err != nil {
				return ch, err
			}
			if alg == m.o.Algorithm {
				r.Others, res = res.Others, r
			} else {
				res.Others = append(res.Others, r)
			}
		}
		if len(ch.Insert)+len(ch.Update) > 0 {
			ch.Effects.Changed(models.ChangedSigningKeys, "") // other instances reload now, not at their next tick
		}
		return ch, nil
	})
	if err != nil {
		return res, err
	}
	if err := m.Reload(ctx); err != nil {
		return res, err
	}
	for _, r := range append([]RotationResult{res}, res.Others...) {
		if r.Activated != "" {
			m.o.Logger.Info("signing key rotated", "alg", r.Algorithm, "active", r.Activated, "retired", r.Retired)
		}
		if r.Published != "" {
			m.o.Logger.Info("next signing key published", "alg", r.Algorithm, "kid", r.Published)
		}
	}
	return res, nil
}

// inUse lists the algorithms with keys to rotate: the primary one first, then every
// other with an active or next key, sorted.
func (m *Manager) inUse(keys []models.SigningKey) []string {
	var others []string
	for _, k := range keys {
		if k.Algorithm != m.o.Algorithm && (k.State == models.KeyActive || k.State == models.KeyNext) && !slices.Contains(others, k.Algorithm) {
			others = append(others, k.Algorithm)
		}
	}
	slices.Sort(others)
	return append([]string{m.o.Algorithm}, others...)
}

// decide adds to ch one rotation step for algorithm alg's keys.
func (m *Manager) decide(keys []models.SigningKey, alg string, immediate bool, now time.Time, ch *models.KeyChanges, res *RotationResult) error {
	active, next := newest(keys, alg, models.KeyActive), newest(keys, alg, models.KeyNext)
	switch {
	case active == nil || immediate:
		k, err := m.newKey(alg, models.KeyActive, now)
		if err != nil {
			return err
		}
		ch.Insert = append(ch.Insert, k)
		res.Activated = k.ID
	case next == nil:
		k, err := m.newKey(alg, models.KeyNext, now)
		if err != nil {
			return err
		}
		ch.Insert = append(ch.Insert, k)
		res.Published, res.SignsFrom = k.ID, now.Add(m.o.PublishDelay)
		return nil
	case now.Before(next.CreatedAt.Add(m.o.PublishDelay)):
		res.SignsFrom = next.CreatedAt.Add(m.o.PublishDelay)
		return nil
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
	return nil
}

// newest returns the most recently created key of alg in state, or nil.
func newest(keys []models.SigningKey, alg, state string) *models.SigningKey {
	var out *models.SigningKey
	for i := range keys {
		if keys[i].Algorithm == alg && keys[i].State == state && (out == nil || keys[i].CreatedAt.After(out.CreatedAt)) {
			out = &keys[i]
		}
	}
	return out
}

// EnsureAlgorithm gives algorithm alg keys of its own if it has none yet: an active
// key at once (nothing was ever signed with alg, so no cached JWKS can miss it; a
// relying party fetches the JWKS when it meets a new kid), rotated from then on with
// the others. Instances racing here agree on one key (the rotation lock).
func (m *Manager) EnsureAlgorithm(ctx context.Context, alg string) error {
	if _, ok := generators[alg]; !ok {
		return fmt.Errorf("signing algorithm %q is not one of ES256, EdDSA, RS256", alg)
	}
	if _, err := m.SigningKeyFor(alg); err == nil {
		return nil
	}
	err := m.store.UpdateSigningKeys(ctx, func(keys []models.SigningKey) (models.KeyChanges, error) {
		now := m.now()
		ch := models.KeyChanges{Now: now}
		if newest(keys, alg, models.KeyActive) != nil {
			return ch, nil // another instance made it
		}
		k, err := m.newKey(alg, models.KeyActive, now)
		if err != nil {
			return ch, err
		}
		ch.Insert = append(ch.Insert, k)
		ch.Effects.Changed(models.ChangedSigningKeys, "")
		return ch, nil
	})
	if err != nil {
		return err
	}
	if err := m.Reload(ctx); err != nil {
		return err
	}
	m.o.Logger.Info("signing keys for a new algorithm", "alg", alg)
	return nil
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
	due := false
	for _, r := range m.snap.Load().rings {
		due = due || r.nextKID != "" || m.now().Sub(r.activeSince) >= m.o.RotationPeriod
	}
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
// signing key, another of its algorithm signs at once: the published next key if
// there is one (gateways already hold it), else a new key. Revoking a revoked key changes nothing.
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
			if next := newest(keys, target.Algorithm, models.KeyNext); next != nil {
				promoted := *next
				promoted.State, promoted.ActivatedAt = models.KeyActive, &now
				ch.Update = append(ch.Update, promoted)
				res.Activated = promoted.ID
			} else {
				k, err := m.newKey(target.Algorithm, models.KeyActive, now)
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
