package account

import (
	"context"
	"errors"
	"time"

	"github.com/authd/authd/issuer"
	"github.com/authd/authd/models"
)

// Principal is an authenticated caller. A pending principal holds only the
// credential POST /session gave out: it may show and cancel its own session, nothing
// else, and it carries no account data, because anyone may obtain one for any address.
type Principal struct {
	SessionID string // empty for a key pair
	KeyID     string // set when the caller used an API key pair
	UserID    string // empty when Pending
	Pending   bool
	ExpiresAt time.Time // the presented credential's
	Client    Client    // where the request came from; set by the HTTP layer

	pending *issuer.Pending
	claims  *issuer.Claims
	view    *models.SessionView
	key     *models.KeyPairOwner
	// roles are the caller's roles as the database holds them, once CurrentRoles has
	// read them for this request.
	roles     []string
	rolesRead bool
}

// ViaKeyPair reports whether the caller authenticated with an API key pair.
func (p *Principal) ViaKeyPair() bool { return p.key != nil }

// Roles are the caller's roles: an access token's own claims (what gateways see
// too), or a key pair owner's current roles.
func (p *Principal) Roles() []string {
	switch {
	case p.key != nil:
		return nonNil(p.key.Identity.Roles)
	case p.claims != nil:
		return p.claims.Roles
	}
	return []string{}
}

// Groups are the caller's groups, from the same source as Roles.
func (p *Principal) Groups() []string {
	switch {
	case p.key != nil:
		return nonNil(p.key.Identity.Groups)
	case p.claims != nil:
		return p.claims.Groups
	}
	return []string{}
}

// HasAnyRole reports whether the caller holds at least one of roles.
func (p *Principal) HasAnyRole(roles ...string) bool {
	for _, have := range p.Roles() {
		for _, want := range roles {
			if have == want {
				return true
			}
		}
	}
	return false
}

// Authenticate checks a bearer: a pending credential by its MAC alone (so real and
// decoy ones behave the same), an access token by signature and then its session, in
// one indexed read, so a closed session or disabled account is refused at once.
func (s *Service) Authenticate(ctx context.Context, bearer string) (*Principal, error) {
	if issuer.IsPending(bearer) {
		p, err := s.tokens.VerifyPending(bearer)
		if err != nil {
			return nil, err
		}
		return &Principal{SessionID: p.SessionID, Pending: true, ExpiresAt: p.ExpiresAt, pending: p}, nil
	}
	claims, err := s.tokens.VerifyAccess(bearer)
	if err != nil {
		return nil, err
	}
	if claims.KeyID != "" {
		return s.authenticateKeyToken(ctx, claims)
	}
	now := s.now()
	view, cached := s.sessions.bySID.get(claims.SessionID, now)
	if !cached {
		view, err = s.store.SessionView(ctx, claims.SessionID)
		if errors.Is(err, models.ErrNotFound) {
			return nil, models.Wrap(models.KindUnauthorized, "invalid or expired token", err)
		}
		if err != nil {
			return nil, storeFault(err)
		}
		s.sessions.bySID.put(view.ID, view, now)
	}
	if view.UserID != claims.Subject || !view.Active(s.now(), s.o.IdleTimeout) {
		return nil, models.Wrap(models.KindUnauthorized, "session is closed or expired", errors.New("inactive session"))
	}
	if !view.UserEnabled {
		return nil, models.E(models.KindForbidden, "account is disabled")
	}
	return &Principal{SessionID: claims.SessionID, UserID: claims.Subject, ExpiresAt: claims.ExpiresAt, claims: claims, view: view}, nil
}

// SessionInfo is what GET /session answers.
type SessionInfo struct {
	SessionID, UserID, Alias, FullName string
	ExpiresAt                          time.Time
	IP, UserAgent                      string
	Verified, UserVerified             bool
	Roles, Groups                      []string
}

// Info describes the caller's session without another database read. Roles and
// groups are the token's: what a gateway sees is what the client is shown.
func (s *Service) Info(p *Principal) (SessionInfo, error) {
	if err := requireSession(p); err != nil {
		return SessionInfo{}, err
	}
	if p.Pending {
		return SessionInfo{SessionID: p.SessionID, ExpiresAt: p.ExpiresAt, IP: p.pending.IP,
			UserAgent: p.pending.UserAgent, Roles: []string{}, Groups: []string{}}, nil
	}
	return SessionInfo{
		SessionID: p.SessionID, UserID: p.UserID, Alias: p.view.Alias, FullName: p.view.FullName,
		ExpiresAt: p.ExpiresAt, IP: p.view.IP, UserAgent: p.view.UserAgent, Verified: true,
		UserVerified: p.view.UserVerified, Roles: nonNil(p.claims.Roles), Groups: nonNil(p.claims.Groups),
	}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// requireVerified admits a verified session only: what manages credentials or the
// session itself.
func requireVerified(p *Principal) error {
	if err := requireUser(p); err != nil {
		return err
	}
	return requireSession(p)
}

// requireUser admits a verified session or a key pair: a caller known to be a user.
func requireUser(p *Principal) error {
	if p.Pending {
		return models.E(models.KindUnauthorized, "session is not verified")
	}
	return nil
}

// requireSession refuses key pairs where a person's session is needed: managing
// credentials or the session itself.
func requireSession(p *Principal) error {
	if p.key != nil {
		return models.E(models.KindForbidden, "this endpoint needs a session bearer token, not an API key pair")
	}
	return nil
}

// Extend slides the caller's session and mints a fresh access token with the user's
// current roles. A session past its idle or absolute end cannot be extended.
func (s *Service) Extend(ctx context.Context, p *Principal) (string, time.Time, error) {
	if err := requireVerified(p); err != nil {
		return "", time.Time{}, err
	}
	now := s.now()
	if _, err := s.store.TouchSession(ctx, p.UserID, p.SessionID, now, s.o.IdleTimeout); err != nil {
		if errors.Is(err, models.ErrNotFound) {
			return "", time.Time{}, models.Wrap(models.KindUnauthorized, "session is closed or expired", err)
		}
		return "", time.Time{}, storeFault(err)
	}
	s.Evict(models.Change{Kind: models.ChangedSession, Subject: p.SessionID}) // its idle window moved
	id, err := s.identity(ctx, p.UserID)
	if err != nil {
		return "", time.Time{}, storeFault(err)
	}
	token, exp, err := s.tokens.MintAccess(issuer.AccessRequest{
		UserID: p.UserID, SessionID: p.SessionID, Roles: id.Roles, Groups: id.Groups,
		Verified: id.User.Verified, AMR: p.claims.AMR,
	})
	if err != nil {
		return "", time.Time{}, models.Internal(err)
	}
	return token, exp, nil
}

// errNoSession is the answer for a session that is not the caller's to close.
var errNoSession = models.E(models.KindNotFound, "session not found")

// Close ends one of the caller's sessions; someone else's is "not found", never
// "forbidden". A pending credential may cancel only its own login.
func (s *Service) Close(ctx context.Context, p *Principal, sessionID string) error {
	if err := requireSession(p); err != nil {
		return err
	}
	if _, err := ParseID(sessionID, "session id"); err != nil {
		return err
	}
	now := s.now()
	if p.Pending {
		if sessionID != p.SessionID {
			return errNoSession
		}
		// A decoy credential names no stored session; answer the same either way.
		if err := s.store.CancelPendingSession(ctx, sessionID, now); err != nil && !errors.Is(err, models.ErrNotFound) {
			return storeFault(err)
		}
		return nil
	}
	err := s.closeSession(ctx, p.UserID, sessionID)
	if errors.Is(err, models.ErrNotFound) {
		return models.Wrap(models.KindNotFound, "session not found", err)
	}
	if err != nil {
		return storeFault(err)
	}
	s.audit(ctx, p, models.AuditLogout, "session "+sessionID)
	return nil
}

// SessionSummary is one row of GET /sessions.
type SessionSummary struct {
	SessionID, IP, UserAgent, Kind string
	CreatedAt, ExpiresAt           time.Time
	Current                        bool
}

// List returns the caller's open sessions, marking the one making the call.
func (s *Service) List(ctx context.Context, p *Principal) ([]SessionSummary, error) {
	if err := requireVerified(p); err != nil {
		return nil, err
	}
	now := s.now()
	rows, err := s.store.ActiveSessions(ctx, p.UserID, now, s.o.IdleTimeout)
	if err != nil {
		return nil, storeFault(err)
	}
	out := make([]SessionSummary, 0, len(rows))
	for _, r := range rows {
		end := r.ExpiresAt
		if idle := r.LastSeenAt.Add(r.IdleTimeout(s.o.IdleTimeout)); idle.Before(end) {
			end = idle
		}
		out = append(out, SessionSummary{SessionID: r.ID, IP: r.IP, UserAgent: r.UserAgent, Kind: r.Kind,
			CreatedAt: r.CreatedAt, ExpiresAt: end, Current: r.ID == p.SessionID})
	}
	return out, nil
}

// Alias returns the public alias of a user.
func (s *Service) Alias(ctx context.Context, userID string) (string, error) {
	if _, err := ParseID(userID, "user id"); err != nil {
		return "", err
	}
	u, err := s.store.UserByID(ctx, userID)
	if errors.Is(err, models.ErrNotFound) {
		return "", models.Wrap(models.KindNotFound, "user not found", err)
	}
	if err != nil {
		return "", storeFault(err)
	}
	return u.Alias, nil
}

// closeSession closes one of userID's sessions with what goes with it; closing a
// closed session again succeeds.
func (s *Service) closeSession(ctx context.Context, userID, sessionID string) error {
	now := s.now()
	return s.commit(s.sessionClosed(userID, sessionID, now), func(fx models.Effects) error {
		return s.store.RevokeSession(ctx, userID, sessionID, now, fx)
	})
}
