package handlers

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
)

// statusOf is the one mapping from error kinds to HTTP statuses.
func statusOf(k models.Kind) int {
	switch k {
	case models.KindInvalid:
		return http.StatusBadRequest
	case models.KindUnauthorized:
		return http.StatusUnauthorized
	case models.KindForbidden:
		return http.StatusForbidden
	case models.KindNotFound:
		return http.StatusNotFound
	case models.KindConflict:
		return http.StatusConflict
	case models.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case models.KindUnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case models.KindMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case models.KindTooMany:
		return http.StatusTooManyRequests
	case models.KindUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

type errorBody struct {
	Code    int    `json:"code"`
	Error   string `json:"error"`
	ErrorID string `json:"errorID"`
}

// writeError renders err as API.md's error response and logs its cause under a fresh
// error ID. Anything that is not a *models.Error is an internal fault with a generic
// message, so no driver text, stack or input can reach the client.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	renderError(w, r, log, err, func(_ *models.Error, status int, public, id string) any {
		return errorBody{Code: status, Error: public, ErrorID: id}
	})
}

// renderError is the one error path: status from the kind, x-error and x-error-id,
// one log line; body builds the JSON body (API.md's, or OAuth's).
func renderError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error, body func(e *models.Error, status int, public, id string) any) {
	var e *models.Error
	if !errors.As(err, &e) {
		e = models.Internal(err)
	}
	status := statusOf(e.Kind)
	public := headerSafe(e.Public)
	if status == http.StatusInternalServerError {
		public = "internal server error"
	}
	id := uuid.NewString()
	h := w.Header()
	h.Set("x-error", public)
	h.Set("x-error-id", id)
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if e.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body(e, status, public, id))

	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := []any{"error_id", id, "status", status, "kind", e.Kind.String(),
		"method", r.Method, "route", routeOf(r), "request_id", requestID(r.Context())}
	if e.Cause != nil {
		attrs = append(attrs, "cause", e.Cause.Error())
	}
	log.Log(r.Context(), level, public, attrs...)
}

// headerSafe keeps a public message to one printable line of at most 256 bytes.
func headerSafe(s string) string {
	if s = printable(s, 256); s == "" {
		return "error"
	}
	return s
}

// printable drops control characters and invalid UTF-8 from s and cuts it to at most
// max bytes on a character boundary.
func printable(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	if len(s) > max {
		s = s[:max]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}
