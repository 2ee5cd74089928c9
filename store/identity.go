package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/authd/authd/models"
)

// Verifications lists a user's identity-verification attempts, newest first.
func (s *Store) Verifications(ctx context.Context, userID string) ([]models.IdentityVerification, error) {
	var out []models.IdentityVerification
	err := s.db.NewSelect().Model(&out).Where("user_id = ?", userID).Order("created_at DESC", "id DESC").Scan(ctx)
	return out, translate(err)
}

// AddVerification records a new attempt unless the user already spent max counted
// attempts (models.ErrLimit) or has an open attempt created after openSince
// (models.ErrConflict: a concurrent start won). The user row is locked so concurrent
// starts cannot overshoot.
func (s *Store) AddVerification(ctx context.Context, v *models.IdentityVerification, max int, openSince time.Time) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.lockUser(ctx, v.UserID); err != nil {
			return err
		}
		n, err := tx.db.NewSelect().Model((*models.IdentityVerification)(nil)).Where("user_id = ? AND counted", v.UserID).Count(ctx)
		if err != nil {
			return translate(err)
		}
		if n >= int64(max) {
			return models.ErrLimit
		}
		open, err := tx.db.NewSelect().Model((*models.IdentityVerification)(nil)).
			Where("user_id = ? AND status IN (?, ?) AND created_at > ?", v.UserID,
				models.VerificationRequiresInput, models.VerificationProcessing, openSince).Exists(ctx)
		if err != nil {
			return translate(err)
		}
		if open {
			return models.ErrConflict
		}
		_, err = tx.db.NewInsert().Model(v).Exec(ctx)
		return translate(err)
	})
}

// VerificationBySession finds the attempt of a Stripe session.
func (s *Store) VerificationBySession(ctx context.Context, sessionID string) (*models.IdentityVerification, error) {
	v := new(models.IdentityVerification)
	err := s.db.NewSelect().Model(v).Where("stripe_session_id = ?", sessionID).Scan(ctx)
	return v, translate(err)
}

// StripeEventSeen reports whether a Stripe event was already processed.
func (s *Store) StripeEventSeen(ctx context.Context, id string) (bool, error) {
	ok, err := s.db.NewSelect().Model((*models.StripeEvent)(nil)).Where("id = ?", id).Exists(ctx)
	return ok, translate(err)
}

// ApplyStripeChange records the event as seen and, when it moves the attempt forward,
// applies it, in one transaction: a crash leaves neither, so Stripe's retry redoes it.
// A repeated event is models.ErrConflict; applied is false when the event came late
// (the attempt is already past it).
func (s *Store) ApplyStripeChange(ctx context.Context, c models.StripeChange) (applied bool, err error) {
	err = s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		seen := &models.StripeEvent{ID: c.EventID, Type: c.EventType, ReceivedAt: c.Now}
		if _, err := tx.db.NewInsert().Model(seen).Exec(ctx); err != nil {
			return translate(err)
		}
		if c.Redact {
			res, err := tx.db.NewDelete().Model((*models.SealedKYC)(nil)).Where("verification_id = ?", c.VerificationID).Exec(ctx)
			if err != nil {
				return translate(err)
			}
			n, err := res.RowsAffected()
			applied = n > 0
			return err
		}
		v := new(models.IdentityVerification)
		q := tx.db.NewSelect().Model(v).Where("id = ?", c.VerificationID)
		if tx.dialect == Postgres {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil {
			return translate(err)
		}
		if !v.AcceptsStripe(c.Status) {
			return nil
		}
		applied = true
		u := tx.db.NewUpdate().Model(v).Set("status = ?", c.Status).Set("last_error = ?", c.Reason).
			Set("updated_at = ?", c.Now).Where("id = ?", v.ID)
		if c.Status == models.VerificationScreening {
			u = u.Set("screening = ?", models.ScreeningPending).Set("screening_tries = 0").Set("screening_next_at = ?", c.Now)
		}
		if _, err := u.Exec(ctx); err != nil {
			return translate(err)
		}
		if c.Status == models.VerificationScreening {
			if err := tx.putKYC(ctx, c.KYC); err != nil {
				return err
			}
		}
		return tx.record(ctx, c.Effects, c.Now)
	})
	return applied, err
}

func (s *Store) putKYC(ctx context.Context, k *models.SealedKYC) error {
	_, err := s.db.NewInsert().Model(k).On("CONFLICT (user_id) DO UPDATE").
		Set("verification_id = EXCLUDED.verification_id").Set("sealed = EXCLUDED.sealed").
		Set("seal_key_id = EXCLUDED.seal_key_id").Set("updated_at = EXCLUDED.updated_at").Exec(ctx)
	return translate(err)
}

// ClaimScreenings leases up to limit attempts whose screening is due, so that one
// instance screens each at a time; the lease lapses if that instance dies.
func (s *Store) ClaimScreenings(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]models.IdentityVerification, error) {
	var due, out []models.IdentityVerification
	err := s.db.NewSelect().Model(&due).
		Where("screening = ? AND status = ? AND screening_next_at <= ?", models.ScreeningPending, models.VerificationScreening, now).
		Order("screening_next_at ASC", "id ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, translate(err)
	}
	for _, v := range due {
		err := affected(s.db.NewUpdate().Model((*models.IdentityVerification)(nil)).Set("screening_next_at = ?", now.Add(lease)).
			Where("id = ? AND screening = ? AND screening_next_at = ?", v.ID, models.ScreeningPending, v.ScreeningNextAt).Exec(ctx))
		switch err {
		case nil:
			out = append(out, v)
		case models.ErrNotFound: // another instance took it
		default:
			return nil, err
		}
	}
	return out, nil
}

// RetryScreening records a screening try that got no answer and when to try again.
func (s *Store) RetryScreening(ctx context.Context, id string, tries int, next time.Time, reason string) error {
	_, err := s.db.NewUpdate().Model((*models.IdentityVerification)(nil)).
		Set("screening_tries = ?", tries).Set("screening_next_at = ?", next).Set("screening_error = ?", reason).
		Where("id = ? AND screening = ?", id, models.ScreeningPending).Exec(ctx)
	return translate(err)
}

// FinishScreening applies a screen's outcome in one transaction: clear verifies the
// user and publishes user.verified; a hit fails the attempt and publishes
// user.verification_failed. models.ErrNotFound when the attempt is no longer
// waiting for it (an admin revoked it meanwhile).
func (s *Store) FinishScreening(ctx context.Context, r models.ScreeningResult) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		status, screening, reason := models.VerificationVerified, models.ScreeningClear, ""
		if r.Hit {
			status, screening, reason = models.VerificationFailed, models.ScreeningHit, "screening_hit"
		}
		err := affected(tx.db.NewUpdate().Model((*models.IdentityVerification)(nil)).
			Set("status = ?", status).Set("screening = ?", screening).Set("last_error = ?", reason).
			Set("scan_id = ?", r.ScanID).Set("matches = ?", r.Matches).Set("screening_error = ''").
			Set("screening_next_at = NULL").Set("updated_at = ?", r.Now).
			Where("id = ? AND screening = ? AND status = ?", r.VerificationID, models.ScreeningPending, models.VerificationScreening).Exec(ctx))
		if err != nil {
			return err
		}
		if !r.Hit {
			err := affected(tx.db.NewUpdate().Model((*models.User)(nil)).Set("verified = TRUE").Set("updated_at = ?", r.Now).
				Where("id = ?", r.UserID).Exec(ctx))
			if err != nil {
				return err
			}
		}
		return tx.record(ctx, r.Effects, r.Now)
	})
}

// KYC returns a user's sealed identity fields, models.ErrNotFound when there are none.
func (s *Store) KYC(ctx context.Context, userID string) (*models.SealedKYC, error) {
	k := new(models.SealedKYC)
	err := s.db.NewSelect().Model(k).Where("user_id = ?", userID).Scan(ctx)
	return k, translate(err)
}

// KYCs returns the sealed identity fields of those users that have them.
func (s *Store) KYCs(ctx context.Context, userIDs []string) ([]models.SealedKYC, error) {
	var out []models.SealedKYC
	if len(userIDs) == 0 {
		return out, nil
	}
	err := s.db.NewSelect().Model(&out).Where("user_id IN (?)", bun.List(userIDs)).Scan(ctx)
	return out, translate(err)
}

// ResetVerifications stops counting a user's earlier attempts, so they may try again,
// and audits it, at once.
func (s *Store) ResetVerifications(ctx context.Context, userID string, audit *models.AuditEvent, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.lockUser(ctx, userID); err != nil {
			return err
		}
		_, err := tx.db.NewUpdate().Model((*models.IdentityVerification)(nil)).Set("counted = FALSE").
			Where("user_id = ?", userID).Exec(ctx)
		if err != nil {
			return translate(err)
		}
		if err := tx.record(ctx, fx, audit.At); err != nil {
			return err
		}
		return tx.RecordAudit(ctx, audit)
	})
}

// RevokeVerification withdraws a user's identity verification: the flag is cleared,
// the sealed fields are deleted, a verified or screening attempt becomes revoked, and
// the action is audited, at once.
func (s *Store) RevokeVerification(ctx context.Context, userID string, audit *models.AuditEvent, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		err := affected(tx.db.NewUpdate().Model((*models.User)(nil)).Set("verified = FALSE").Set("updated_at = ?", audit.At).
			Where("id = ?", userID).Exec(ctx))
		if err != nil {
			return err
		}
		if _, err := tx.db.NewDelete().Model((*models.SealedKYC)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
			return translate(err)
		}
		_, err = tx.db.NewUpdate().Model((*models.IdentityVerification)(nil)).
			Set("status = ?", models.VerificationRevoked).Set("screening_next_at = NULL").Set("updated_at = ?", audit.At).
			Where("user_id = ? AND status IN (?, ?)", userID, models.VerificationVerified, models.VerificationScreening).Exec(ctx)
		if err != nil {
			return translate(err)
		}
		if err := tx.record(ctx, fx, audit.At); err != nil {
			return err
		}
		return tx.RecordAudit(ctx, audit)
	})
}

// PruneStripeEvents forgets processed Stripe event IDs received before cutoff (Stripe
// stops retrying an event after three days).
func (s *Store) PruneStripeEvents(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*models.StripeEvent)(nil)).Where("received_at < ?", cutoff).Exec(ctx)
	if err != nil {
		return 0, translate(err)
	}
	n, err := res.RowsAffected()
	return n, err
}
