package directory

import (
	"context"
	"errors"
	"time"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
)

// ExpireRegistrations deletes accounts none of whose addresses was verified within
// UnverifiedTTL of their creation (registrations nobody completed, or a squatter's),
// so their aliases are free again. Each deletion carries user.deleted and an audit row,
// and is made only if the account is still unverified at that moment.
func (s *Service) ExpireRegistrations(ctx context.Context) (int64, error) {
	now := s.now()
	before := now.Add(-s.o.UnverifiedTTL)
	ids, err := s.store.UnverifiedAccounts(ctx, before, 100)
	if err != nil {
		return 0, models.Internal(err)
	}
	var n int64
	for _, id := range ids {
		fx := s.caches.UserRevoked(models.EventUserDeleted, id, now)
		fx.Audit = append(fx.Audit, authn.NewAuditEvent(now, models.AuditUserDeleted, authn.Actor{ID: models.ActorOperator}, id,
			"registration never verified; expired"))
		err := s.caches.Commit(fx, func(fx models.Effects) error { return s.store.DeleteUnverifiedAccount(ctx, id, before, now, fx) })
		switch {
		case err == nil:
			n++
		case !errors.Is(err, models.ErrNotFound): // verified meanwhile: kept
			return n, models.Internal(err)
		}
	}
	return n, nil
}

// defaultUnverifiedTTL is how long a registration may wait for its first verification.
const defaultUnverifiedTTL = 24 * time.Hour
