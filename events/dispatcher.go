package events

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/authd/authd/models"
)

// Store is the outbox the dispatcher works from; *store.Store implements it.
type Store interface {
	// RouteEvents queues unrouted outbox events (oldest first, at most limit) for the
	// endpoints whose routes take their type; events older than since get no delivery.
	RouteEvents(ctx context.Context, routes []models.EventRoute, since, now time.Time, limit int) (int, error)
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]models.DeliveryView, error)
	FinishDelivery(ctx context.Context, d models.EventDelivery) error
}

// Endpoint is one webhook receiver.
type Endpoint struct {
	Name  string
	URL   string
	Key   []byte   // decoded from the whsec_ secret
	Types []string // event types it receives; empty means all
}

// Options tune delivery.
type Options struct {
	InitialBackoff time.Duration // first retry delay (default 5s)
	MaxBackoff     time.Duration // retry delay cap (default 1h)
	MaxRetryAge    time.Duration // keep retrying at least this long after the event (default 24h)
	Lease          time.Duration // how long a claimed delivery is ours (default 1m)
	Batch          int           // deliveries claimed per round (default 50)
	HTTPClient     *http.Client  // default: 10 s timeout
	Now            func() time.Time
	Logger         *slog.Logger
	// OnResult is told each attempt's result: delivered, retry or failed (metrics).
	OnResult func(result string)
	// Apps delivers one attempt of a delivery addressed to an app
	// (models.IsAppEndpoint: a back-channel logout notice); nil error is delivered.
	// Without it such deliveries are retried and then fail like any other.
	Apps func(ctx context.Context, dv models.DeliveryView) error
}

// Dispatcher delivers queued events.
type Dispatcher struct {
	st        Store
	endpoints map[string]Endpoint
	routes    []models.EventRoute
	o         Options
}

// NewDispatcher builds a dispatcher for endpoints.
func NewDispatcher(st Store, endpoints []Endpoint, o Options) *Dispatcher {
	if o.InitialBackoff <= 0 {
		o.InitialBackoff = 5 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Hour
	}
	if o.MaxRetryAge <= 0 {
		o.MaxRetryAge = 24 * time.Hour
	}
	if o.Lease <= 0 {
		o.Lease = time.Minute
	}
	if o.Batch <= 0 {
		o.Batch = 50
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.OnResult == nil {
		o.OnResult = func(string) {}
	}
	byName := make(map[string]Endpoint, len(endpoints))
	routes := make([]models.EventRoute, 0, len(endpoints))
	for _, e := range endpoints {
		byName[e.Name] = e
		routes = append(routes, models.EventRoute{Name: e.Name, Types: e.Types})
	}
	return &Dispatcher{st: st, endpoints: byName, routes: routes, o: o}
}

// Run delivers until ctx ends, polling every interval.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := d.RunOnce(ctx); err != nil {
			d.o.Logger.Warn("event delivery round", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce routes new events to the endpoints that take them (routing is decided here,
// at dispatch, from this dispatcher's configuration), then claims due deliveries and
// attempts each once. It returns how many events it routed plus deliveries it tried.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	now := d.o.Now().UTC()
	routed := 0
	// With no webhook endpoint, events wait unrouted: an endpoint configured later gets
	// those of the last MaxRetryAge. Apps' notices are queued already routed.
	if len(d.routes) > 0 {
		var err error
		if routed, err = d.st.RouteEvents(ctx, d.routes, now.Add(-d.o.MaxRetryAge), now, d.o.Batch); err != nil {
			return 0, err
		}
	}
	due, err := d.st.ClaimDeliveries(ctx, now, d.o.Lease, d.o.Batch)
	if err != nil {
		return routed, err
	}
	tried := routed
	// ClaimDeliveries hands out only the oldest pending delivery of each (endpoint,
	// user), so a user's later event waits until the earlier one is settled.
	for _, dv := range due {
		tried++
		if err := d.st.FinishDelivery(ctx, d.attempt(ctx, dv, now)); err != nil {
			return tried, err
		}
	}
	return tried, nil
}

// attempt posts one delivery and returns its new state.
func (d *Dispatcher) attempt(ctx context.Context, dv models.DeliveryView, now time.Time) models.EventDelivery {
	out := dv.EventDelivery
	out.Attempts++
	err := d.post(ctx, dv, now)
	if err == nil {
		out.Status, out.DeliveredAt, out.LastError = models.DeliveryDelivered, &now, ""
		d.o.OnResult("delivered")
		return out
	}
	out.LastError = err.Error()
	// Retry until MaxRetryAge after the event, the last try at the end of that window;
	// then give up and leave it for an admin to replay.
	limit := dv.OccurredAt.Add(d.o.MaxRetryAge)
	if !now.Before(limit) {
		out.Status = models.DeliveryFailed
		d.o.OnResult("failed")
		d.o.Logger.Error("event delivery failed for good", "event_id", dv.EventID, "endpoint", dv.Endpoint, "attempts", out.Attempts, "err", err)
		return out
	}
	out.NextAttemptAt = now.Add(d.backoff(out.Attempts))
	if out.NextAttemptAt.After(limit) {
		out.NextAttemptAt = limit
	}
	d.o.OnResult("retry")
	d.o.Logger.Warn("event delivery failed; will retry", "event_id", dv.EventID, "endpoint", dv.Endpoint, "attempts", out.Attempts, "err", err)
	return out
}

func (d *Dispatcher) post(ctx context.Context, dv models.DeliveryView, now time.Time) error {
	if models.IsAppEndpoint(dv.Endpoint) {
		if d.o.Apps == nil {
			return errors.New("no deliverer for apps' notices")
		}
		return d.o.Apps(ctx, dv)
	}
	ep, ok := d.endpoints[dv.Endpoint]
	if !ok {
		return fmt.Errorf("endpoint %q is no longer configured", dv.Endpoint)
	}
	ts := now.Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader([]byte(dv.Payload)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("webhook-id", dv.EventID)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("webhook-signature", Sign(ep.Key, dv.EventID, ts, []byte(dv.Payload)))
	resp, err := d.o.HTTPClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("receiver answered %d", resp.StatusCode)
	}
	return nil
}

// backoff doubles per attempt up to MaxBackoff, plus up to 50% jitter.
func (d *Dispatcher) backoff(attempt int) time.Duration {
	b := d.o.InitialBackoff << min(attempt-1, 30)
	if b <= 0 || b > d.o.MaxBackoff {
		b = d.o.MaxBackoff
	}
	return b + time.Duration(rand.Int64N(int64(b)/2+1))
}
