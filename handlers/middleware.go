package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/authd/authd/models"
)

type ctxKey int

const (
	requestIDKey ctxKey = 1
	routeKey     ctxKey = 2
)

// Observer records finished requests (metrics.Metrics implements it).
type Observer interface {
	ObserveRequest(route, method string, status int, d time.Duration)
}

type noObserver struct{}

func (noObserver) ObserveRequest(string, string, int, time.Duration) {}

// statusWriter remembers the status written, for metrics and the access log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// nameRoute is router middleware (it runs on matched routes only): it tells wrap,
// through the context, which route template answered.
func nameRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := r.Context().Value(routeKey).(*string); ok {
			*p = routeOf(r)
		}
		next.ServeHTTP(w, r)
	})
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// routeOf names the matched route template, never the raw path (it may hold IDs).
func routeOf(r *http.Request) string {
	if cur := mux.CurrentRoute(r); cur != nil {
		if t, err := cur.GetPathTemplate(); err == nil {
			return t
		}
	}
	return "unmatched"
}

// wrap is the outermost layer around the whole router. gorilla/mux runs Use
// middleware only on matched routes, so request IDs, security headers and panic
// recovery live here, where 404s and 405s pass too.
func wrap(next http.Handler, log *slog.Logger, obs Observer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := uuid.NewString()
		route := "unmatched"
		ctx := context.WithValue(context.WithValue(r.Context(), requestIDKey, id), routeKey, &route)
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}
		w = sw
		defer func() {
			d := time.Since(start)
			obs.ObserveRequest(route, r.Method, sw.status, d)
			log.LogAttrs(ctx, slog.LevelDebug, "request", slog.String("request_id", id), slog.String("method", r.Method),
				slog.String("route", route), slog.Int("status", sw.status), slog.Duration("duration", d))
		}()
		h := w.Header()
		h.Set("X-Request-ID", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Cache-Control", "no-store")
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic", "request_id", id, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				writeError(w, r, log, models.Internal(fmt.Errorf("panic: %v", v)))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

var probeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions}

// methodNotAllowed answers 405 with the Allow header listing what the path accepts.
func methodNotAllowed(router *mux.Router, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allowed []string
		for _, m := range probeMethods {
			probe := r.Clone(r.Context())
			probe.Method = m
			var match mux.RouteMatch
			if router.Match(probe, &match) && match.MatchErr == nil {
				allowed = append(allowed, m)
			}
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, r, log, models.E(models.KindMethodNotAllowed, "method not allowed"))
	})
}

// refuseUncleanPaths answers 400 to a path with "." or ".." segments (also
// percent-encoded) or empty segments: one resource has one spelling, and nothing is
// redirected.
func refuseUncleanPaths(next http.Handler, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		segments := strings.Split(r.URL.Path, "/")
		for i, seg := range segments {
			if seg == "." || seg == ".." || (seg == "" && i > 0 && i < len(segments)-1) {
				writeError(w, r, log, models.Invalid("the path must not contain empty, '.' or '..' segments"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func notFound(log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, log, models.E(models.KindNotFound, "not found"))
	})
}
