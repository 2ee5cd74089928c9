package provider

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/clients"
	"github.com/authd/authd/models"
)

// Consent: a third-party app (not firstParty) gets a person's data only once they
// allowed it, scope by scope; what they allowed is remembered per person and app, so
// they are asked again only for a scope they have not allowed, or when the app asks
// (prompt=consent). First-party apps (the deployment's own) never ask.

// NeedsConsent reports whether userID must be asked before request r is answered.
func (s *Service) NeedsConsent(ctx context.Context, r *models.AuthRequest, userID string) (bool, error) {
	app, err := s.apps.Get(ctx, r.ClientID)
	if err != nil {
		return false, err
	}
	if app.FirstParty {
		return false, nil
	}
	if slices.Contains(r.Prompt, oidc.PromptConsent) {
		return true, nil
	}
	scopes, err := s.ConsentScopes(ctx, r, userID)
	if err != nil {
		return false, err
	}
	c, err := s.store.Consent(ctx, userID, r.ClientID)
	if errors.Is(err, models.ErrNotFound) {
		return true, nil
	}
	if err != nil {
		return false, models.Internal(err)
	}
	for _, sc := range scopes {
		if sc != clients.ScopeOpenID && !slices.Contains(c.Scopes, sc) {
			return true, nil
		}
	}
	return false, nil
}

// ConsentScopes are the scopes of request r that userID is asked to allow: those the
// app may get for them (a role-based scope whose roles they lack is neither shown nor
// recorded, so gaining the role later asks again).
func (s *Service) ConsentScopes(ctx context.Context, r *models.AuthRequest, userID string) ([]string, error) {
	return s.sessions.ScopesFor(ctx, userID, r.Scopes)
}

// Allow records that userID allowed the scopes of request r (added to what they had
// allowed that app before), audited.
func (s *Service) Allow(ctx context.Context, r *models.AuthRequest, actor authn.Actor) error {
	now := s.now()
	scopes, err := s.ConsentScopes(ctx, r, actor.ID)
	if err != nil {
		return err
	}
	prev, err := s.store.Consent(ctx, actor.ID, r.ClientID)
	switch {
	case err == nil:
		for _, sc := range prev.Scopes {
			if !slices.Contains(scopes, sc) {
				scopes = append(scopes, sc)
			}
		}
	case !errors.Is(err, models.ErrNotFound):
		return models.Internal(err)
	}
	if err := s.store.SaveConsent(ctx, &models.Consent{UserID: actor.ID, ClientID: r.ClientID, Scopes: scopes,
		CreatedAt: now, UpdatedAt: now}); err != nil {
		return models.Internal(err)
	}
	s.audit.Record(ctx, models.AuditConsentGranted, actor, actor.ID, "consent to "+r.ClientID+": "+strings.Join(scopes, " "))
	return nil
}

// ConsentView is one app a person allowed, for GET /consents.
type ConsentView struct {
	ClientID, AppName string
	Scopes            []string
	GrantedAt         time.Time
}

// Consents lists what the caller allowed.
func (s *Service) Consents(ctx context.Context, p *authn.Principal) ([]ConsentView, error) {
	if p.UserID == "" {
		return nil, models.E(models.KindUnauthorized, "not logged in")
	}
	return s.consentsOf(ctx, p.UserID)
}

// AdminConsents lists what a user allowed, for an admin.
func (s *Service) AdminConsents(ctx context.Context, p *authn.Principal, userID string) ([]ConsentView, error) {
	if err := s.authn.RequireAdmin(ctx, p); err != nil {
		return nil, err
	}
	if _, err := models.ParseID(userID, "user id"); err != nil {
		return nil, err
	}
	return s.consentsOf(ctx, userID)
}

func (s *Service) consentsOf(ctx context.Context, userID string) ([]ConsentView, error) {
	rows, err := s.store.Consents(ctx, userID)
	if err != nil {
		return nil, models.Internal(err)
	}
	out := make([]ConsentView, 0, len(rows))
	for _, c := range rows {
		v := ConsentView{ClientID: c.ClientID, Scopes: c.Scopes, GrantedAt: c.UpdatedAt}
		if app, err := s.apps.Get(ctx, c.ClientID); err == nil {
			v.AppName = app.Name
		}
		out = append(out, v)
	}
	return out, nil
}

// RevokeConsent withdraws the caller's consent to an app; that app's sessions of
// theirs close with it (their refresh tokens stop working).
func (s *Service) RevokeConsent(ctx context.Context, p *authn.Principal, clientID string) error {
	if p.UserID == "" {
		return models.E(models.KindUnauthorized, "not logged in")
	}
	if !clients.WellFormedID(clientID) {
		return models.Invalid("clientID is not an app's client ID")
	}
	return s.sessions.RevokeAppAccess(ctx, p.Actor(), p.UserID, clientID)
}
