package provider

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/issuer"
	"github.com/authd/authd/login"
	"github.com/authd/authd/models"
)

// Store is the storage the provider needs; *store.Store implements it.
type Store interface {
	AddAuthRequest(ctx context.Context, r *models.AuthRequest) error
	AuthRequestByID(ctx context.Context, id string, now time.Time) (*models.AuthRequest, error)
	AnswerAuthRequest(ctx context.Context, a models.AuthAnswer, now time.Time) error
	RedeemAuthCode(ctx context.Context, h []byte, now time.Time) (*models.AuthRequest, bool, error)
	SaveConsent(ctx context.Context, c *models.Consent) error
	Consent(ctx context.Context, userID, clientID string) (*models.Consent, error)
	Consents(ctx context.Context, userID string) ([]models.Consent, error)
	authn.AuditStore
}

// Apps finds and authenticates registered apps (clients.Service).
type Apps interface {
	Get(ctx context.Context, id string) (*models.Client, error)
	Authenticate(ctx context.Context, id, secret string) (*models.Client, error)
}

// Sessions opens the session a code's exchange gives an app, and closes it when the
// code is replayed (login.Service).
type Sessions interface {
	OpenAppSession(ctx context.Context, in login.AppLogin) (*login.AppTokens, error)
	CloseReplayed(ctx context.Context, userID, sessionID, clientID string) error
	RevokeAppAccess(ctx context.Context, actor authn.Actor, userID, clientID string) error
	ScopesFor(ctx context.Context, userID string, scopes []string) ([]string, error)
}

// IDTokens mints ID tokens and checks those presented back (issuer.Issuer).
type IDTokens interface {
	MintIDToken(req issuer.IDTokenRequest) (string, time.Time, error)
	VerifyIDTokenHint(token string) (*issuer.IDTokenHint, error)
}

// Options are the provider's rules.
type Options struct {
	PKCE       string        // PKCEAll (default) or PKCEPublic
	RequestTTL time.Duration // how long a person has to log in (default 10m)
	CodeTTL    time.Duration // how long a code may wait for its exchange (default 60s)
	IDTokenTTL time.Duration // an ID token's lifetime (default 1h)
	Rand       io.Reader
	Now        func() time.Time
	Logger     *slog.Logger
}

// Service runs the authorization-code flow's steps that need no HTTP: taking a
// request, answering it once someone logged in, and redeeming its code.
type Service struct {
	store    Store
	apps     Apps
	sessions Sessions
	ids      IDTokens
	authn    *authn.Service
	audit    *authn.Auditor
	pending  *pendingRequests
	o        Options
}

// New builds the provider's use cases.
func New(st Store, apps Apps, sessions Sessions, ids IDTokens, a *authn.Service, o Options) *Service {
	if o.PKCE == "" {
		o.PKCE = PKCEAll
	}
	if o.RequestTTL <= 0 {
		o.RequestTTL = 10 * time.Minute
	}
	if o.CodeTTL <= 0 {
		o.CodeTTL = time.Minute
	}
	if o.IDTokenTTL <= 0 {
		o.IDTokenTTL = time.Hour
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: st, apps: apps, sessions: sessions, ids: ids, authn: a, audit: authn.NewAuditor(st, o.Logger, o.Now),
		pending: newPendingRequests(), o: o}
}

func (s *Service) now() time.Time { return s.o.Now().UTC().Truncate(time.Microsecond) }

// Check checks an authorization request (CheckAuthorize) and returns it with the
// scopes it grants and an ID, not stored yet: Keep stores it for the login or consent
// page; Grant answers it at once (single sign-on), in one write; a refusal sent back
// to the app stores nothing. Errors are *AuthorizeError, or internal.
func (s *Service) Check(ctx context.Context, in *oidc.AuthRequest, hasRequestURI bool) (*models.AuthRequest, error) {
	app, err := s.apps.Get(ctx, in.ClientID)
	if models.KindOf(err) == models.KindNotFound {
		app, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	scopes, err := CheckAuthorize(app, in, hasRequestURI, s.o.PKCE)
	if err != nil {
		return nil, err
	}
	id, err := uuid.NewRandomFromReader(s.o.Rand)
	if err != nil {
		return nil, models.Internal(err)
	}
	r := NewAuthRequest(id.String(), in, s.now(), s.o.RequestTTL)
	r.Scopes = scopes
	return r, nil
}

// Keep stores a checked request for the page that will answer it.
func (s *Service) Keep(ctx context.Context, r *models.AuthRequest) error {
	if err := s.store.AddAuthRequest(ctx, r); err != nil {
		return models.Internal(err)
	}
	s.pending.put(r, s.now())
	return nil
}

var errNoRequest = models.E(models.KindNotFound, "the sign-in request has expired or was already answered; start again from the app")

// Login is who answers a request: the person, the browser session they logged in
// with (or were already in), when and how.
type Login struct {
	UserID, BrowserSessionID string
	AuthTime                 time.Time
	AMR                      []string
}

// Answer completes a live, unanswered stored request for the person who logged in
// and returns the code to send back to the app, with the request (its redirect URI,
// state and response mode). The code will open a new app session, whose ID is fixed now.
func (s *Service) Answer(ctx context.Context, requestID string, who Login) (string, *models.AuthRequest, error) {
	now := s.now()
	r, err := s.pendingRequest(ctx, requestID, now)
	if errors.Is(err, models.ErrNotFound) || (err == nil && r.Done()) {
		return "", nil, errNoRequest
	}
	defer s.pending.drop(requestID) // answered now, or by someone else: either way done
	if err != nil {
		return "", nil, models.Internal(err)
	}
	code, a, err := s.answerOf(requestID, who, now)
	if err != nil {
		return "", nil, err
	}
	err = s.store.AnswerAuthRequest(ctx, a, now)
	if errors.Is(err, models.ErrNotFound) {
		return "", nil, errNoRequest
	}
	if err != nil {
		return "", nil, models.Internal(err)
	}
	a.ApplyTo(r)
	return code, r, nil
}

// Grant answers a checked request that was never stored (Check) for who, storing it
// answered, in one statement, and returns the code.
func (s *Service) Grant(ctx context.Context, r *models.AuthRequest, who Login) (string, error) {
	code, a, err := s.answerOf(r.ID, who, s.now())
	if err != nil {
		return "", err
	}
	a.ApplyTo(r)
	if err := s.store.AddAuthRequest(ctx, r); err != nil {
		return "", models.Internal(err)
	}
	return code, nil
}

// answerOf is who's answer to request id at now: a new code (and its hash) and the ID
// of the app session the code will open.
func (s *Service) answerOf(id string, who Login, now time.Time) (string, models.AuthAnswer, error) {
	code, hash, err := NewCode(s.o.Rand)
	if err != nil {
		return "", models.AuthAnswer{}, models.Internal(err)
	}
	sid, err := uuid.NewRandomFromReader(s.o.Rand)
	if err != nil {
		return "", models.AuthAnswer{}, models.Internal(err)
	}
	return code, models.AuthAnswer{RequestID: id, UserID: who.UserID, SessionID: sid.String(), BrowserSessionID: who.BrowserSessionID,
		AuthTime: who.AuthTime, AMR: who.AMR, CodeHash: hash, CodeExpiresAt: now.Add(s.o.CodeTTL)}, nil
}

// Redeem exchanges a code for the request it answered, for the app clientID (already
// authenticated when confidential) presenting redirectURI and its PKCE verifier. Any
// refusal is an *ExchangeError (invalid_grant); a replayed code also closes the
// session its first redemption opened.
func (s *Service) Redeem(ctx context.Context, clientID, code, redirectURI, verifier string) (*models.AuthRequest, error) {
	r, first, err := s.store.RedeemAuthCode(ctx, HashCode(code), s.now())
	if errors.Is(err, models.ErrNotFound) {
		return nil, &ExchangeError{Description: "the code is unknown or expired"}
	}
	if err != nil {
		return nil, models.Internal(err)
	}
	if err := CheckExchange(r, first, clientID, redirectURI, verifier); err != nil {
		var ee *ExchangeError
		if errors.As(err, &ee) && ee.Replay && r.SessionID != "" {
			if cerr := s.sessions.CloseReplayed(ctx, r.UserID, r.SessionID, r.ClientID); cerr != nil {
				return nil, cerr
			}
		}
		return nil, err
	}
	return r, nil
}

// Pending is a live, unanswered request and the app that made it, for the login page.
func (s *Service) Pending(ctx context.Context, requestID string) (*models.AuthRequest, *models.Client, error) {
	if _, err := uuid.Parse(requestID); err != nil {
		return nil, nil, errNoRequest
	}
	r, err := s.pendingRequest(ctx, requestID, s.now())
	if errors.Is(err, models.ErrNotFound) || (err == nil && r.Done()) {
		return nil, nil, errNoRequest
	}
	if err != nil {
		return nil, nil, models.Internal(err)
	}
	app, err := s.apps.Get(ctx, r.ClientID)
	if err != nil {
		return nil, nil, err
	}
	return r, app, nil
}
