// Package authn answers "who is calling": it checks a bearer (a pending login's
// credential by its MAC, an access token by signature and then its session or key
// pair, from memory on the hot path) and gives every use case the same Principal and
// the same guards (a verified session, a person rather than a key pair, an admin in
// the database now). It also records who did what (the audit log's Actor).
//
// Key pairs are checked by package apikeys, which owns their format, and handed here
// as a Principal.
package authn
