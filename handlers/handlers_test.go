package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authd/authd/models"
)

func TestPanicBecomesAGeneric500(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h := wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom: nil map on odd input")
	}), log, noObserver{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 500 || rec.Header().Get("x-error") != "internal server error" || len(rec.Header().Get("x-error-id")) != 36 {
		t.Fatalf("status %d headers %v", rec.Code, rec.Header())
	}
	if strings.Contains(rec.Body.String(), "nil map") || strings.Contains(rec.Body.String(), "goroutine") {
		t.Errorf("panic text reached the client: %s", rec.Body)
	}
	if !strings.Contains(logs.String(), rec.Header().Get("x-error-id")) || !strings.Contains(logs.String(), "nil map") {
		t.Errorf("the log does not tie the error ID to the cause: %s", logs.String())
	}
}

func TestWriteError(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		status     int
		public     string
		retryAfter string
	}{
		{"invalid", models.Invalid("bad email"), 400, "bad email", ""},
		{"unauthorized", models.E(models.KindUnauthorized, "no"), 401, "no", ""},
		{"forbidden", models.E(models.KindForbidden, "no"), 403, "no", ""},
		{"not found", models.E(models.KindNotFound, "gone"), 404, "gone", ""},
		{"conflict", models.E(models.KindConflict, "taken"), 409, "taken", ""},
		{"too large", models.E(models.KindTooLarge, "big"), 413, "big", ""},
		{"media", models.E(models.KindUnsupportedMedia, "json"), 415, "json", ""},
		{"too many", &models.Error{Kind: models.KindTooMany, Public: "slow down", RetryAfter: 30}, 429, "slow down", "30"},
		{"unavailable", models.E(models.KindUnavailable, "db down"), 503, "db down", ""},
		{"plain error", errors.New("pq: SQLSTATE 23505 constraint"), 500, "internal server error", ""},
		{"internal with detail", models.Wrap(models.KindInternal, "secret detail", errors.New("x")), 500, "internal server error", ""},
		{"CRLF in public", models.Invalid("a\r\nSet-Cookie: x=y"), 400, "aSet-Cookie: x=y", ""},
		{"overlong public", models.Invalid(strings.Repeat("é", 200)), 400, strings.Repeat("é", 128), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			writeError(rec, httptest.NewRequest("GET", "/x", nil), slog.New(slog.DiscardHandler), tt.err)
			var body errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			h := rec.Header()
			if rec.Code != tt.status || h.Get("x-error") != tt.public || body.Error != tt.public || body.Code != tt.status ||
				body.ErrorID != h.Get("x-error-id") || h.Get("Retry-After") != tt.retryAfter {
				t.Errorf("got %d %q %+v retry=%q", rec.Code, h.Get("x-error"), body, h.Get("Retry-After"))
			}
		})
	}
}
