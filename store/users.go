package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authd/authd/models"
	"github.com/uptrace/bun"
)

// CreateAccount inserts a user with roles, groups and a first email in one
// transaction. A taken alias is models.ErrConflict.
func (s *Store) CreateAccount(ctx context.Context, a models.NewAccount, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if _, err := tx.db.NewInsert().Model(&a.User).Exec(ctx); err != nil {
			return translate(err)
		}
		for _, r := range a.Roles {
			row := models.UserRole{UserID: a.User.ID, Role: r, CreatedAt: a.User.CreatedAt}
			if _, err := tx.db.NewInsert().Model(&row).Exec(ctx); err != nil {
				return translate(err)
			}
		}
		for _, g := range a.Groups {
			row := models.UserGroup{UserID: a.User.ID, Group: g, CreatedAt: a.User.CreatedAt}
			if _, err := tx.db.NewInsert().Model(&row).Exec(ctx); err != nil {
				return translate(err)
			}
		}
		if _, err := tx.db.NewInsert().Model(&a.Email).Exec(ctx); err != nil {
			return translate(err)
		}
		return tx.record(ctx, fx, a.User.CreatedAt)
	})
}

// UserByID returns one user.
func (s *Store) UserByID(ctx context.Context, id string) (*models.User, error) {
	u := new(models.User)
	q := s.hotText("UserByID", func(db *bun.DB) fmt.Stringer {
		return db.NewSelect().Model((*models.User)(nil)).Where("id = ?", bun.Safe("?"))
	})
	return u, s.scanHotOne(ctx, u, q, id)
}

// AliasTaken reports whether a user holds alias (stored lowercased).
func (s *Store) AliasTaken(ctx context.Context, alias string) (bool, error) {
	n, err := s.db.NewSelect().Model((*models.User)(nil)).Where("alias = ?", alias).Count(ctx)
	return n > 0, translate(err)
}

// EmailsByAddress returns every email row holding address, with its owner, verified
// rows first, then oldest first: one statement whatever the number of rows (a login
// reads it for every code it sends).
func (s *Store) EmailsByAddress(ctx context.Context, address string) ([]models.EmailOwner, error) {
	var rows []emailWithOwner
	q := s.hotText("EmailsByAddress", func(db *bun.DB) fmt.Stringer {
		return db.NewSelect().Model(&[]emailWithOwner{}).Relation("Owner").ColumnExpr("email.*").
			ColumnExpr("EXISTS (SELECT 1 FROM emails AS v WHERE v.user_id = email.user_id AND v.verified) AS owner_has_verified").
			Where("email.address = ?", bun.Safe("?")).Order("email.verified DESC", "email.created_at ASC").Limit(20)
	})
	if err := s.scanHot(ctx, &rows, q, address); err != nil {
		return nil, err
	}
	out := make([]models.EmailOwner, 0, len(rows))
	for _, r := range rows {
		if r.Owner == nil {
			return nil, models.ErrNotFound // the join found no user: deleted meanwhile
		}
		out = append(out, models.EmailOwner{Email: r.Email, User: *r.Owner, UserHasVerifiedEmail: r.OwnerHasVerified})
	}
	return out, nil
}

// emailWithOwner is an email row joined to its user (users.id is the foreign key's
// target, so every row has one).
type emailWithOwner struct {
	models.Email     `bun:",extend"`
	Owner            *models.User `bun:"rel:belongs-to,join:user_id=id"`
	OwnerHasVerified bool         `bun:"owner_has_verified,scanonly"`
}

// Identity returns a user with roles and groups (two indexed reads).
func (s *Store) Identity(ctx context.Context, userID string) (*models.Identity, error) {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	return s.IdentityOf(ctx, u)
}

// IdentityOf completes a user already read with its roles and groups (one statement).
func (s *Store) IdentityOf(ctx context.Context, u *models.User) (*models.Identity, error) {
	ids, err := s.identities(ctx, []models.User{*u})
	if err != nil {
		return nil, err
	}
	return &ids[0], nil
}

// verifyEmail marks an email verified and, when the user has no preferred address
// yet, preferred, in one statement. Callers hold the user's row lock (lockUser, taken
// first in their transaction), so two concurrent verifications cannot both see "no
// preferred address yet". A verified address on another account is
// models.ErrConflict (the partial unique index).
func (s *Store) verifyEmail(ctx context.Context, userID, emailID string, now time.Time) error {
	return s.execOne(ctx, s.verifyEmailSQL(new(hotSQL), userID, emailID, now))
}

func (s *Store) verifyEmailSQL(q *hotSQL, userID, emailID string, now time.Time) *hotSQL {
	return q.sql("UPDATE emails SET verified = TRUE, verified_at = COALESCE(verified_at, ").value(s.timeArg(now)).
		sql("), preferred = (preferred OR NOT EXISTS (SELECT 1 FROM emails AS o WHERE o.user_id = ").value(userID).
		sql(" AND o.preferred)) WHERE id = ").value(emailID).sql(" AND user_id = ").value(userID)
}

// DeleteUser deletes an account; its roles, groups, emails, codes, sessions and key
// pairs go with it (foreign keys cascade).
func (s *Store) DeleteUser(ctx context.Context, userID string, now time.Time, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.queueAppLogouts(ctx, fx, now, "user_id = ?", userID); err != nil {
			return err
		}
		if err := affected(tx.db.NewDelete().Model((*models.User)(nil)).Where("id = ?", userID).Exec(ctx)); err != nil {
			return err
		}
		return tx.record(ctx, fx, now)
	})
}

// ListUsers returns one page of users, oldest first, with the total count matching:
// three statements whatever the page size.
func (s *Store) ListUsers(ctx context.Context, f models.UserFilter, limit, offset int) ([]models.Identity, int, error) {
	var users []models.User
	q := s.db.NewSelect().Model(&users)
	if f.Enabled != nil {
		q = q.Where("enabled = ?", *f.Enabled)
	}
	if f.Role != "" {
		q = q.Where("EXISTS (SELECT 1 FROM user_roles AS r WHERE r.user_id = ?TableAlias.id AND r.role = ?)", f.Role)
	}
	total, err := q.Order("created_at ASC", "id ASC").Limit(int64(limit)).Offset(int64(offset)).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, translate(err)
	}
	out, err := s.identities(ctx, users)
	if err != nil {
		return nil, 0, err
	}
	return out, int(total), nil
}

// SetUserEnabled enables or disables an account. Disabling also closes every session
// at once, in the same transaction; key pairs are refused while the owner is disabled.
func (s *Store) SetUserEnabled(ctx context.Context, userID string, enabled bool, now time.Time, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		err := affected(tx.db.NewUpdate().Model((*models.User)(nil)).Set("enabled = ?", enabled).Set("updated_at = ?", now).
			Where("id = ?", userID).Exec(ctx))
		if err != nil {
			return err
		}
		if !enabled {
			if err := tx.queueAppLogouts(ctx, fx, now, "user_id = ?", userID); err != nil {
				return err
			}
			_, err = tx.db.NewUpdate().Model((*models.Session)(nil)).
				Set("revoked_at = ?", now).Set("refresh_hash = NULL").
				Where("user_id = ? AND revoked_at IS NULL", userID).Exec(ctx)
			if err != nil {
				return translate(err)
			}
		}
		return tx.record(ctx, fx, now)
	})
}

// SetUserVerified sets the identity-verified (KYC) flag by hand. Setting it to what it
// already is changes nothing and records nothing.
func (s *Store) SetUserVerified(ctx context.Context, userID string, verified bool, now time.Time, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		err := affected(tx.db.NewUpdate().Model((*models.User)(nil)).Set("verified = ?", verified).Set("updated_at = ?", now).
			Where("id = ? AND verified <> ?", userID, verified).Exec(ctx))
		if errors.Is(err, models.ErrNotFound) {
			_, err := tx.UserByID(ctx, userID)
			return err // nil when the flag was already so
		}
		if err != nil {
			return err
		}
		return tx.record(ctx, fx, now)
	})
}
