package metrics

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestLabelsAreBounded: client-chosen methods do not become label values.
func TestLabelsAreBounded(t *testing.T) {
	m := New(Options{MailQueueDepth: func() float64 { return 3 }, SigningKeyAge: func() float64 { return 60 }})
	m.ObserveRequest("/x", "BREW", 405, time.Millisecond)
	m.ObserveRequest("/x", "GET", 200, time.Millisecond)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{`authd_http_requests_total{method="other",route="/x",status="405"} 1`,
		`authd_http_requests_total{method="GET",route="/x",status="200"} 1`, "authd_mail_queue_depth 3", "authd_signing_key_age_seconds 60"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("missing %s", want)
		}
	}
	if strings.Contains(string(body), "BREW") {
		t.Error("a client-chosen method became a label")
	}
}
