package store

import (
	"context"
	"fmt"
	"time"

	"github.com/authd/authd/models"
	"github.com/uptrace/bun"
)

// lockUser serialises writes that check a per-user limit. On Postgres it locks the
// user row; SQLite's immediate transactions already admit one writer at a time.
func (s *Store) lockUser(ctx context.Context, userID string) error {
	q := "SELECT id FROM users WHERE id = ?"
	if s.dialect == Postgres {
		q += " FOR UPDATE"
	}
	var id string
	rows, err := s.queryHot(ctx, q, userID)
	return scanOne(rows, err, &id)
}

// EmailsOfUser lists a user's addresses, oldest first.
func (s *Store) EmailsOfUser(ctx context.Context, userID string) ([]models.Email, error) {
	var out []models.Email
	err := s.db.NewSelect().Model(&out).Where("user_id = ?", userID).Order("created_at ASC", "id ASC").Scan(ctx)
	return out, translate(err)
}

// AddEmail stores an unverified address and its code (if any). models.ErrLimit when the
// user already has max addresses, models.ErrConflict when the address is on the account.
func (s *Store) AddEmail(ctx context.Context, e *models.Email, code *models.VerificationCode, max int) error {
	return s.insertUnderLimit(ctx, e.UserID, (*models.Email)(nil), e, code, max)
}

// insertUnderLimit inserts row (and code, when not nil) for userID unless the user
// already owns max rows of countModel's table (models.ErrLimit); the user row is
// locked so concurrent inserts cannot overshoot.
func (s *Store) insertUnderLimit(ctx context.Context, userID string, countModel, row any, code *models.VerificationCode, max int) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.lockUser(ctx, userID); err != nil {
			return err
		}
		n, err := tx.db.NewSelect().Model(countModel).Where("user_id = ?", userID).Count(ctx)
		if err != nil {
			return translate(err)
		}
		if n >= int64(max) {
			return models.ErrLimit
		}
		if _, err := tx.db.NewInsert().Model(row).Exec(ctx); err != nil {
			return translate(err)
		}
		if code == nil { // admins add addresses and key pairs without a code
			return nil
		}
		return tx.insertCode(ctx, code)
	})
}

// VerifyEmailCode spends an email code and verifies its address, at once. A spent
// code is models.ErrNotFound; the address verified on another account meanwhile is
// models.ErrConflict.
func (s *Store) VerifyEmailCode(ctx context.Context, c *models.VerificationCode, now time.Time) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.lockUser(ctx, c.UserID); err != nil {
			return err
		}
		if err := tx.consumeCode(ctx, c.ID, now); err != nil {
			return err
		}
		return tx.verifyEmail(ctx, c.UserID, c.SubjectID, now)
	})
}

// SetPreferredEmail makes one of the user's verified addresses the preferred one; the
// user's row lock keeps concurrent calls from leaving two preferred.
// Unknown or another user's address is models.ErrNotFound; an unverified one is
// models.ErrConflict.
func (s *Store) SetPreferredEmail(ctx context.Context, userID, emailID string) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.lockUser(ctx, userID); err != nil {
			return err
		}
		e := new(models.Email)
		if err := tx.db.NewSelect().Model(e).Where("id = ? AND user_id = ?", emailID, userID).Scan(ctx); err != nil {
			return translate(err)
		}
		if !e.Verified {
			return models.ErrConflict
		}
		if _, err := tx.db.NewUpdate().Model((*models.Email)(nil)).Set("preferred = FALSE").
			Where("user_id = ? AND preferred", userID).Exec(ctx); err != nil {
			return translate(err)
		}
		return affected(tx.db.NewUpdate().Model((*models.Email)(nil)).Set("preferred = TRUE").
			Where("id = ?", emailID).Exec(ctx))
	})
}

// DeleteEmail removes one of the user's addresses. Unknown or another user's address
// is models.ErrNotFound; the preferred address or the last verified one is
// models.ErrConflict, so an account can always be logged into.
func (s *Store) DeleteEmail(ctx context.Context, userID, emailID string) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.lockUser(ctx, userID); err != nil {
			return err
		}
		e := new(models.Email)
		if err := tx.db.NewSelect().Model(e).Where("id = ? AND user_id = ?", emailID, userID).Scan(ctx); err != nil {
			return translate(err)
		}
		if e.Preferred {
			return models.ErrConflict
		}
		if e.Verified {
			n, err := tx.db.NewSelect().Model((*models.Email)(nil)).Where("user_id = ? AND verified", userID).Count(ctx)
			if err != nil {
				return translate(err)
			}
			if n <= 1 {
				return models.ErrConflict
			}
		}
		return affected(tx.db.NewDelete().Model((*models.Email)(nil)).Where("id = ?", emailID).Exec(ctx))
	})
}

// PreferredEmail returns the user's preferred address.
func (s *Store) PreferredEmail(ctx context.Context, userID string) (*models.Email, error) {
	e := new(models.Email)
	q := s.hotText("PreferredEmail", func(db *bun.DB) fmt.Stringer {
		return db.NewSelect().Model((*models.Email)(nil)).Where("user_id = ? AND preferred", bun.Safe("?")).Limit(1)
	})
	return e, s.scanHotOne(ctx, e, q, userID)
}

// CodeByID returns a code without spending an attempt (to check whom it belongs to).
func (s *Store) CodeByID(ctx context.Context, id string) (*models.VerificationCode, error) {
	c := new(models.VerificationCode)
	err := s.db.NewSelect().Model(c).Where("id = ?", id).Scan(ctx)
	return c, translate(err)
}
