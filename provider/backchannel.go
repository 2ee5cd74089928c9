package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/authd/authd/issuer"
	"github.com/authd/authd/models"
)

// LogoutTokens mints logout tokens (issuer.Issuer).
type LogoutTokens interface {
	MintLogoutToken(req issuer.LogoutTokenRequest) (string, error)
}

// BackchannelOptions tune back-channel logout deliveries.
type BackchannelOptions struct {
	// HTTPClient posts the logout tokens; default: 10 s timeout, no redirects followed
	// (the specification's receiver answers, it does not redirect).
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Backchannel tells apps that a session of theirs ended (OpenID Connect Back-Channel
// Logout 1.0). Which sessions, and when, is decided where sessions end: storage queues
// an EventAppLogout delivery for each app session that ends, through any door (logout,
// a closed session, a withdrawn consent, a disabled or deleted account, a replayed
// code or refresh token), and the outbox's dispatcher calls Deliver for each attempt,
// with its retries and backoff.
type Backchannel struct {
	apps   Apps
	tokens LogoutTokens
	o      BackchannelOptions
}

// NewBackchannel builds the deliverer of apps' logout notices.
func NewBackchannel(apps Apps, tokens LogoutTokens, o BackchannelOptions) *Backchannel {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Backchannel{apps: apps, tokens: tokens, o: o}
}

// appLogout is the data of an EventAppLogout.
type appLogout struct {
	ClientID  string `json:"clientID"`
	UserID    string `json:"userID"`
	SessionID string `json:"sessionID"`
}

// Deliver makes one attempt at a logout notice: a logout token signed now, with the
// app's ID-token algorithm, posted as logout_token to the app's back-channel logout
// URI as it is registered now. A 2xx answer is delivered (2.8); anything else is an
// error, retried. An app deleted since, or whose URI was removed, has nobody to tell:
// that is delivered, with nothing sent.
func (b *Backchannel) Deliver(ctx context.Context, dv models.DeliveryView) error {
	var ev struct {
		Data appLogout `json:"data"`
	}
	if err := json.Unmarshal([]byte(dv.Payload), &ev); err != nil || ev.Data.ClientID == "" {
		return fmt.Errorf("app logout %s: unreadable payload", dv.EventID)
	}
	app, err := b.apps.Get(ctx, ev.Data.ClientID)
	if models.KindOf(err) == models.KindNotFound || (err == nil && app.BackchannelLogoutURI == "") {
		b.o.Logger.Info("back-channel logout skipped: the app is gone or no longer asks", "event_id", dv.EventID, "client_id", ev.Data.ClientID)
		return nil
	}
	if err != nil {
		return err
	}
	token, err := b.tokens.MintLogoutToken(issuer.LogoutTokenRequest{Alg: app.IDTokenAlg, ClientID: app.ID,
		UserID: ev.Data.UserID, SessionID: ev.Data.SessionID})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, app.BackchannelLogoutURI,
		strings.NewReader(url.Values{"logout_token": {token}}.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.o.HTTPClient.Do(req)
	if err != nil {
		return errors.New("back-channel logout: " + redactURL(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the app's back-channel logout URI answered %d", resp.StatusCode)
	}
	return nil
}

// redactURL keeps a transport error's cause without the URL's query, which is the
// app's (it may carry a key of theirs), out of the delivery's last_error.
func redactURL(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + ": " + ue.Err.Error()
	}
	return err.Error()
}
