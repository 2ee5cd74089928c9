// Package metrics is authd's Prometheus instrumentation: one registry per process (no
// global state), the collectors operators chart, and the /metrics handler. Use-case
// packages never import it: each declares the small observer interface it calls, and
// cmd/authd hands them this one.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Options are the values read when scraped.
type Options struct {
	MailQueueDepth func() float64 // messages waiting
	SigningKeyAge  func() float64 // seconds since the active signing key became active
}

// Metrics holds the collectors.
type Metrics struct {
	reg            *prometheus.Registry
	requests       *prometheus.CounterVec
	latency        *prometheus.HistogramVec
	tokensIssued   *prometheus.CounterVec
	tokensVerified *prometheus.CounterVec
	codes          *prometheus.CounterVec
	mailFailures   prometheus.Counter
	deliveries     *prometheus.CounterVec
}

// New registers every collector on a fresh registry.
func New(o Options) *Metrics {
	reg := prometheus.NewRegistry()
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	m := &Metrics{reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "authd_http_requests_total",
			Help: "HTTP requests by route template, method and status."}, []string{"route", "method", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "authd_http_request_duration_seconds",
			Help:    "HTTP request latency by route template.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"route"}),
		tokensIssued: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "authd_tokens_issued_total",
			Help: "Access tokens minted, by grant (login, extend, refresh, client_credentials, admin)."}, []string{"grant"}),
		tokensVerified: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "authd_tokens_verified_total",
			Help: "Bearer tokens checked, by result (valid, invalid)."}, []string{"result"}),
		codes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "authd_codes_total",
			Help: "Verification codes sent, and submitted wrong or refused, by event."}, []string{"event"}),
		mailFailures: prometheus.NewCounter(prometheus.CounterOpts{Name: "authd_mail_failures_total",
			Help: "Mail delivery attempts that failed (each retry counts)."}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "authd_webhook_deliveries_total",
			Help: "Lifecycle-event webhook delivery attempts, by result (delivered, retry, failed)."}, []string{"result"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.tokensIssued, m.tokensVerified, m.codes,
		m.mailFailures, m.deliveries, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		f(c)
	}
	if o.MailQueueDepth != nil {
		f(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "authd_mail_queue_depth",
			Help: "Mail messages waiting for delivery or a retry."}, o.MailQueueDepth))
	}
	if o.SigningKeyAge != nil {
		f(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "authd_signing_key_age_seconds",
			Help: "Seconds since the active signing key became active."}, o.SigningKeyAge))
	}
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveRequest records one finished request. Methods outside the standard set are
// counted as "other": a client must not be able to mint label values.
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
	default:
		method = "other"
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// TokenIssued counts an access token minted for grant.
func (m *Metrics) TokenIssued(grant string) { m.tokensIssued.WithLabelValues(grant).Inc() }

// TokenVerified counts a bearer check.
func (m *Metrics) TokenVerified(valid bool) {
	r := "invalid"
	if valid {
		r = "valid"
	}
	m.tokensVerified.WithLabelValues(r).Inc()
}

// Code counts a code event: sent, wrong (a wrong or unknown code), refused (a limit).
func (m *Metrics) Code(event string) { m.codes.WithLabelValues(event).Inc() }

// MailFailed counts a failed delivery attempt.
func (m *Metrics) MailFailed() { m.mailFailures.Inc() }

// Delivery counts a webhook delivery attempt's result.
func (m *Metrics) Delivery(result string) { m.deliveries.WithLabelValues(result).Inc() }
