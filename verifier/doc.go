// Package verifier lets an API gateway or service check authd access tokens offline.
//
// It reads authd's discovery document and JWKS, verifies tokens with the algorithm
// pinned by each published key (never the token's own choice, never keys named inside
// a token), checks iss, aud, typ "at+jwt", exp, nbf and iat with a leeway, and polls
// authd's revocation feed so closed sessions, disabled users, deleted key pairs and
// revoked tokens are refused within one poll interval. If the feed has not been read
// for longer than Options.MaxFeedAge, every token is refused: it fails closed.
//
// A token must also live no longer than Options.MaxLifetime (exp - iat; set it to
// authd's tokens.access_ttl plus tokens.leeway, default 1h30s), so one minted for years
// with a stolen key is refused, and must be spelled the one way authd spells it
// (canonical base64url, low-S ECDSA signatures), so no cache or deny-list keyed on the
// text can be fooled by a second spelling of the same token.
//
// Verified tokens are cached until they expire, so a token seen again costs a map
// lookup and the revocation checks, not a signature check.
//
// A signing key that authd revokes (a compromised key: `authd keys revoke`) leaves
// the JWKS at once. The verifier drops it at its next JWKS refresh, every
// Options.KeyRefresh (default 5 minutes), and from then on refuses every token that
// key signed, cached ones included. A gateway that must react faster sets a shorter
// KeyRefresh; the JWKS answers 304 to an unchanged ETag, so polling is cheap.
//
//	v, err := verifier.New(ctx, verifier.Options{
//		Issuer:   "https://auth.example.com",
//		Audience: "authd",
//		// The feed is readable by the gateway role: give the gateway a key pair.
//		FeedAuth: func(r *http.Request) {
//			r.Header.Set("api-key", os.Getenv("GATEWAY_API_KEY"))
//			r.Header.Set("api-secret", os.Getenv("GATEWAY_API_SECRET"))
//		},
//	})
//	if err != nil { ... }
//	go v.Run(ctx) // polls the feed and refreshes keys until ctx ends
//	http.Handle("/admin/", v.Require("admin")(adminHandler))
//	http.Handle("/app/", v.Require()(appHandler)) // any valid token
//
// In a handler, verifier.ClaimsFrom(r.Context()) returns the caller's claims.
package verifier
