package models

import (
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Lifecycle event types published to webhook endpoints. Payloads carry IDs only.
const (
	EventUserCreated    = "user.created"
	EventUserDisabled   = "user.disabled"
	EventUserEnabled    = "user.enabled"
	EventUserDeleted    = "user.deleted"
	EventSessionCreated = "session.created"
	EventSessionRevoked = "session.revoked"
	EventKeyPairCreated = "keypair.created"
	EventKeyPairDeleted = "keypair.deleted"
	EventRoleGranted    = "role.granted"
	EventRoleRevoked    = "role.revoked"
	// EventUserVerified: the document was verified and the screen was clear.
	EventUserVerified = "user.verified"
	// EventUserVerificationFailed: an attempt failed (Stripe's checks, or a screening hit).
	EventUserVerificationFailed = "user.verification_failed"
)

// EventAppLogout is an internal outbox event, never routed to webhook endpoints: an app
// session ended and its app asked to hear of it (OpenID Connect Back-Channel Logout
// 1.0). Storage queues it already routed, with one delivery addressed to
// AppEndpoint(clientID); its data are clientID, userID and sessionID (the sid of the
// app's ID tokens). The dispatcher hands such deliveries to the provider, which signs a
// logout token for each attempt.
const EventAppLogout = "app.logout"

// appEndpointPrefix starts the endpoint name of deliveries addressed to an app. A
// webhook endpoint cannot be named so (config refuses it).
const appEndpointPrefix = "app:"

// AppEndpoint is the delivery endpoint name of the app clientID.
func AppEndpoint(clientID string) string { return appEndpointPrefix + clientID }

// IsAppEndpoint reports whether a delivery's endpoint is an app's, not a webhook's.
func IsAppEndpoint(name string) bool { return strings.HasPrefix(name, appEndpointPrefix) }

// OutboxEvent is a lifecycle event, written in the transaction of the change it
// describes. Payload is the JSON body sent to endpoints.
type OutboxEvent struct {
	bun.BaseModel `bun:"table:outbox_events"`

	ID         string    `bun:"id,pk"` // UUIDv7
	Type       string    `bun:"type,notnull"`
	UserID     string    `bun:"user_id,notnull"` // delivery is ordered per user
	Payload    string    `bun:"payload,notnull"`
	OccurredAt time.Time `bun:"occurred_at,notnull"`
	// RoutedAt is when the dispatcher queued the event for the endpoints whose routes
	// take its type; nil until then.
	RoutedAt *time.Time `bun:"routed_at"`
}

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// EventDelivery is one event on its way to one endpoint.
type EventDelivery struct {
	bun.BaseModel `bun:"table:event_deliveries"`

	EventID       string     `bun:"event_id,pk"`
	Endpoint      string     `bun:"endpoint,pk"`
	UserID        string     `bun:"user_id,notnull"`
	OccurredAt    time.Time  `bun:"occurred_at,notnull"`
	Status        string     `bun:"status,notnull"`
	Attempts      int        `bun:"attempts,notnull"`
	NextAttemptAt time.Time  `bun:"next_attempt_at,notnull"`
	LeaseUntil    *time.Time `bun:"lease_until"`
	LastError     string     `bun:"last_error,notnull"`
	DeliveredAt   *time.Time `bun:"delivered_at"`
}

// DeliveryView is a delivery with its event, for dispatching and for admins.
type DeliveryView struct {
	EventDelivery `bun:",extend"`

	Type    string `bun:"type"`
	Payload string `bun:"payload"`
}

// EventRoute says which event types one endpoint receives; empty Types means all.
type EventRoute struct {
	Name  string
	Types []string
}
