// Package stripeapi implements identity.Stripe with stripe-go v76. It is the only
// package that imports stripe-go; the API base is configurable so tests can point it
// at stripe-mock.
package stripeapi

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"
	"github.com/stripe/stripe-go/v76/webhook"

	"github.com/authd/authd/identity"
)

// Client talks to Stripe with its own backend: nothing global is changed.
type Client struct {
	api           *client.API
	webhookSecret string
}

// New returns a client for secretKey; apiBase "" means Stripe's own API. Webhook
// events are checked against webhookSecret.
func New(secretKey, apiBase, webhookSecret string) *Client {
	// stripe-go logs failed requests itself; authd reports what it does with them.
	cfg := &stripe.BackendConfig{LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull}}
	if apiBase != "" {
		cfg.URL = stripe.String(apiBase)
	}
	b := stripe.GetBackendWithConfig(stripe.APIBackend, cfg)
	return &Client{api: client.New(secretKey, &stripe.Backends{API: b, Connect: b, Uploads: b}), webhookSecret: webhookSecret}
}

// CreateSession opens a document check with a matching selfie and live capture. The
// user is also named in client_reference_id and metadata for Stripe's dashboard;
// authd itself trusts only its own table to map sessions to users.
func (c *Client) CreateSession(ctx context.Context, userID, returnURL string) (*identity.Session, error) {
	p := &stripe.IdentityVerificationSessionParams{
		Type:              stripe.String(string(stripe.IdentityVerificationSessionTypeDocument)),
		ClientReferenceID: stripe.String(userID),
		Metadata:          map[string]string{"user_id": userID},
		Options: &stripe.IdentityVerificationSessionOptionsParams{
			Document: &stripe.IdentityVerificationSessionOptionsDocumentParams{
				RequireLiveCapture:    stripe.Bool(true),
				RequireMatchingSelfie: stripe.Bool(true),
			},
		},
	}
	if returnURL != "" {
		p.ReturnURL = stripe.String(returnURL)
	}
	p.Context = ctx
	s, err := c.api.IdentityVerificationSessions.New(p)
	if err != nil {
		return nil, err
	}
	return convert(s), nil
}

// GetSession retrieves a session.
func (c *Client) GetSession(ctx context.Context, id string) (*identity.Session, error) {
	p := &stripe.IdentityVerificationSessionParams{}
	p.Context = ctx
	s, err := c.api.IdentityVerificationSessions.Get(id, p)
	if err != nil {
		return nil, err
	}
	return convert(s), nil
}

func convert(s *stripe.IdentityVerificationSession) *identity.Session {
	return &identity.Session{ID: s.ID, URL: s.URL, ClientSecret: s.ClientSecret, Status: string(s.Status)}
}

// VerifiedSession retrieves a session with its verified outputs (date of birth
// included, which needs the nested expand) and its last report expanded.
func (c *Client) VerifiedSession(ctx context.Context, id string) (*identity.Verified, error) {
	p := &stripe.IdentityVerificationSessionParams{}
	p.Context = ctx
	p.AddExpand("verified_outputs")
	p.AddExpand("verified_outputs.dob")
	p.AddExpand("last_verification_report")
	s, err := c.api.IdentityVerificationSessions.Get(id, p)
	if err != nil {
		return nil, err
	}
	v := &identity.Verified{Status: string(s.Status)}
	if o := s.VerifiedOutputs; o != nil {
		v.Outputs = identity.Person{FirstName: o.FirstName, LastName: o.LastName, Address: address(o.Address)}
		if o.DOB != nil {
			v.Outputs.DOB = identity.Date{Year: int(o.DOB.Year), Month: int(o.DOB.Month), Day: int(o.DOB.Day)}
		}
	}
	if r := s.LastVerificationReport; r != nil && r.Document != nil {
		d := r.Document
		v.Document = identity.Person{FirstName: d.FirstName, LastName: d.LastName, Address: address(d.Address)}
		if d.DOB != nil {
			v.Document.DOB = identity.Date{Year: int(d.DOB.Year), Month: int(d.DOB.Month), Day: int(d.DOB.Day)}
		}
		v.DocumentType, v.IssuingCountry = string(d.Type), d.IssuingCountry
	}
	return v, nil
}

func address(a *stripe.Address) identity.Address {
	if a == nil {
		return identity.Address{}
	}
	return identity.Address{Line1: a.Line1, Line2: a.Line2, City: a.City, State: a.State, PostalCode: a.PostalCode, Country: a.Country}
}

// ParseEvent verifies the Stripe-Signature (HMAC-SHA256 under the webhook secret,
// compared in constant time by stripe-go) and decodes the event. The timestamp's age
// is left to the caller, whose clock is the service's. Events of another API version
// are accepted: authd reads only the event's ID, type and session ID and status from
// them, and re-fetches the session with this client's pinned version.
func (c *Client) ParseEvent(payload []byte, signature string) (*identity.Event, error) {
	ev, err := webhook.ConstructEventWithOptions(payload, signature, c.webhookSecret,
		webhook.ConstructEventOptions{IgnoreTolerance: true, IgnoreAPIVersionMismatch: true})
	if err != nil {
		return nil, err
	}
	signedAt, err := signatureTime(signature)
	if err != nil {
		return nil, err
	}
	out := &identity.Event{ID: ev.ID, Type: string(ev.Type), SignedAt: signedAt}
	if ev.Data != nil && strings.HasPrefix(out.Type, "identity.verification_session.") {
		var s stripe.IdentityVerificationSession
		if err := json.Unmarshal(ev.Data.Raw, &s); err != nil {
			return nil, err
		}
		out.SessionID = s.ID
		if s.LastError != nil {
			out.ErrorCode = string(s.LastError.Code)
		}
	}
	return out, nil
}

// signatureTime reads t= from a Stripe-Signature header that already verified.
func signatureTime(header string) (time.Time, error) {
	for _, part := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(part, "t="); ok {
			sec, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return time.Time{}, err
			}
			return time.Unix(sec, 0), nil
		}
	}
	return time.Time{}, errors.New("Stripe-Signature has no timestamp")
}
