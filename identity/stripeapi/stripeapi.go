// Package stripeapi implements identity.Stripe with stripe-go v76. It is the only
// package that imports stripe-go; the API base is configurable so tests can point it
// at stripe-mock.
package stripeapi

import (
	"context"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"github.com/authd/authd/identity"
)

// Client talks to Stripe with its own backend: nothing global is changed.
type Client struct{ api *client.API }

// New returns a client for secretKey; apiBase "" means Stripe's own API.
func New(secretKey, apiBase string) *Client {
	cfg := &stripe.BackendConfig{}
	if apiBase != "" {
		cfg.URL = stripe.String(apiBase)
	}
	b := stripe.GetBackendWithConfig(stripe.APIBackend, cfg)
	return &Client{api: client.New(secretKey, &stripe.Backends{API: b, Connect: b, Uploads: b})}
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
