package clients

import (
	"context"
	"errors"
	"time"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
)

// Audit actions of the registry.
const (
	AuditCreated = "client.created"
	AuditUpdated = "client.updated"
	AuditRotated = "client.secret_rotated"
	AuditDeleted = "client.deleted"
)

var errNoClient = models.E(models.KindNotFound, "client not found")

// Registered is a new or re-keyed client with its secret, shown this once.
type Registered struct {
	Client *models.Client
	Secret string // empty for public clients
}

// Create registers an app. A web app gets a secret; spa and native apps are public.
func (s *Service) Create(ctx context.Context, actor authn.Actor, sp Spec) (*Registered, error) {
	if err := s.check(&sp); err != nil {
		return nil, err
	}
	if err := s.keys.EnsureAlgorithm(ctx, sp.IDTokenAlg); err != nil {
		return nil, models.Internal(err)
	}
	id, err := authn.NewCredential(s.o.Rand, IDPrefix, idBytes)
	if err != nil {
		return nil, models.Internal(err)
	}
	now := s.now()
	c := &models.Client{ID: id, CreatedAt: now}
	apply(c, sp, now)
	out := &Registered{Client: c}
	if c.Confidential() {
		if out.Secret, err = authn.NewCredential(s.o.Rand, secretPrefix, secretBytes); err != nil {
			return nil, models.Internal(err)
		}
		c.SecretHash = s.hashSecret(c.ID, out.Secret)
	}
	if err := s.store.AddClient(ctx, c, audited(now, AuditCreated, actor, c.ID, c.Name)); err != nil {
		return nil, models.Internal(err)
	}
	return out, nil
}

// apply copies a checked spec onto c.
func apply(c *models.Client, sp Spec, now time.Time) {
	c.Name, c.LogoURL, c.Type = sp.Name, sp.LogoURL, sp.Type
	c.RedirectURIs, c.PostLogoutRedirectURIs = sp.RedirectURIs, nonNil(sp.PostLogoutRedirectURIs)
	c.BackchannelLogoutURI, c.Scopes, c.GrantTypes = sp.BackchannelLogoutURI, sp.Scopes, sp.GrantTypes
	c.FirstParty, c.IDTokenAlg = sp.FirstParty, sp.IDTokenAlg
	c.AccessTTLSeconds, c.RefreshTTLSeconds = int(sp.AccessTTL/time.Second), int(sp.RefreshTTL/time.Second)
	c.UpdatedAt = now
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// audited is the effects of a registry change: its audit row, written with it.
func audited(now time.Time, action string, actor authn.Actor, clientID, detail string) models.Effects {
	return models.Effects{Audit: []models.AuditEvent{authn.NewAuditEvent(now, action, actor, clientID, detail)}}
}

// changed is the effects of a change to an existing app: its audit row and the
// change-feed entry that makes every instance drop what it holds of the app.
func changed(now time.Time, action string, actor authn.Actor, clientID, detail string) models.Effects {
	fx := audited(now, action, actor, clientID, detail)
	fx.Changed(models.ChangedClient, clientID)
	return fx
}

// Get returns one registered app, from this instance's cache (changes reach it through
// the change feed within about a second). The result is shared: never change it.
func (s *Service) Get(ctx context.Context, id string) (*models.Client, error) {
	if !WellFormedID(id) {
		return nil, errNoClient
	}
	return s.found(s.cache.App(ctx, id))
}

// fresh reads an app from the database, a copy of its own, for a change to it.
func (s *Service) fresh(ctx context.Context, id string) (*models.Client, error) {
	if !WellFormedID(id) {
		return nil, errNoClient
	}
	return s.found(s.store.ClientByID(ctx, id))
}

// WellFormedID reports whether id has the shape of an app's client ID. Anything else
// names no app and is never looked up.
func WellFormedID(id string) bool { return authn.WellFormedCredential(id, IDPrefix, idBytes) }

func (s *Service) found(c *models.Client, err error) (*models.Client, error) {
	if errors.Is(err, models.ErrNotFound) {
		return nil, errNoClient
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	return c, nil
}

// List returns a page (from 1) of registered apps, by name, and how many there are.
func (s *Service) List(ctx context.Context, limit, page int) ([]models.Client, int, error) {
	if limit < 1 || limit > 100 || page < 1 {
		return nil, 0, models.Invalid("limit is 1 to 100 and page starts at 1")
	}
	rows, total, err := s.store.ListClients(ctx, limit, (page-1)*limit)
	if err != nil {
		return nil, 0, models.Internal(err)
	}
	return rows, total, nil
}

// Update replaces what a registered app may do; its ID, type of secret and secret stay.
// A type change between confidential and public is refused (register a new app).
func (s *Service) Update(ctx context.Context, actor authn.Actor, id string, sp Spec) (*models.Client, error) {
	c, err := s.fresh(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.check(&sp); err != nil {
		return nil, err
	}
	if (sp.Type == models.ClientWeb) != c.Confidential() {
		return nil, models.Invalid("type: a web app cannot become public or the reverse; register a new app")
	}
	if err := s.keys.EnsureAlgorithm(ctx, sp.IDTokenAlg); err != nil {
		return nil, models.Internal(err)
	}
	now := s.now()
	apply(c, sp, now)
	err = s.cache.Commit(changed(now, AuditUpdated, actor, c.ID, c.Name), func(fx models.Effects) error {
		return s.store.UpdateClient(ctx, c, fx)
	})
	if errors.Is(err, models.ErrNotFound) {
		return nil, errNoClient
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	return c, nil
}

// RotateSecret gives a web app a new secret; the old one stays valid for grace (0:
// the default, 24h; at most MaxGrace), so its servers can be re-keyed one by one.
func (s *Service) RotateSecret(ctx context.Context, actor authn.Actor, id string, grace time.Duration) (*Registered, error) {
	if grace == 0 {
		grace = s.o.DefaultGrace
	}
	if grace < 0 || grace > s.o.MaxGrace {
		return nil, models.Invalid("grace: from 1 second to the server's most (30 days by default)")
	}
	c, err := s.fresh(ctx, id)
	if err != nil {
		return nil, err
	}
	if !c.Confidential() {
		return nil, models.Invalid("only web apps have a secret")
	}
	secret, err := authn.NewCredential(s.o.Rand, secretPrefix, secretBytes)
	if err != nil {
		return nil, models.Internal(err)
	}
	now := s.now()
	until := now.Add(grace)
	c.PrevSecretHash, c.PrevSecretUntil, c.SecretHash, c.UpdatedAt = c.SecretHash, &until, s.hashSecret(c.ID, secret), now
	fx := changed(now, AuditRotated, actor, c.ID, "previous secret valid until "+until.Format(time.RFC3339))
	err = s.cache.Commit(fx, func(fx models.Effects) error { return s.store.UpdateClient(ctx, c, fx) })
	if errors.Is(err, models.ErrNotFound) {
		return nil, errNoClient
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	return &Registered{Client: c, Secret: secret}, nil
}

// Delete removes a registered app.
func (s *Service) Delete(ctx context.Context, actor authn.Actor, id string) error {
	now := s.now()
	err := s.cache.Commit(changed(now, AuditDeleted, actor, id, ""), func(fx models.Effects) error {
		return s.store.DeleteClient(ctx, id, now, fx)
	})
	if errors.Is(err, models.ErrNotFound) {
		return errNoClient
	}
	if err != nil {
		return models.Internal(err)
	}
	return nil
}
