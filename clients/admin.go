package clients

import (
	"context"
	"time"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
)

// The admin API's doors: each checks that the caller is an admin (in the database, not
// only in the token) and then runs the operator's use case as that admin. Registering,
// changing and re-keying an app create credentials (a secret, where a login may be
// sent), so they need an admin's own session: a leaked admin key pair cannot register
// an app that collects sign-ins.

// AdminCreate registers an app.
func (s *Service) AdminCreate(ctx context.Context, p *authn.Principal, sp Spec) (*Registered, error) {
	if err := s.authn.RequireAdminSession(ctx, p); err != nil {
		return nil, err
	}
	return s.Create(ctx, p.Actor(), sp)
}

// AdminGet returns one registered app.
func (s *Service) AdminGet(ctx context.Context, p *authn.Principal, id string) (*models.Client, error) {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return nil, err
	}
	return s.Get(ctx, id)
}

// AdminList returns a page of registered apps and how many there are.
func (s *Service) AdminList(ctx context.Context, p *authn.Principal, limit, page int) ([]models.Client, int, error) {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return nil, 0, err
	}
	return s.List(ctx, limit, page)
}

// AdminUpdate changes a registered app.
func (s *Service) AdminUpdate(ctx context.Context, p *authn.Principal, id string, sp Spec) (*models.Client, error) {
	if err := s.authn.RequireAdminSession(ctx, p); err != nil {
		return nil, err
	}
	return s.Update(ctx, p.Actor(), id, sp)
}

// AdminRotateSecret gives a web app a new secret.
func (s *Service) AdminRotateSecret(ctx context.Context, p *authn.Principal, id string, grace time.Duration) (*Registered, error) {
	if err := s.authn.RequireAdminSession(ctx, p); err != nil {
		return nil, err
	}
	return s.RotateSecret(ctx, p.Actor(), id, grace)
}

// AdminDelete removes a registered app.
func (s *Service) AdminDelete(ctx context.Context, p *authn.Principal, id string) error {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return err
	}
	return s.Delete(ctx, p.Actor(), id)
}
