// Command jwkverify checks an authd access token the way an API gateway does: with
// nothing but the published JWK Set. It pins each key's algorithm, requires the issuer,
// audience and "typ: at+jwt", and prints the verified claims.
//
//	curl -s localhost:8080/api/auth/v2/jwks > jwks.json
//	go run ./examples/jwkverify -jwks jwks.json -issuer http://localhost:8080 -audience authd "$TOKEN"
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

func main() {
	jwksFile := flag.String("jwks", "jwks.json", "file holding the JWK Set from /api/auth/v2/jwks")
	issuer := flag.String("issuer", "http://localhost:8080", "expected iss")
	audience := flag.String("audience", "authd", "expected aud")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: jwkverify [flags] TOKEN")
		os.Exit(2)
	}
	if err := run(*jwksFile, *issuer, *audience, flag.Arg(0)); err != nil {
		fmt.Fprintln(os.Stderr, "invalid token:", err)
		os.Exit(1)
	}
}

func run(jwksFile, issuer, audience, token string) error {
	raw, err := os.ReadFile(jwksFile)
	if err != nil {
		return err
	}
	set, err := jwk.Parse(raw)
	if err != nil {
		return fmt.Errorf("parse JWK Set: %w", err)
	}
	msg, err := jws.Parse([]byte(token))
	if err != nil || len(msg.Signatures()) != 1 {
		return errors.New("not a compact JWS")
	}
	if typ := msg.Signatures()[0].ProtectedHeaders().Type(); typ != "at+jwt" {
		return fmt.Errorf("typ is %q, want at+jwt", typ)
	}
	// WithKeySet picks the key by kid and requires the token's alg to be the key's.
	tok, err := jwt.Parse([]byte(token), jwt.WithKeySet(set, jws.WithRequireKid(true)),
		jwt.WithIssuer(issuer), jwt.WithAudience(audience), jwt.WithRequiredClaim("exp"))
	if err != nil {
		return err
	}
	claims, err := tok.AsMap(context.Background())
	if err != nil {
		return err
	}
	out, _ := json.MarshalIndent(claims, "", "  ")
	fmt.Printf("valid token\n%s\n", out)
	return nil
}
