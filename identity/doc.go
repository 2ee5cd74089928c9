// Package identity holds the know-your-customer use cases: starting a Stripe Identity
// document check for a user (or resuming the open one) within an attempt limit,
// applying Stripe's webhook events once each and never backwards, sealing the identity
// fields a verified document gives, screening the person against PEP and sanctions
// lists (failing closed and retrying while the screening service is away), and the
// admin view, reset and revoke.
//
// It reaches Stripe through the Stripe port (identity/stripeapi, the one package that
// imports stripe-go), NameScan through the Screener port (identity/namescan), storage
// through its Store interface and encryption through its Sealer. Without Stripe
// configured, the user-facing calls answer 503.
package identity
