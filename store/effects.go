package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
)

// changesChannel is the prefix of the Postgres NOTIFY channel that says "read the
// change feed now"; the schema's name completes it, because channels are per database
// and two deployments (or test runs) in separate schemas must not wake each other.
const changesChannel = "authd_changes:"

// record writes what the use case decided goes with a change, in the caller's
// transaction: outbox events, revocation-feed entries, change-feed entries and audit
// rows. On Postgres a notification is queued with them; it is delivered at commit,
// and only then. On Postgres it is one statement whatever fx holds (writeTogether).
func (s *Store) record(ctx context.Context, fx models.Effects, now time.Time) error {
	rows, err := effectRows(fx, now)
	if err != nil || len(rows) == 0 {
		return err
	}
	if s.dialect == Postgres {
		return s.writeTogether(ctx, rows, len(fx.Changes) > 0)
	}
	for _, r := range rows {
		if err := s.insertRow(ctx, r); err != nil {
			return err
		}
	}
	return nil
}

// insertRow inserts one model row (a hot statement: see insert).
func (s *Store) insertRow(ctx context.Context, row any) error {
	q := new(hotSQL)
	if err := s.insert(q, row); err != nil {
		return err
	}
	_, err := s.execHot(ctx, q)
	return err
}

// effectRows are fx's rows, with new IDs where they take one: outbox events,
// revocation-feed entries, change-feed entries, audit events.
func effectRows(fx models.Effects, now time.Time) ([]any, error) {
	rows := make([]any, 0, len(fx.Events)+len(fx.Revocations)+len(fx.Changes)+len(fx.Audit))
	for _, e := range fx.Events {
		ev, err := outboxEvent(e, now, nil)
		if err != nil {
			return nil, err
		}
		rows = append(rows, ev)
	}
	for _, r := range fx.Revocations {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, err
		}
		r.ID, r.CreatedAt = id.String(), now
		rows = append(rows, &r)
	}
	for _, c := range fx.Changes {
		id, err := uuid.NewV7()
		if err != nil {
			return nil, err
		}
		c.ID, c.CreatedAt = id.String(), now
		rows = append(rows, &c)
	}
	for i := range fx.Audit {
		rows = append(rows, &fx.Audit[i])
	}
	return rows, nil
}

// writeTogether inserts rows on Postgres in one statement, each insert a
// data-modifying CTE (Postgres runs every one to completion, read or not), and with
// notify set announces a change-feed commit in the same statement: one round trip
// instead of one per row and another for the notification.
func (s *Store) writeTogether(ctx context.Context, rows []any, notify bool) error {
	q := new(hotSQL)
	if err := s.withInserts(q, 0, rows); err != nil {
		return err
	}
	if notify {
		q.sql(" SELECT pg_notify(").value(s.channel).sql(", '')")
	} else {
		q.sql(" SELECT 1")
	}
	_, err := s.execHot(ctx, q)
	return err
}

// withInserts writes an insert of each of rows as a data-modifying CTE, w0, w1, ...,
// after the ctes that q holds already.
func (s *Store) withInserts(q *hotSQL, ctes int, rows []any) error {
	for i, r := range rows {
		cte(q, ctes+i, fmt.Sprintf("w%d", i))
		if err := s.insert(q, r); err != nil {
			return err
		}
		q.sql(")")
	}
	return nil
}

// cte opens q's n-th common table expression (0 opens WITH); the caller closes it.
func cte(q *hotSQL, n int, name string) {
	if n == 0 {
		q.sql("WITH ")
	} else {
		q.sql(", ")
	}
	q.sql(name, " AS (")
}

// Record writes effects on their own, in one transaction (a change that touched no
// other row, such as a signing-key revocation already applied).
func (s *Store) Record(ctx context.Context, fx models.Effects, now time.Time) error {
	return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error { return tx.record(ctx, fx, now) })
}

// insertEvent writes e to the outbox and returns its ID; routedAt is set for events
// queued with their deliveries (nil: the dispatcher routes it to webhook endpoints).
func (s *Store) insertEvent(ctx context.Context, e models.Event, now time.Time, routedAt *time.Time) (string, error) {
	ev, err := outboxEvent(e, now, routedAt)
	if err != nil {
		return "", err
	}
	_, err = s.db.NewInsert().Model(ev).Exec(ctx)
	return ev.ID, translate(err)
}

// outboxEvent is e's outbox row, with a new ID and its payload.
func outboxEvent(e models.Event, now time.Time, routedAt *time.Time) (*models.OutboxEvent, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	payload, err := json.Marshal(map[string]any{"id": id.String(), "type": e.Type,
		"occurredAt": now.UTC().Format(time.RFC3339Nano), "data": e.Data})
	if err != nil {
		return nil, err
	}
	return &models.OutboxEvent{ID: id.String(), Type: e.Type, UserID: e.UserID, Payload: string(payload), OccurredAt: now,
		RoutedAt: routedAt}, nil
}

// insertWith inserts row with effects fx, atomically. On Postgres that is one
// statement (writeTogether), with no BEGIN and COMMIT round trips around it; an
// effect that ends app sessions (queued separately) takes a transaction, as
// everywhere else.
func (s *Store) insertWith(ctx context.Context, row any, fx models.Effects, now time.Time) error {
	if s.dialect != Postgres || fx.LogoutApps {
		return s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
			if err := tx.insertRow(ctx, row); err != nil {
				return err
			}
			return tx.record(ctx, fx, now)
		})
	}
	rows, err := effectRows(fx, now)
	if err != nil {
		return err
	}
	return s.writeTogether(ctx, append([]any{row}, rows...), len(fx.Changes) > 0)
}

// Changes returns change-feed entries after the key (since, afterID) in (created_at,
// id) order, at most limit of them: those created after since, and those created at
// since whose ID sorts after afterID (all of them for ""). Passing the last entry's key
// reads the next page, however many entries share one timestamp.
func (s *Store) Changes(ctx context.Context, since time.Time, afterID string, limit int) ([]models.Change, error) {
	var out []models.Change
	err := s.db.NewSelect().Model(&out).Where("created_at > ? OR (created_at = ? AND id > ?)", since, since, afterID).
		Order("created_at ASC", "id ASC").Limit(int64(limit)).Scan(ctx)
	return out, translate(err)
}

// PruneChanges deletes change-feed entries older than ChangeRetention.
func (s *Store) PruneChanges(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*models.Change)(nil)).Where("created_at < ?", now.Add(-models.ChangeRetention)).Exec(ctx)
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}

// RouteEvents queues up to limit unrouted outbox events, oldest first, for each
// endpoint whose route takes their type. Events older than since are marked routed
// with no delivery (an endpoint added today does not receive last month's events).
// Each event is claimed with a conditional update, so instances routing at the same
// time queue it once.
func (s *Store) RouteEvents(ctx context.Context, routes []models.EventRoute, since, now time.Time, limit int) (int, error) {
	var due []models.OutboxEvent
	err := s.db.NewSelect().Model(&due).Column("id", "type", "user_id", "occurred_at").Where("routed_at IS NULL").
		OrderExpr("occurred_at ASC, id ASC").Limit(int64(limit)).Scan(ctx)
	if err != nil || len(due) == 0 {
		return 0, translate(err)
	}
	routed := 0
	err = s.RunInTx(ctx, func(ctx context.Context, tx *Store) error {
		for _, ev := range due {
			err := affected(tx.db.NewUpdate().Model((*models.OutboxEvent)(nil)).Set("routed_at = ?", now).
				Where("id = ? AND routed_at IS NULL", ev.ID).Exec(ctx))
			if err == models.ErrNotFound {
				continue // another instance routed it
			}
			if err != nil {
				return err
			}
			routed++
			if ev.OccurredAt.Before(since) {
				continue
			}
			for _, r := range routes {
				if len(r.Types) > 0 && !slices.Contains(r.Types, ev.Type) {
					continue
				}
				d := &models.EventDelivery{EventID: ev.ID, Endpoint: r.Name, UserID: ev.UserID, OccurredAt: ev.OccurredAt,
					Status: models.DeliveryPending, NextAttemptAt: now}
				if _, err := tx.db.NewInsert().Model(d).Exec(ctx); err != nil {
					return translate(err)
				}
			}
		}
		return nil
	})
	return routed, err
}
