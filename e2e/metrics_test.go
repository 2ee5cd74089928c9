package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/authd/authd/config"

	"github.com/google/uuid"
)

// TestMetrics: /metrics (here with metrics.addr: public) reports what happened, by
// route template (never a raw path holding an ID) and status.
func TestMetrics(t *testing.T) {
	eachBackendWith(t, func(cfg *config.Config) { cfg.Metrics.Addr = config.MetricsPublic }, func(t *testing.T, e *env) {
		ada := e.signup("ada@example.com", "ada")
		wantStatus(t, e.req("GET", "/session", nil, bearer(ada.Bearer)...), 200)
		wantStatus(t, e.req("GET", "/session", nil, bearer(ada.Bearer+"x")...), 401)
		wantStatus(t, e.req("PUT", "/session/verification", map[string]string{"verificationCodeID": uuid.NewString(), "code": "123456"}), 401)
		id := e.userID(ada.Bearer)
		wantStatus(t, e.req("GET", "/user/id/"+id, nil), 200)
		r := e.req("GET", "/metrics", nil)
		wantStatus(t, r, 200)
		body := string(r.Body)
		p := e.prefix
		for _, want := range []string{
			`authd_http_requests_total{method="GET",route="` + p + `/session",status="200"}`,
			`authd_http_requests_total{method="GET",route="` + p + `/session",status="401"}`,
			`authd_http_requests_total{method="GET",route="` + p + `/user/id/{id}",status="200"}`,
			`authd_http_request_duration_seconds_bucket{route="` + p + `/session",le="0.005"}`,
			`authd_tokens_issued_total{grant="session"}`,
			`authd_tokens_verified_total{result="valid"}`,
			`authd_tokens_verified_total{result="invalid"}`,
			`authd_codes_total{event="sent"}`,
			`authd_codes_total{event="wrong"}`,
			`authd_mail_failures_total`,
			`authd_mail_queue_depth`,
			`authd_signing_key_age_seconds`,
			`go_goroutines`,
		} {
			m := regexp.MustCompile("(?m)^" + regexp.QuoteMeta(want) + ` (\S+)$`).FindStringSubmatch(body)
			if m == nil {
				t.Errorf("metrics lack %s", want)
				continue
			}
			if v, err := strconv.ParseFloat(m[1], 64); err != nil || (strings.Contains(want, "_total{") && v < 1) {
				t.Errorf("%s = %s", want, m[1])
			}
		}
		if strings.Contains(body, id) {
			t.Error("a user ID reached the metrics")
		}
	})
}
