package provider_test

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/authd/authd/app/apptest"
	"github.com/authd/authd/clients"
	"github.com/authd/authd/models"
	"github.com/authd/authd/provider"
	"github.com/authd/authd/store"
)

var _ provider.Store = (*store.Store)(nil)

func pkce(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// The code flow's steps on both databases: a request is taken and stored with the
// scopes it grants, answered once for the person who logged in, and its code redeemed
// once by the app with its PKCE verifier; a replayed code closes the session the first
// redemption opened and is audited; codes and requests expire.
func TestCodeFlowSteps(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := e.Ctx
		ada := e.SignUp(t, "ada")
		reg, err := e.Clients.Create(ctx, apptest.Operator, clients.Spec{Name: "SPA", Type: models.ClientSPA,
			RedirectURIs: []string{"https://spa.example.com/cb"}, Scopes: []string{"openid", "email"}, IDTokenAlg: "ES256"})
		if err != nil {
			t.Fatal(err)
		}
		app := reg.Client.ID
		svc := e.Provider // as serve builds it: oauth.require_pkce from the configuration
		const verifier = "a-verifier-of-forty-three-or-more-characters-0123"
		ask := func() *oidc.AuthRequest {
			return &oidc.AuthRequest{ClientID: app, RedirectURI: "https://spa.example.com/cb", ResponseType: oidc.ResponseTypeCode,
				Scopes: []string{"openid", "email", "profile"}, State: "st-1", Nonce: "n-1",
				CodeChallenge: pkce(verifier), CodeChallengeMethod: oidc.CodeChallengeMethodS256}
		}
		var ae *provider.AuthorizeError
		bad := ask()
		bad.ClientID = "authd_app_AAAAAAAAAAAAAAAAAAAAAA"
		start := func(in *oidc.AuthRequest) *models.AuthRequest { // as the login page gets it: checked, then kept
			t.Helper()
			r, err := svc.Check(ctx, in, false)
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.Keep(ctx, r); err != nil {
				t.Fatal(err)
			}
			return r
		}
		if _, err := svc.Check(ctx, bad, false); !errors.As(err, &ae) || ae.Redirect {
			t.Fatalf("an unknown app: %v", err)
		}
		r := start(ask())
		if len(r.Scopes) != 2 || r.State != "st-1" || r.Done() {
			t.Fatalf("stored request: %+v", r)
		}
		authTime := e.Clock.Now()
		who := provider.Login{UserID: ada.UserID, BrowserSessionID: ada.P.SessionID, AuthTime: authTime, AMR: []string{"otp"}}
		code, answered, err := svc.Answer(ctx, r.ID, who)
		if err != nil || code == "" || answered.State != "st-1" || answered.RedirectURI != "https://spa.example.com/cb" {
			t.Fatalf("answer: %q %+v %v", code, answered, err)
		}
		if _, _, err := svc.Answer(ctx, r.ID, who); models.KindOf(err) != models.KindNotFound {
			t.Errorf("a second answer: %v", err)
		}
		out, err := svc.ExchangeCode(ctx, reg.Client, code, "https://spa.example.com/cb", verifier, "192.0.2.1", "test")
		if err != nil || out.AccessToken == "" || out.IDToken == "" || out.RefreshToken != "" {
			t.Fatalf("exchange: %+v %v", out, err)
		}
		opened, err := e.Authn.Authenticate(ctx, out.AccessToken)
		if err != nil || opened.SessionID != answered.SessionID || opened.UserID != ada.UserID {
			t.Fatalf("the app session the code opened: %+v %v", opened, err)
		}
		var ee *provider.ExchangeError
		if _, err := svc.ExchangeCode(ctx, reg.Client, code, "https://spa.example.com/cb", verifier, "", ""); !errors.As(err, &ee) || !ee.Replay {
			t.Fatalf("a replay: %v", err)
		}
		if _, err := e.Authn.Authenticate(ctx, out.AccessToken); err == nil {
			t.Error("the session a replayed code opened is still open")
		}
		if _, err := e.Authn.Authenticate(ctx, ada.Bearer); err != nil {
			t.Errorf("a replay closed the login that answered the request too: %v", err)
		}
		entries, _, _ := e.Store.ListAudit(ctx, ada.UserID, 20, 0)
		found := false
		for _, a := range entries {
			found = found || a.Action == models.AuditCodeReuse
		}
		if !found {
			t.Error("the replay is not audited")
		}

		// A code waits 60 s for its exchange; a request 10 minutes for its login.
		ada2 := e.LogIn(t, ada.Email)
		r2 := start(ask())
		code2, _, err := svc.Answer(ctx, r2.ID, provider.Login{UserID: ada.UserID, BrowserSessionID: ada2.P.SessionID, AuthTime: e.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(61 * time.Second)
		if _, err := svc.Redeem(ctx, app, code2, "https://spa.example.com/cb", verifier); !errors.As(err, &ee) || ee.Replay {
			t.Errorf("an expired code: %v", err)
		}
		r3 := start(ask())
		e.Clock.Advance(10 * time.Minute)
		if _, _, err := svc.Answer(ctx, r3.ID, provider.Login{UserID: ada.UserID, AuthTime: e.Clock.Now()}); models.KindOf(err) != models.KindNotFound {
			t.Errorf("an expired request: %v", err)
		}

		// Single sign-on: a checked request answered at once, stored answered in one
		// write; its code is like any other, and the request cannot be answered again.
		sso, err := svc.Check(ctx, ask(), false)
		if err != nil {
			t.Fatal(err)
		}
		code4, err := svc.Grant(ctx, sso, provider.Login{UserID: ada.UserID, BrowserSessionID: ada2.P.SessionID, AuthTime: e.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Answer(ctx, sso.ID, provider.Login{UserID: ada.UserID, AuthTime: e.Clock.Now()}); models.KindOf(err) != models.KindNotFound {
			t.Errorf("a granted request answered again: %v", err)
		}
		if out, err := svc.ExchangeCode(ctx, reg.Client, code4, "https://spa.example.com/cb", verifier, "", ""); err != nil || out.IDToken == "" {
			t.Errorf("the exchange of a granted code: %+v %v", out, err)
		}
	})
}

// oauth.require_pkce reaches the provider as serve builds it: under "all" (the
// default) a web app must use PKCE too; under "public" it may leave it out.
func TestRequirePKCEFromConfiguration(t *testing.T) {
	for policy, wantOK := range map[string]bool{"": false, "all": false, "public": true} {
		t.Run("policy="+policy, func(t *testing.T) {
			if policy != "" {
				t.Setenv("AUTHD_OAUTH_REQUIRE_PKCE", policy)
			}
			e := apptest.New(t, "sqlite:"+t.TempDir()+"/authd.db")
			reg, err := e.Clients.Create(e.Ctx, apptest.Operator, clients.Spec{Name: "Web", Type: models.ClientWeb,
				RedirectURIs: []string{"https://web.example.com/cb"}, IDTokenAlg: "ES256"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.Provider.Check(e.Ctx, &oidc.AuthRequest{ClientID: reg.Client.ID, RedirectURI: "https://web.example.com/cb",
				ResponseType: oidc.ResponseTypeCode, Scopes: []string{"openid"}}, false)
			if (err == nil) != wantOK {
				t.Errorf("a web app without PKCE: %v, want accepted=%v", err, wantOK)
			}
		})
	}
}
