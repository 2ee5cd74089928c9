// Package events delivers lifecycle events to webhook endpoints. Events are written
// to an outbox by package store in the same transaction as the change they describe;
// the Dispatcher here claims due deliveries, signs each per the Standard Webhooks
// specification (webhook-id, webhook-timestamp, webhook-signature: v1,<base64 HMAC-SHA256
// of "id.timestamp.body">), posts it, and retries with exponential backoff and jitter for
// at least MaxRetryAge before giving up. Delivery is at least once and in order per user
// and endpoint; receivers dedupe by webhook-id. Deliveries addressed to an app
// (models.AppEndpoint: back-channel logout notices, queued already routed by store)
// take the same path, retries and admin view, but are posted by Options.Apps.
package events
