package provider

import (
	"errors"
	"strings"
	"testing"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/authd/authd/models"
)

func TestCheckAuthorize(t *testing.T) {
	web := &models.Client{ID: "authd_app_w", Type: models.ClientWeb, RedirectURIs: []string{"https://a.example.com/cb"},
		Scopes: []string{"openid", "email", "profile"}}
	spa := &models.Client{ID: "authd_app_s", Type: models.ClientSPA, RedirectURIs: []string{"https://spa.example.com/"},
		Scopes: []string{"openid", "email"}}
	const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	ok := func(c *models.Client) *oidc.AuthRequest {
		return &oidc.AuthRequest{ClientID: c.ID, RedirectURI: c.RedirectURIs[0], ResponseType: oidc.ResponseTypeCode,
			Scopes: []string{"openid", "email"}, State: "s", CodeChallenge: challenge, CodeChallengeMethod: oidc.CodeChallengeMethodS256}
	}
	type want struct {
		code     string
		redirect bool
	}
	for name, tc := range map[string]struct {
		c      *models.Client
		edit   func(*oidc.AuthRequest)
		reqURI bool
		pkce   string
		want   *want
		// badState: the refusal must not echo the request's state.
		badState bool
	}{
		"a good request":                    {c: web, want: nil},
		"an spa":                            {c: spa, want: nil},
		"form_post":                         {c: web, edit: func(r *oidc.AuthRequest) { r.ResponseMode = oidc.ResponseModeFormPost }},
		"unknown app":                       {c: nil, want: &want{"invalid_request", false}},
		"unregistered redirect":             {c: web, edit: func(r *oidc.AuthRequest) { r.RedirectURI = "https://evil.example.com/cb" }, want: &want{"invalid_request", false}},
		"redirect with a trailing slash":    {c: web, edit: func(r *oidc.AuthRequest) { r.RedirectURI += "/" }, want: &want{"invalid_request", false}},
		"request object":                    {c: web, edit: func(r *oidc.AuthRequest) { r.RequestParam = "eyJ..." }, want: &want{"request_not_supported", true}},
		"request_uri":                       {c: web, reqURI: true, want: &want{"request_uri_not_supported", true}},
		"implicit":                          {c: web, edit: func(r *oidc.AuthRequest) { r.ResponseType = oidc.ResponseTypeIDToken }, want: &want{"unsupported_response_type", true}},
		"hybrid":                            {c: web, edit: func(r *oidc.AuthRequest) { r.ResponseType = "code id_token" }, want: &want{"unsupported_response_type", true}},
		"fragment mode":                     {c: web, edit: func(r *oidc.AuthRequest) { r.ResponseMode = "fragment" }, want: &want{"invalid_request", true}},
		"prompt none with login":            {c: web, edit: func(r *oidc.AuthRequest) { r.Prompt = []string{"none", "login"} }, want: &want{"invalid_request", true}},
		"no openid":                         {c: web, edit: func(r *oidc.AuthRequest) { r.Scopes = []string{"email"} }, want: &want{"invalid_scope", true}},
		"plain PKCE":                        {c: spa, edit: func(r *oidc.AuthRequest) { r.CodeChallengeMethod = oidc.CodeChallengeMethodPlain }, want: &want{"invalid_request", true}},
		"short challenge":                   {c: spa, edit: func(r *oidc.AuthRequest) { r.CodeChallenge = "abc" }, want: &want{"invalid_request", true}},
		"public app without PKCE":           {c: spa, edit: func(r *oidc.AuthRequest) { r.CodeChallenge = "" }, pkce: PKCEPublic, want: &want{"invalid_request", true}},
		"web app without PKCE (all)":        {c: web, edit: func(r *oidc.AuthRequest) { r.CodeChallenge = "" }, pkce: PKCEAll, want: &want{"invalid_request", true}},
		"web app without PKCE (public)":     {c: web, edit: func(r *oidc.AuthRequest) { r.CodeChallenge, r.CodeChallengeMethod = "", "" }, pkce: PKCEPublic},
		"printable state and Unicode nonce": {c: web, edit: func(r *oidc.AuthRequest) { r.State, r.Nonce = "a b~!{}", "nönce" }},
		"state with a NUL":                  {c: web, edit: func(r *oidc.AuthRequest) { r.State = "a\x00" }, want: &want{"invalid_request", true}, badState: true},
		"state not ASCII":                   {c: web, edit: func(r *oidc.AuthRequest) { r.State = "é" }, want: &want{"invalid_request", true}, badState: true},
		"state over 4 KiB":                  {c: web, edit: func(r *oidc.AuthRequest) { r.State = strings.Repeat("s", 4097) }, want: &want{"invalid_request", true}, badState: true},
		"nonce with a NUL":                  {c: web, edit: func(r *oidc.AuthRequest) { r.Nonce = "n\x00" }, want: &want{"invalid_request", true}},
		"nonce not UTF-8":                   {c: web, edit: func(r *oidc.AuthRequest) { r.Nonce = "\xff" }, want: &want{"invalid_request", true}},
		"nonce with a line break":           {c: web, edit: func(r *oidc.AuthRequest) { r.Nonce = "a\nb" }, want: &want{"invalid_request", true}},
		"nonce over 4 KiB":                  {c: web, edit: func(r *oidc.AuthRequest) { r.Nonce = strings.Repeat("n", 4097) }, want: &want{"invalid_request", true}},
	} {
		t.Run(name, func(t *testing.T) {
			var in *oidc.AuthRequest
			if tc.c != nil {
				in = ok(tc.c)
			} else {
				in = ok(web)
			}
			if tc.edit != nil {
				tc.edit(in)
			}
			pkce := tc.pkce
			if pkce == "" {
				pkce = PKCEAll
			}
			scopes, err := CheckAuthorize(tc.c, in, tc.reqURI, pkce)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if len(scopes) != 2 || scopes[0] != "openid" || scopes[1] != "email" {
					t.Errorf("granted %v", scopes)
				}
				return
			}
			var ae *AuthorizeError
			if !errors.As(err, &ae) || ae.Code != tc.want.code || ae.Redirect != tc.want.redirect || ae.BadState != tc.badState {
				t.Fatalf("%v (bad state %v), want %s (redirect %v, bad state %v)", err, ae != nil && ae.BadState,
					tc.want.code, tc.want.redirect, tc.badState)
			}
		})
	}
	// Scopes the app did not register are dropped, repeats once.
	in := ok(web)
	in.Scopes = []string{"openid", "admin", "profile", "openid"}
	if scopes, err := CheckAuthorize(web, in, false, PKCEAll); err != nil || len(scopes) != 2 || scopes[1] != "profile" {
		t.Errorf("granted %v %v", scopes, err)
	}
}
