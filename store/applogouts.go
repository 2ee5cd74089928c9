package store

import (
	"context"
	"time"

	"github.com/authd/authd/models"
)

// queueAppLogouts carries out fx.LogoutApps for a change about to end the sessions
// that where (with args) selects: each of them that is an open app session whose app
// registered a back-channel logout URI gets an EventAppLogout, written already routed
// (webhook endpoints never see it) with one pending delivery to its app. It runs in
// the change's transaction, before the change's own statements, so exactly the
// sessions the change ends are told and a rollback tells nobody.
func (s *Store) queueAppLogouts(ctx context.Context, fx models.Effects, now time.Time, where string, args ...any) error {
	if !fx.LogoutApps {
		return nil
	}
	var ending []models.Session
	err := s.db.NewSelect().Model(&ending).Column("id", "user_id", "client_id").
		Where("client_id IS NOT NULL AND revoked_at IS NULL AND verified_at IS NOT NULL").
		Where("EXISTS (SELECT 1 FROM oauth_clients AS c WHERE c.id = ?TableAlias.client_id AND c.backchannel_logout_uri <> '')").
		Where(where, args...).Order("created_at").Scan(ctx)
	if err != nil {
		return translate(err)
	}
	for _, sess := range ending {
		if err := s.insertAppLogout(ctx, sess, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) insertAppLogout(ctx context.Context, sess models.Session, now time.Time) error {
	id, err := s.insertEvent(ctx, models.Event{Type: models.EventAppLogout, UserID: sess.UserID,
		Data: map[string]string{"clientID": sess.ClientID, "userID": sess.UserID, "sessionID": sess.ID}}, now, &now)
	if err != nil {
		return err
	}
	d := &models.EventDelivery{EventID: id, Endpoint: models.AppEndpoint(sess.ClientID), UserID: sess.UserID,
		OccurredAt: now, Status: models.DeliveryPending, NextAttemptAt: now}
	_, err = s.db.NewInsert().Model(d).Exec(ctx)
	return translate(err)
}
