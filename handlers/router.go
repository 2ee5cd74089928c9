package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/gorilla/mux"

	"github.com/authd/authd/apikeys"
	"github.com/authd/authd/authn"
	"github.com/authd/authd/clients"
	"github.com/authd/authd/directory"
	"github.com/authd/authd/emails"
	"github.com/authd/authd/identity"
	"github.com/authd/authd/login"
	"github.com/authd/authd/models"
	"github.com/authd/authd/provider"
	"github.com/authd/authd/revocation"
	"github.com/authd/authd/web"
)

// KeySet is the published signing-key set; *keys.Manager implements it.
type KeySet interface {
	JWKS() (body []byte, etag string)
	MaxAge() time.Duration
	Algorithms() []string // of the published keys
}

// Options configures the HTTP layer; cmd/authd fills it from configuration.
type Options struct {
	APIPrefix    string // e.g. "/api/auth/v2"
	PublicURL    string // the token issuer, e.g. "https://auth.example.com"
	MaxBodyBytes int64
	OpenAPI      []byte                          // served at {prefix}/openapi.yaml
	Ready        func(ctx context.Context) error // nil when the service can answer
	Logger       *slog.Logger
	Now          func() time.Time // nil: time.Now
	// AllowedOrigins are the browser origins CORS admits; CookieMode keeps their refresh
	// tokens in an HttpOnly cookie.
	AllowedOrigins []string
	CookieMode     bool
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// RequestsPerIPMinute bounds unauthenticated requests per client IP on this
	// instance (0: no limit).
	RequestsPerIPMinute int
	// IPv6Prefix is the prefix length that counts as one IPv6 client (0: 64).
	IPv6Prefix int
	// Observer records each request (nil: none); Metrics serves GET /metrics (nil: 404).
	Observer Observer
	Metrics  http.Handler
}

// UseCases are the use cases the routes call, one service per aggregate.
type UseCases struct {
	Authn     *authn.Service
	Login     *login.Service
	Emails    *emails.Service
	KeyPairs  *apikeys.Service
	Directory *directory.Service
	Clients   *clients.Service   // registered apps
	Provider  *provider.Service  // the OpenID Provider's code flow
	Pages     *web.Pages         // the hosted login (nil: no pages are served)
	Feed      *revocation.Caches // the revocation feed gateways poll
}

// Handler holds the use cases the routes call.
type Handler struct {
	o         Options
	authn     *authn.Service
	login     *login.Service
	emails    *emails.Service
	keyPairs  *apikeys.Service
	clients   *clients.Service
	provider  *provider.Service
	pages     *web.Pages
	directory *directory.Service
	feed      *revocation.Caches
	identity  *identity.Service
	keys      KeySet
	dec       *decoder
	ipRate    *ipLimiter
	log       *slog.Logger
}

// handlerFunc is a handler that returns its failure for writeError to render.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (h *Handler) serve(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			writeError(w, r, h.log, err)
		}
	})
}

// New builds the whole HTTP surface.
func New(o Options, uc UseCases, kyc *identity.Service, keys KeySet) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 64 << 10
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	h := &Handler{o: o, authn: uc.Authn, login: uc.Login, emails: uc.Emails, keyPairs: uc.KeyPairs, clients: uc.Clients, provider: uc.Provider, pages: uc.Pages, directory: uc.Directory,
		feed: uc.Feed, identity: kyc, keys: keys, dec: &decoder{maxBytes: o.MaxBodyBytes}, log: o.Logger,
		ipRate: newIPLimiter(o.RequestsPerIPMinute)}
	// No path cleaning: gorilla/mux would answer a path with dot segments with a 301 to
	// the cleaned path, whatever the method, and a client that follows it re-sends a
	// DELETE to another resource. refuseUncleanPaths answers such paths 400 instead.
	r := mux.NewRouter().SkipClean(true)
	r.NotFoundHandler = notFound(h.log)
	r.MethodNotAllowedHandler = methodNotAllowed(r, h.log)
	if o.Observer == nil {
		o.Observer = noObserver{}
	}
	r.Use(nameRoute)
	h.routes(r)
	if o.Metrics != nil {
		r.Handle("/metrics", o.Metrics).Methods(http.MethodGet)
	}
	return wrap(refuseUncleanPaths(h.cors(r), h.log), h.log, o.Observer)
}

// routes is the whole API on one screen. Unauthenticated endpoints are limited per
// client IP (h.limited); the JWKS, discovery and health are not: they are cheap,
// cacheable and what gateways poll. API routes are registered with their full
// path on the root router: a gorilla/mux subrouter answers a wrong method with 404
// instead of 405.
func (h *Handler) routes(r *mux.Router) {
	get, post, put, del := http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	r.Handle("/healthz", h.serve(h.healthz)).Methods(get)
	r.Handle("/readyz", h.serve(h.readyz)).Methods(get)
	r.Handle("/.well-known/openid-configuration", h.serve(h.discovery)).Methods(get)
	h.pageRoutes(r)

	api := func(method, path string, fn handlerFunc) {
		r.Handle(h.o.APIPrefix+path, h.serve(fn)).Methods(method)
	}
	api(get, "/jwks", h.jwks)
	api(get, "/openapi.yaml", h.openapi)

	api(post, "/user", h.limited(h.register))
	api(get, "/user/by-email", h.authed(access{keyPair: true, roles: []string{models.RoleAdmin, models.RolePartner}, fresh: true}, h.userByEmail))
	api(get, "/user/id/{id}", h.limited(h.userAlias))
	api(get, "/user/{id}", h.limited(h.userAlias))
	api(del, "/user", h.authed(access{}, h.deleteUser))

	api(post, "/session", h.limited(h.startSession))
	api(get, "/session", h.authed(access{pending: true}, h.sessionInfo))
	api(put, "/session/verification", h.limited(h.verifySession))
	api(put, "/session/extend", h.authed(access{}, h.extendSession))
	api(post, "/session/refresh", h.limited(h.refreshSession))
	api(del, "/session/{id}", h.authed(access{pending: true}, h.closeSession))
	api(get, "/sessions", h.authed(access{}, h.listSessions))
	api(get, "/consents", h.authed(access{}, h.listConsents))
	api(del, "/consent/{clientID}", h.authed(access{}, h.revokeConsent))

	api(post, "/email", h.authed(access{}, h.addEmail))
	api(put, "/email/verification", h.authedOrAnonymous(h.verifyEmail))
	api(put, "/email/preferred", h.authed(access{}, h.preferEmail))
	api(del, "/email/{id}", h.authed(access{}, h.removeEmail))
	api(get, "/emails", h.authed(access{keyPair: true}, h.listEmails))

	api(post, "/keypair", h.authed(access{}, h.createKeyPair))
	api(put, "/keypair/verification", h.authed(access{}, h.verifyKeyPair))
	api(get, "/keypair", h.authed(access{keyPair: true}, h.keyPairInfo))
	api(get, "/keypairs", h.authed(access{keyPair: true}, h.listKeyPairs))
	api(del, "/keypair/{id}", h.authed(access{}, h.deleteKeyPair))

	api(get, "/check", h.authed(access{keyPair: true}, h.check))
	r.Handle(h.o.APIPrefix+"/oauth/token", h.oauth(h.limited(h.oauthToken))).Methods(post)
	r.Handle(h.o.APIPrefix+"/oauth/revoke", h.oauth(h.limited(h.oauthRevoke))).Methods(post)
	r.Handle(h.o.APIPrefix+"/oauth/introspect", h.oauth(h.limited(h.oauthIntrospect))).Methods(post)
	api(get, "/userinfo", h.authed(access{keyPair: true}, h.userInfo))
	api(post, "/userinfo", h.bodyToken(h.authed(access{keyPair: true}, h.userInfo))) // OpenID Connect Core 5.3.1
	api(post, "/verify", h.authed(access{}, h.startVerification))
	api(get, "/verify/status", h.authed(access{keyPair: true}, h.verificationStatus))
	api(post, "/verify/webhook", h.stripeWebhook)
	api(get, "/revocations", h.authed(access{keyPair: true, roles: []string{models.RoleGateway, models.RoleAdmin}, fresh: true}, h.revocations))

	api(post, "/partners/user", h.authed(access{keyPair: true, roles: []string{models.RolePartner}, fresh: true}, h.partnerCreateUser))

	admin := func(method, path string, fn authedFunc) { api(method, "/admin"+path, h.authed(adminOnly(), fn)) }
	admin(get, "/users", h.adminUsers)
	admin(get, "/user/{id}", h.adminUser)
	admin(del, "/user/{id}", h.idAction(h.directory.AdminDeleteUser))
	admin(put, "/user/{id}/disable", h.adminSetEnabled(false))
	admin(put, "/user/{id}/enable", h.adminSetEnabled(true))
	admin(put, "/user/{id}/verify", h.adminSetVerified(true))
	admin(put, "/user/{id}/unverify", h.adminSetVerified(false))
	admin(get, "/user/{id}/verification", h.adminVerification)
	admin(put, "/user/{id}/verification/reset", h.idAction(asActor(h.identity.AdminReset)))
	admin(put, "/user/{id}/verification/revoke", h.idAction(asActor(h.identity.AdminRevoke)))
	admin(get, "/user/{id}/roles", h.adminRoles)
	admin(post, "/user/{id}/roles", h.adminGrantRole)
	admin(del, "/user/{id}/roles/{role}", h.adminRevokeRole)
	admin(get, "/audit", h.adminAudit)
	admin(get, "/events/failed", h.adminFailedEvents)
	admin(post, "/events/{id}/replay", h.adminReplayEvent)

	admin(post, "/user/{id}/session", h.adminCreateSession)
	admin(get, "/sessions", h.adminSessions)
	admin(del, "/session/{id}", h.idAction(h.login.AdminCloseSession))
	admin(put, "/session/{id}/verify", h.idAction(h.login.AdminVerifySession))

	admin(get, "/keypairs", h.adminKeyPairs)
	admin(post, "/user/{id}/keypair", h.adminCreateKeyPair)
	admin(put, "/keypair/{id}/verify", h.idAction(h.keyPairs.AdminVerifyKeyPair))
	admin(del, "/keypair/{id}", h.idAction(h.keyPairs.AdminDeleteKeyPair))
	admin(put, "/signing-key/{kid}/revoke", h.adminRevokeSigningKey)
	admin(post, "/clients", h.adminCreateClient)
	admin(get, "/clients", h.adminClients)
	admin(get, "/clients/{id}", h.adminClient)
	admin(put, "/clients/{id}", h.adminUpdateClient)
	admin(del, "/clients/{id}", h.idAction(h.clients.AdminDelete))
	admin(post, "/clients/{id}/secret", h.adminRotateClientSecret)
	admin(get, "/user/{id}/consents", h.adminConsents)

	admin(post, "/user/{id}/email", h.adminAddEmail)
	admin(put, "/email/preferred", h.adminPreferEmail)
	admin(put, "/email/{id}/verify", h.idAction(h.emails.AdminVerifyEmail))
	admin(del, "/email/{id}", h.idAction(h.emails.AdminRemoveEmail))
}
