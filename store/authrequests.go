package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/authd/authd/models"
)

// AddAuthRequest stores a new authorization request.
func (s *Store) AddAuthRequest(ctx context.Context, r *models.AuthRequest) error {
	return s.insertRow(ctx, r)
}

// AuthRequestByID returns a request that has not expired at now.
func (s *Store) AuthRequestByID(ctx context.Context, id string, now time.Time) (*models.AuthRequest, error) {
	r := new(models.AuthRequest)
	err := s.db.NewSelect().Model(r).Where("id = ? AND expires_at > ?", id, now).Scan(ctx)
	return r, translate(err)
}

// AnswerAuthRequest records who logged in to answer a live request nobody has answered
// yet, with the code (its hash) that answers it, in one statement; anything else is
// models.ErrNotFound and changes nothing.
func (s *Store) AnswerAuthRequest(ctx context.Context, a models.AuthAnswer, now time.Time) error {
	amr, err := json.Marshal(a.AMR) // stored as bun writes a list: its JSON text
	if err != nil {
		return err
	}
	q := new(hotSQL).sql("UPDATE oauth_auth_requests SET user_id = ").value(a.UserID).
		sql(", session_id = ").value(a.SessionID).sql(", browser_session_id = ").value(a.BrowserSessionID).
		sql(", auth_time = ").value(s.timeArg(a.AuthTime)).sql(", amr = ").value(string(amr)).
		sql(", code_hash = ").value(a.CodeHash).sql(", code_expires_at = ").value(s.timeArg(a.CodeExpiresAt)).
		sql(" WHERE id = ").value(a.RequestID).sql(" AND user_id IS NULL AND expires_at > ").value(s.timeArg(now))
	return s.execOne(ctx, q)
}

// RedeemAuthCode spends the code hashing to h, in one statement, so of concurrent
// redemptions exactly one is first. The first before the code's expiry gets the
// request and first true; any later one gets the request and first false, expired or
// not (RFC 6749 4.1.2: the caller refuses it and closes what the first issued). An
// unknown code, or one never redeemed and now expired, is models.ErrNotFound.
func (s *Store) RedeemAuthCode(ctx context.Context, h []byte, now time.Time) (r *models.AuthRequest, first bool, err error) {
	if len(h) == 0 {
		return nil, false, models.ErrNotFound
	}
	r = new(models.AuthRequest)
	err = s.scanHotOne(ctx, r, redeemAuthCodeSQL, s.timeArg(now), h, s.timeArg(now))
	if err == nil {
		return r, true, nil
	}
	if err = translate(err); !errors.Is(err, models.ErrNotFound) {
		return nil, false, err
	}
	r = new(models.AuthRequest)
	if err := s.db.NewSelect().Model(r).Where("code_hash = ? AND code_used_at IS NOT NULL", h).Scan(ctx); err != nil {
		return nil, false, translate(err)
	}
	return r, false, nil
}

// redeemAuthCodeSQL spends a live code; every exchange runs it (queryHot).
const redeemAuthCodeSQL = `UPDATE oauth_auth_requests SET code_used_at = ?
	WHERE code_hash = ? AND code_used_at IS NULL AND code_expires_at > ? RETURNING *`

// DeleteAuthRequest removes a request (answered with an error, or abandoned).
func (s *Store) DeleteAuthRequest(ctx context.Context, id string) error {
	_, err := s.db.NewDelete().Model((*models.AuthRequest)(nil)).Where("id = ?", id).Exec(ctx)
	return translate(err)
}

// PruneAuthRequests deletes requests past their end; a used code's row goes with it,
// so its replay is recognised only while the request lives.
func (s *Store) PruneAuthRequests(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.NewDelete().Model((*models.AuthRequest)(nil)).Where("expires_at <= ?", now).Exec(ctx)
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}
