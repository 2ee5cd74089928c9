package login

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/authd/authd/models"
)

// lifetimes are a new session's absolute end and idle timeout: the configured ones,
// or the short admin ones (ARCHITECTURE: idle 30 minutes, absolute 12 hours) when
// the user holds admin.
func (s *Service) lifetimes(id *models.Identity, now time.Time) (time.Time, int) {
	if slices.Contains(id.Roles, models.RoleAdmin) {
		return now.Add(s.o.AdminAbsoluteLifetime), int(s.o.AdminIdleTimeout / time.Second)
	}
	return now.Add(s.o.AbsoluteLifetime), 0
}

// browserLifetimes are a browser session's: the configured browser ones, held to the
// admin ones for admins.
func (s *Service) browserLifetimes(id *models.Identity, now time.Time) (time.Time, int) {
	life, idle := s.o.BrowserAbsoluteLifetime, s.o.BrowserIdleTimeout
	if slices.Contains(id.Roles, models.RoleAdmin) {
		life, idle = min(life, s.o.AdminAbsoluteLifetime), min(idle, s.o.AdminIdleTimeout)
	}
	return now.Add(life), int(idle / time.Second)
}

// holdToRoleLimits applies the admin lifetimes to a session whose user holds admin but
// which began without it (admin granted after login): from the first token that
// carries admin on, it idles out after AdminIdleTimeout and ends AdminAbsoluteLifetime
// from then at the latest. It runs wherever session tokens are minted (refresh,
// extend), so no admin token rides on a 30-day session; for everyone else it costs a
// look at the cached roles.
func (s *Service) holdToRoleLimits(ctx context.Context, sess *models.Session, id *models.Identity) (*models.Session, error) {
	if !slices.Contains(id.Roles, models.RoleAdmin) {
		return sess, nil
	}
	now := s.now()
	idle, end := int(s.o.AdminIdleTimeout/time.Second), now.Add(s.o.AdminAbsoluteLifetime)
	if sess.IdleSeconds > 0 && sess.IdleSeconds <= idle && !sess.ExpiresAt.After(end) {
		return sess, nil // opened under the admin limits, or already held to them
	}
	var fx models.Effects
	fx.Changed(models.ChangedSession, sess.ID)
	err := s.caches.Commit(fx, func(fx models.Effects) error {
		return s.store.LimitSessionLifetime(ctx, sess.ID, end, idle, now, fx)
	})
	if err != nil && !errors.Is(err, models.ErrNotFound) { // not found: as strict already, or closed meanwhile
		return nil, models.Internal(err)
	}
	held := *sess
	held.IdleSeconds = idle
	if held.ExpiresAt.After(end) {
		held.ExpiresAt = end
	}
	return &held, nil
}
