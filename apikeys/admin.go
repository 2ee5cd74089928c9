package apikeys

import (
	"context"
	"errors"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
)

// AdminKeyPairs returns a page of key pairs, optionally of one user.
func (s *Service) AdminKeyPairs(ctx context.Context, p *authn.Principal, userID string, limit, page int) ([]models.KeyPair, int, error) {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return nil, 0, err
	}
	if err := models.ParseOptionalID(userID, "userID"); err != nil {
		return nil, 0, err
	}
	out, total, err := s.store.KeyPairs(ctx, userID, limit, (page-1)*limit)
	if err != nil {
		return nil, 0, models.Internal(err)
	}
	return out, total, nil
}

// AdminCreateKeyPair makes an unverified key pair for a user; no code is sent, the
// admin verifies it with AdminVerifyKeyPair.
func (s *Service) AdminCreateKeyPair(ctx context.Context, p *authn.Principal, userID, name string, days int) (*NewKeyPair, error) {
	if err := s.authn.RequireAdminSession(ctx, p); err != nil {
		return nil, err
	}
	if _, err := models.ParseID(userID, "user id"); err != nil {
		return nil, err
	}
	k, err := s.newKeyPair(ctx, userID, name, days, false)
	if err != nil {
		return nil, err
	}
	s.audit.Record(ctx, models.AuditKeyPairCreated, p.Actor(), userID, "key pair "+k.KeyID+" by an admin")
	return k, nil
}

// AdminVerifyKeyPair marks any key pair verified.
func (s *Service) AdminVerifyKeyPair(ctx context.Context, p *authn.Principal, id string) error {
	if err := s.authn.RequireAdminSession(ctx, p); err != nil {
		return err
	}
	k, err := s.adminKeyPair(ctx, id)
	if err != nil {
		return err
	}
	if err := s.store.SetKeyPairVerified(ctx, id, s.now()); err != nil {
		return models.Internal(err)
	}
	s.audit.Record(ctx, models.AuditKeyPairVerify, p.Actor(), k.UserID, "key pair "+id+" by an admin")
	return nil
}

// AdminDeleteKeyPair deletes any key pair; it stops working on this instance at once.
func (s *Service) AdminDeleteKeyPair(ctx context.Context, p *authn.Principal, id string) error {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return err
	}
	k, err := s.adminKeyPair(ctx, id)
	if err != nil {
		return err
	}
	if _, err := s.deleteKeyPair(ctx, k.UserID, id); err != nil && !errors.Is(err, models.ErrNotFound) {
		return models.Internal(err)
	}
	s.audit.Record(ctx, models.AuditKeyPairDeleted, p.Actor(), k.UserID, "key pair "+id+" by an admin")
	return nil
}

func (s *Service) adminKeyPair(ctx context.Context, id string) (*models.KeyPair, error) {
	if _, err := models.ParseID(id, "key pair id"); err != nil {
		return nil, err
	}
	k, err := s.store.KeyPairByID(ctx, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, models.Wrap(models.KindNotFound, "key pair not found", err)
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	return k, nil
}
