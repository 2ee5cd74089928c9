// Package account holds authd's use cases for people: registering, logging in with an
// emailed code, and holding, listing, extending and closing sessions. It decides what
// every outcome means to a client (which error kind, which public sentence) and keeps
// the rules that stop account enumeration and code guessing.
//
// It reaches storage and mail only through the small interfaces in service.go and
// mints tokens through package issuer. It knows nothing of HTTP.
package account
