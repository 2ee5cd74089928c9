package store

import (
	"context"
	"database/sql"

	"github.com/uptrace/bun"

	"github.com/authd/authd/models"
)

// ActivateSession spends the code, marks the session verified with its refresh-token
// hash and new absolute end, and verifies the address the code went to (preferred
// when the user has no preferred address yet), in one transaction. A code someone
// else spent first, or a session no longer pending, is models.ErrNotFound; the
// address verified on another account meanwhile is models.ErrConflict.
func (s *Store) ActivateSession(ctx context.Context, a models.Activation, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		if err := tx.lockUser(ctx, a.UserID); err != nil {
			return err
		}
		if tx.dialect == Postgres {
			return tx.activateTogether(ctx, a, fx)
		}
		if err := tx.consumeCode(ctx, a.CodeID, a.Now); err != nil {
			return err
		}
		// The registration a session carries comes back with its activation.
		var alias, fullName sql.NullString
		if _, err := tx.activationQuery(a).Exec(ctx, &alias, &fullName); err != nil {
			return translate(err)
		}
		if err := tx.claimRegistration(ctx, a.UserID, alias.String, fullName.String, a.Now); err != nil {
			return err
		}
		if err := tx.verifyEmail(ctx, a.UserID, a.EmailID, a.Now); err != nil {
			return err
		}
		return tx.record(ctx, fx, a.Now)
	})
}

// activateTogether is ActivateSession's writes on Postgres once the user's row is
// locked: the code, the session, the address and the effects in one statement
// (data-modifying CTEs) instead of one round trip each. The statement's snapshot is
// taken after the lock, so it reads the user's addresses as the last holder left them
// ("no preferred address yet", "no verified address yet" for a registration's claim).
// A row it could not update is models.ErrNotFound, and the caller's transaction rolls
// everything back, the notification included.
func (tx *Store) activateTogether(ctx context.Context, a models.Activation, fx models.Effects) error {
	rows, err := effectRows(fx, a.Now)
	if err != nil {
		return err
	}
	q := tx.db.NewSelect().
		With("code", tx.consumeCodeQuery(a.CodeID, a.Now).Returning("id")).
		With("session", tx.activationQuery(a)).
		With("email", tx.verifyEmailQuery(a.UserID, a.EmailID, a.Now).Returning("id"))
	q = tx.withInserts(q, rows).ColumnExpr("(SELECT count(*) FROM code) + (SELECT count(*) FROM session) + (SELECT count(*) FROM email) AS updated").
		ColumnExpr("(SELECT register_alias FROM session) AS alias, (SELECT register_full_name FROM session) AS full_name").
		ColumnExpr("EXISTS (SELECT 1 FROM emails AS v WHERE v.user_id = ? AND v.verified) AS had_verified", a.UserID)
	if len(fx.Changes) > 0 {
		q = q.ColumnExpr("(SELECT count(*) FROM (SELECT pg_notify(?, '')) AS n) AS notified", tx.channel)
	} else {
		q = q.ColumnExpr("0 AS notified")
	}
	var (
		updated, notified int
		alias, fullName   sql.NullString
		hadVerified       bool
	)
	if err := q.Scan(ctx, &updated, &alias, &fullName, &hadVerified, &notified); err != nil {
		return translate(err)
	}
	if updated != 3 {
		return models.ErrNotFound
	}
	if alias.String == "" || hadVerified {
		return nil
	}
	return tx.nameAccount(ctx, a.UserID, alias.String, fullName.String, a.Now)
}

// activationQuery marks a pending session of the activation's kind verified and
// returns the registration it carries.
func (tx *Store) activationQuery(a models.Activation) *bun.UpdateQuery {
	kind := "kind <> ?"
	if a.Browser {
		kind = "kind = ?"
	}
	return tx.db.NewUpdate().Model((*models.Session)(nil)).
		Set("verified_at = ?", a.Now).
		Set("last_seen_at = ?", a.Now).
		Set("expires_at = ?", a.ExpiresAt).
		Set("idle_seconds = ?", a.IdleSeconds).
		Set("refresh_hash = ?", a.RefreshHash).
		Where("id = ? AND user_id = ?", a.SessionID, a.UserID).
		Where("verified_at IS NULL AND revoked_at IS NULL").Where(kind, models.SessionBrowser).
		Returning("register_alias, register_full_name")
}
