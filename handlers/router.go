package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/authd/authd/account"
)

// KeySet is the published signing-key set; *keys.Manager implements it.
type KeySet interface {
	JWKS() (body []byte, etag string)
	MaxAge() time.Duration
}

// Options configures the HTTP layer; cmd/authd fills it from configuration.
type Options struct {
	APIPrefix    string // e.g. "/api/auth/v2"
	PublicURL    string // the token issuer, e.g. "https://auth.example.com"
	Algorithms   []string
	MaxBodyBytes int64
	OpenAPI      []byte                          // served at {prefix}/openapi.yaml
	Ready        func(ctx context.Context) error // nil when the service can answer
	Logger       *slog.Logger
}

// Handler holds the use cases the routes call.
type Handler struct {
	o        Options
	accounts *account.Service
	keys     KeySet
	dec      *decoder
	log      *slog.Logger
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
func New(o Options, accounts *account.Service, keys KeySet) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 64 << 10
	}
	h := &Handler{o: o, accounts: accounts, keys: keys, dec: &decoder{maxBytes: o.MaxBodyBytes}, log: o.Logger}
	r := mux.NewRouter()
	r.NotFoundHandler = notFound(h.log)
	r.MethodNotAllowedHandler = methodNotAllowed(r, h.log)
	h.routes(r)
	return wrap(r, h.log)
}

// routes is the whole API on one screen.
func (h *Handler) routes(r *mux.Router) {
	r.Handle("/healthz", h.serve(h.healthz)).Methods(http.MethodGet)
	r.Handle("/readyz", h.serve(h.readyz)).Methods(http.MethodGet)
	r.Handle("/.well-known/openid-configuration", h.serve(h.discovery)).Methods(http.MethodGet)

	api := r.PathPrefix(h.o.APIPrefix).Subrouter()
	api.Handle("/jwks", h.serve(h.jwks)).Methods(http.MethodGet)
	api.Handle("/openapi.yaml", h.serve(h.openapi)).Methods(http.MethodGet)

	api.Handle("/user", h.serve(h.register)).Methods(http.MethodPost)
	api.Handle("/user/id/{id}", h.serve(h.userAlias)).Methods(http.MethodGet)
	api.Handle("/user/{id}", h.serve(h.userAlias)).Methods(http.MethodGet)

	api.Handle("/session", h.serve(h.startSession)).Methods(http.MethodPost)
	api.Handle("/session", h.serve(h.sessionInfo)).Methods(http.MethodGet)
	api.Handle("/session/verification", h.serve(h.verifySession)).Methods(http.MethodPut)
	api.Handle("/session/extend", h.serve(h.extendSession)).Methods(http.MethodPut)
	api.Handle("/session/{id}", h.serve(h.closeSession)).Methods(http.MethodDelete)
	api.Handle("/sessions", h.serve(h.listSessions)).Methods(http.MethodGet)
}
