package login

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/issuer"
	"github.com/authd/authd/models"
	"github.com/authd/authd/revocation"
)

// AppLogin is an app session to open from an answered authorization request (package
// provider decides its fields from the request and the app's registration).
type AppLogin struct {
	SessionID, ParentID string // the ID fixed when the code was issued; the browser session
	UserID, ClientID    string
	Scopes              []string
	AuthTime            time.Time
	AMR                 []string
	IP, UserAgent       string
	AccessTTL           time.Duration // the app's, within the server's; 0: the server's
	RefreshTTL          time.Duration // the app's absolute session lifetime; 0: the server's
	Offline             bool          // a refresh token is issued
}

// AppTokens are an app session's first tokens, with what an ID token says of the user.
type AppTokens struct {
	Access       string
	ExpiresAt    time.Time
	RefreshToken string   // empty without offline access
	Scopes       []string // what the session holds: the request's, less role-based ones the person may not have
	Profile      Profile
}

// Profile is what the profile and email scopes may reveal of a user.
type Profile struct {
	Name, Alias   string
	Email         string
	EmailVerified bool
}

// OpenAppSession opens the session an authorization code's exchange gives an app, and
// mints its first access token (with client_id and scope, RFC 9068) and, for offline
// access, its first refresh token, which only that app may spend.
func (s *Service) OpenAppSession(ctx context.Context, in AppLogin) (*AppTokens, error) {
	id, err := s.caches.Identity(ctx, in.UserID)
	if err != nil {
		return nil, models.Internal(err)
	}
	if !id.User.Enabled {
		return nil, models.E(models.KindUnauthorized, "the account is disabled")
	}
	now := s.now()
	in.Scopes = s.grantedScopes(in.Scopes, id.Roles)
	end, idle := s.lifetimes(id, now)
	if in.RefreshTTL > 0 && now.Add(in.RefreshTTL).Before(end) {
		end = now.Add(in.RefreshTTL)
	}
	sess := &models.Session{ID: in.SessionID, UserID: in.UserID, Kind: models.SessionApp, IP: in.IP, UserAgent: in.UserAgent,
		CreatedAt: now, ExpiresAt: end, LastSeenAt: now, VerifiedAt: &in.AuthTime, IdleSeconds: idle,
		ClientID: in.ClientID, Scope: strings.Join(in.Scopes, " "), ParentID: in.ParentID}
	out := &AppTokens{Scopes: in.Scopes}
	if in.Offline {
		refresh, err := s.tokens.NewRefresh(sess.ID)
		if err != nil {
			return nil, models.Internal(err)
		}
		sess.RefreshHash, out.RefreshToken = refresh.Hash(), refresh.String()
	}
	if err := s.caches.Commit(revocation.SessionOpened(in.UserID, sess.ID), func(fx models.Effects) error {
		return s.store.CreateVerifiedSession(ctx, sess, fx)
	}); err != nil {
		return nil, models.Internal(err)
	}
	out.Access, out.ExpiresAt, err = s.tokens.MintAccess(issuer.AccessRequest{UserID: in.UserID, SessionID: sess.ID,
		Roles: id.Roles, Groups: id.Groups, Verified: id.User.Verified, AMR: in.AMR, ClientID: in.ClientID,
		Scope: sess.Scope, Lifetime: in.AccessTTL})
	if err != nil {
		return nil, models.Internal(err)
	}
	if out.Profile, err = s.profile(ctx, id); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) profile(ctx context.Context, id *models.Identity) (Profile, error) {
	p := Profile{Name: id.User.FullName, Alias: id.User.Alias}
	e, err := s.store.PreferredEmail(ctx, id.User.ID)
	switch {
	case err == nil:
		p.Email, p.EmailVerified = e.Address, e.VerifiedAt != nil
	case !errors.Is(err, models.ErrNotFound):
		return p, models.Internal(err)
	}
	return p, nil
}

var errWrongClient = models.Wrap(models.KindUnauthorized, "invalid or expired refresh token",
	errors.New("refresh token presented by another client"))

// RefreshFor is Refresh at the token endpoint for the app clientID ("" when no app
// identified itself), whose access tokens live accessTTL (0: the server's lifetime). A session's refresh token is spent only by its own app (API
// sessions: by no app); a browser session's credential is never refreshed. Presented
// anywhere else, it has leaked: the session is closed, audited, and the caller refused.
func (s *Service) RefreshFor(ctx context.Context, token, clientID string, accessTTL time.Duration) (*Refreshed, error) {
	return s.refresh(ctx, token, caller{clientID: clientID, accessTTL: accessTTL})
}

// boundToCaller closes sess when the caller is not the client its refresh tokens
// belong to.
func (s *Service) boundToCaller(ctx context.Context, sess *models.Session, clientID string) error {
	if sess.Kind != models.SessionBrowser && sess.ClientID == clientID {
		return nil
	}
	if err := s.closeSession(ctx, sess.UserID, sess.ID); err != nil {
		return models.Internal(err)
	}
	s.audit.Record(ctx, models.AuditRefreshReuse, authn.Actor{ID: sess.UserID}, sess.UserID,
		"session "+sess.ID+" closed: its refresh token was presented by another client")
	return errWrongClient
}

// ScopesFor is what of scopes an app may get for userID now: the role-based ones
// they hold no role of left out (what the consent page shows and records).
func (s *Service) ScopesFor(ctx context.Context, userID string, scopes []string) ([]string, error) {
	id, err := s.caches.Identity(ctx, userID)
	if err != nil {
		return nil, models.Internal(err)
	}
	return s.grantedScopes(scopes, id.Roles), nil
}

// grantedScopes is scopes without the role-based ones (Options.ScopeRoles) that a
// person holding roles may not have. An app asking for one gets the rest, as OAuth
// allows (RFC 6749 3.3: the token response says which were granted).
func (s *Service) grantedScopes(scopes, roles []string) []string {
	out := make([]string, 0, len(scopes))
	for _, sc := range scopes {
		if need, gated := s.o.ScopeRoles[sc]; !gated || slices.ContainsFunc(need, func(r string) bool { return slices.Contains(roles, r) }) {
			out = append(out, sc)
		}
	}
	return out
}
