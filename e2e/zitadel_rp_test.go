package e2e

import (
	"context"
	"net/url"
	"testing"

	zrp "github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/oauth2"
)

// TestZitadelRelyingParty: zitadel/oidc's own relying party (pkg/client/rp) signs a
// person in through the hosted login with an RS256 and an ES256 app: discovery, code
// + PKCE, its ID token checks (signature by the JWKS, iss, aud, azp, nonce-free code
// flow, at_hash), userinfo for the token's subject, a refresh, and RP-initiated logout
// through its EndSession. On SQLite and Postgres.
func TestZitadelRelyingParty(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.signup("ada@example.com", "ada")
		b := e.browser()
		for i, alg := range []string{"RS256", "ES256"} {
			t.Run(alg, func(t *testing.T) {
				redirect := "http://127.0.0.1:9/zitadel/" + alg
				app := e.registerApp(map[string]any{"name": "zitadel " + alg, "type": "web", "redirectURIs": []string{redirect},
					"postLogoutRedirectURIs": []string{redirect + "/bye"}, "idTokenAlg": alg, "firstParty": true})
				party, err := zrp.NewRelyingPartyOIDC(ctx, e.srv.URL, app.ClientID, app.ClientSecret, redirect,
					[]string{oidc.ScopeOpenID, oidc.ScopeEmail, oidc.ScopeProfile, oidc.ScopeOfflineAccess},
					zrp.WithVerifierOpts(zrp.WithSupportedSigningAlgorithms(alg)))
				if err != nil {
					t.Fatalf("discovery: %v", err)
				}
				verifier := oauth2.GenerateVerifier()
				authURL := zrp.AuthURL("state-"+alg, party, zrp.WithCodeChallenge(oauth2.S256ChallengeFromVerifier(verifier)))
				var cb *url.URL
				if i == 0 {
					cb = b.logIn(authURL, "ada@example.com") // the first app logs in; the second rides on it
				} else {
					cb = b.callback(b.get(authURL))
				}
				if cb.Query().Get("state") != "state-"+alg {
					t.Fatalf("callback %s", cb)
				}
				tokens, err := zrp.CodeExchange[*oidc.IDTokenClaims](ctx, cb.Query().Get("code"), party, zrp.WithCodeVerifier(verifier))
				if err != nil {
					t.Fatalf("code exchange: %v", err)
				}
				if tokens.IDTokenClaims.Subject == "" || tokens.IDTokenClaims.AuthorizedParty != app.ClientID ||
					tokens.IDTokenClaims.Email != "ada@example.com" || tokens.RefreshToken == "" {
					t.Errorf("tokens: %+v", tokens.IDTokenClaims)
				}
				info, err := zrp.Userinfo[*oidc.UserInfo](ctx, tokens.AccessToken, oidc.BearerToken, tokens.IDTokenClaims.Subject, party)
				if err != nil || info.Email != "ada@example.com" || info.PreferredUsername != "ada" {
					t.Errorf("userinfo: %+v %v", info, err)
				}
				next, err := zrp.RefreshTokens[*oidc.IDTokenClaims](ctx, party, tokens.RefreshToken, "", "")
				if err != nil || next.AccessToken == "" || next.RefreshToken == tokens.RefreshToken {
					t.Errorf("refresh: %+v %v", next, err)
				}
				if i == 1 {
					to, err := zrp.EndSession(ctx, party, tokens.IDToken, redirect+"/bye", "bye-"+alg, "", nil)
					if err != nil {
						t.Fatalf("end session: %v", err)
					}
					// zitadel calls the end-session endpoint itself (no browser cookie): the
					// hint alone ends the browser session its sid came from.
					if to.Path != "/zitadel/"+alg+"/bye" || to.Query().Get("state") != "bye-"+alg {
						t.Errorf("after logout: %s", to)
					}
					if none := b.callback(b.get(zrp.AuthURL("s", party, zrp.WithCodeChallenge(oauth2.S256ChallengeFromVerifier(verifier)),
						zrp.WithPrompt(oidc.PromptNone)))); none.Query().Get("error") != "login_required" {
						t.Errorf("prompt=none after logout: %s", none)
					}
				}
			})
		}
	})
}
