// Package issuer mints and verifies authd's credentials: ES256 access JWTs
// (RFC 9068 shape, "typ: at+jwt"), the opaque pending credential handed out before an
// email code is verified, and refresh tokens. It takes keys from a KeySource and does
// no I/O, so verification costs one signature check and nothing else.
package issuer
