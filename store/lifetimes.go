package store

import (
	"context"
	"fmt"
	"time"

	"github.com/authd/authd/models"
	"github.com/uptrace/bun"
)

// LimitSessionLifetime makes an open session end by expiresAt at the latest and idle
// out after idleSeconds; it never lengthens one. A session already as strict (or
// closed) is models.ErrNotFound and records nothing.
func (s *Store) LimitSessionLifetime(ctx context.Context, sessionID string, expiresAt time.Time, idleSeconds int, now time.Time, fx models.Effects) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		err := affected(tx.db.NewUpdate().Model((*models.Session)(nil)).
			Set("expires_at = CASE WHEN expires_at > ? THEN ? ELSE expires_at END", expiresAt, expiresAt).
			Set("idle_seconds = ?", idleSeconds).
			Where("id = ? AND revoked_at IS NULL", sessionID).
			Where("(idle_seconds = 0 OR idle_seconds > ? OR expires_at > ?)", idleSeconds, expiresAt).Exec(ctx))
		if err != nil {
			return err
		}
		return tx.record(ctx, fx, now)
	})
}

// knownSessions is how many of an account's newest logins SessionIPs looks at.
const knownSessions = 50

// SessionIPs lists the distinct client IPs userID's verified sessions came from since
// then (at most 100, newest first): the networks an account is known to log in from.
// Only the newest knownSessions logins count, so the cost stays bounded for an account
// that signs in all day (single sign-on opens a session per app login), and app
// sessions do not count at all: their IP is the app's server, which exchanged the code.
func (s *Store) SessionIPs(ctx context.Context, userID string, since time.Time) ([]string, error) {
	var ips []string
	q := s.hotText("SessionIPs", func(db *bun.DB) fmt.Stringer {
		recent := db.NewSelect().Model((*models.Session)(nil)).Column("ip", "created_at").
			Where("user_id = ? AND verified_at IS NOT NULL AND created_at >= ? AND kind <> ?", bun.Safe("?"), bun.Safe("?"), models.SessionApp).
			Order("created_at DESC").Limit(knownSessions)
		return db.NewSelect().TableExpr("(?) AS recent", recent).Column("ip").
			Group("ip").OrderExpr("MAX(created_at) DESC").Limit(100)
	})
	return ips, s.scanHot(ctx, &ips, q, userID, s.timeArg(since))
}
