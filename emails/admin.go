package emails

import (
	"context"
	"errors"
	"fmt"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
)

// AdminAddEmail puts an unverified address on a user's account without sending a code.
func (s *Service) AdminAddEmail(ctx context.Context, p *authn.Principal, userID, address string) (string, error) {
	if err := s.authn.RequireAdminSession(ctx, p); err != nil {
		return "", err
	}
	if _, err := models.ParseID(userID, "user id"); err != nil {
		return "", err
	}
	e, _, err := s.addEmail(ctx, userID, address, false)
	if err != nil {
		return "", err
	}
	s.audit.Record(ctx, models.AuditEmailAdded, p.Actor(), userID, "email "+e.ID+" by an admin")
	return e.ID, nil
}

// AdminVerifyEmail verifies any address without a code.
func (s *Service) AdminVerifyEmail(ctx context.Context, p *authn.Principal, emailID string) error {
	if err := s.authn.RequireAdminSession(ctx, p); err != nil {
		return err
	}
	e, err := s.adminEmail(ctx, emailID)
	if err != nil {
		return err
	}
	switch err := s.store.SetEmailVerified(ctx, e.UserID, emailID, s.now()); {
	case errors.Is(err, models.ErrConflict):
		return models.Wrap(models.KindConflict, "this address belongs to another account", err)
	case err != nil:
		return models.Internal(err)
	}
	s.audit.Record(ctx, models.AuditEmailVerified, p.Actor(), e.UserID, "email "+emailID+" by an admin")
	s.noticeOf(ctx, authn.Client{}, e.UserID, emailID, msgAdded)
	return nil
}

// AdminPreferEmail makes a verified address its owner's preferred one.
func (s *Service) AdminPreferEmail(ctx context.Context, p *authn.Principal, emailID string) error {
	if err := s.authn.RequireAdminSession(ctx, p); err != nil {
		return err
	}
	e, err := s.adminEmail(ctx, emailID)
	if err != nil {
		return err
	}
	old, err := s.store.PreferredEmail(ctx, e.UserID)
	if err != nil {
		return models.Internal(err)
	}
	if err := preferError(s.store.SetPreferredEmail(ctx, e.UserID, emailID)); err != nil {
		return err
	}
	s.audit.Record(ctx, models.AuditEmailPreferred, p.Actor(), e.UserID, "email "+emailID+" by an admin")
	if old.ID != emailID {
		s.noticeTo(ctx, authn.Client{}, old.Address, e.UserID, emailID, msgPreferred)
	}
	return nil
}

// AdminRemoveEmail removes any address, under the same rules as the owner's removal.
func (s *Service) AdminRemoveEmail(ctx context.Context, p *authn.Principal, emailID string) error {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return err
	}
	e, err := s.adminEmail(ctx, emailID)
	if err != nil {
		return err
	}
	preferred, err := s.store.PreferredEmail(ctx, e.UserID)
	if err != nil {
		return models.Internal(err)
	}
	if err := removeError(s.store.DeleteEmail(ctx, e.UserID, emailID)); err != nil {
		return err
	}
	s.audit.Record(ctx, models.AuditEmailRemoved, p.Actor(), e.UserID, "email "+emailID+" by an admin")
	s.notify(ctx, authn.Client{}, fmt.Sprintf(msgRemoved, e.Address), preferred.Address, e.Address)
	return nil
}

func (s *Service) adminEmail(ctx context.Context, id string) (*models.Email, error) {
	if _, err := models.ParseID(id, "email id"); err != nil {
		return nil, err
	}
	e, err := s.store.EmailByID(ctx, id)
	if errors.Is(err, models.ErrNotFound) {
		return nil, models.Wrap(models.KindNotFound, "email address not found", err)
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	return e, nil
}
