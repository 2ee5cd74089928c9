package directory

import (
	"context"
	"errors"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
)

// AdminFailedEvents returns a page of event deliveries that gave up, and the total.
func (s *Service) AdminFailedEvents(ctx context.Context, p *authn.Principal, limit, page int) ([]models.DeliveryView, int, error) {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return nil, 0, err
	}
	out, total, err := s.store.FailedDeliveries(ctx, limit, (page-1)*limit)
	if err != nil {
		return nil, 0, models.Internal(err)
	}
	return out, total, nil
}

// AdminReplayEvent puts a failed delivery back in line for its endpoint.
func (s *Service) AdminReplayEvent(ctx context.Context, p *authn.Principal, eventID, endpoint string) error {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return err
	}
	if _, err := models.ParseID(eventID, "event id"); err != nil {
		return err
	}
	err := s.store.ReplayDelivery(ctx, eventID, endpoint, s.now())
	if errors.Is(err, models.ErrNotFound) {
		return models.Wrap(models.KindNotFound, "no failed delivery of this event to this endpoint", err)
	}
	if err != nil {
		return models.Internal(err)
	}
	s.audit.Record(ctx, models.AuditEventReplay, p.Actor(), "", "event "+eventID+" to "+endpoint)
	return nil
}
