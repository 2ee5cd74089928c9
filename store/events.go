package store

import (
	"context"
	"time"

	"github.com/authd/authd/models"
)

// ClaimDeliveries leases up to limit due deliveries that are first in line for their
// endpoint and user (an earlier pending event of the same user blocks later ones),
// oldest first. A lease keeps other instances off them until it lapses.
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]models.DeliveryView, error) {
	var out []models.DeliveryView
	err := s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		var due []models.DeliveryView
		err := tx.db.NewSelect().Model(&due).
			ColumnExpr("d.*, e.type AS type, e.payload AS payload").
			ModelTableExpr("event_deliveries AS d").
			Join("JOIN outbox_events AS e ON e.id = d.event_id").
			Where("d.status = ? AND d.next_attempt_at <= ?", models.DeliveryPending, now).
			Where("(d.lease_until IS NULL OR d.lease_until < ?)", now).
			Where(`NOT EXISTS (SELECT 1 FROM event_deliveries AS p WHERE p.endpoint = d.endpoint AND p.user_id = d.user_id
				AND p.status = ? AND (p.occurred_at < d.occurred_at OR (p.occurred_at = d.occurred_at AND p.event_id < d.event_id)))`,
				models.DeliveryPending).
			OrderExpr("d.occurred_at ASC, d.event_id ASC").Limit(int64(limit)).Scan(ctx)
		if err != nil {
			return translate(err)
		}
		until := now.Add(lease)
		for _, d := range due {
			err := affected(tx.db.NewUpdate().Model((*models.EventDelivery)(nil)).Set("lease_until = ?", until).
				Where("event_id = ? AND endpoint = ? AND (lease_until IS NULL OR lease_until < ?)", d.EventID, d.Endpoint, now).
				Exec(ctx))
			if err == nil {
				out = append(out, d)
			} else if err != models.ErrNotFound {
				return err
			}
		}
		return nil
	})
	return out, err
}

// FinishDelivery records an attempt: delivered, retried at next, or failed for good.
func (s *Store) FinishDelivery(ctx context.Context, d models.EventDelivery) error {
	return affected(s.db.NewUpdate().Model(&d).
		Column("status", "attempts", "next_attempt_at", "last_error", "delivered_at").
		Set("lease_until = NULL").WherePK().Exec(ctx))
}

// FailedDeliveries returns a page of deliveries that gave up, newest first, and the total.
func (s *Store) FailedDeliveries(ctx context.Context, limit, offset int) ([]models.DeliveryView, int, error) {
	var out []models.DeliveryView
	total, err := s.db.NewSelect().Model(&out).
		ColumnExpr("d.*, e.type AS type, e.payload AS payload").
		ModelTableExpr("event_deliveries AS d").
		Join("JOIN outbox_events AS e ON e.id = d.event_id").
		Where("d.status = ?", models.DeliveryFailed).
		OrderExpr("d.occurred_at DESC, d.event_id DESC").Limit(int64(limit)).Offset(int64(offset)).ScanAndCount(ctx)
	return out, int(total), translate(err)
}

// ReplayDelivery puts a failed delivery back in line; anything else is models.ErrNotFound.
func (s *Store) ReplayDelivery(ctx context.Context, eventID, endpoint string, now time.Time) error {
	return affected(s.db.NewUpdate().Model((*models.EventDelivery)(nil)).
		Set("status = ?", models.DeliveryPending).Set("next_attempt_at = ?", now).Set("attempts = 0").
		Set("last_error = ''").Set("lease_until = NULL").
		Where("event_id = ? AND endpoint = ? AND status = ?", eventID, endpoint, models.DeliveryFailed).Exec(ctx))
}
