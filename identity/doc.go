// Package identity holds the know-your-customer use cases: starting a Stripe Identity
// document check for a user, reusing an open one, counting attempts, and reporting
// status. It reaches Stripe only through the Stripe port (implemented by
// identity/stripeapi, the one package that imports stripe-go) and storage through
// its Store interface. Without Stripe configured, every call answers 503.
//
// Webhook processing, the NameScan screen and the sealed KYC fields are not built yet.
package identity
