package handlers

import (
	"fmt"
	"net/http"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/authd/authd/provider"
	"github.com/authd/authd/web"
)

// GET {prefix}/jwks: public keys only, cacheable, with an ETag so gateways can
// revalidate cheaply.
func (h *Handler) jwks(w http.ResponseWriter, r *http.Request) error {
	body, etag := h.keys.JWKS()
	hdr := w.Header()
	hdr.Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(h.keys.MaxAge().Seconds())))
	hdr.Set("ETag", etag)
	if match := r.Header.Get("If-None-Match"); match != "" && match == etag {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	hdr.Set("Content-Type", "application/jwk-set+json")
	_, _ = w.Write(body)
	return nil
}

// discoveryDocument is zitadel/oidc's discovery type with the one field it lacks.
type discoveryDocument struct {
	oidc.DiscoveryConfiguration
	// RFC 9207: every authorization response names the issuer in iss.
	AuthorizationResponseIssParameterSupported bool `json:"authorization_response_iss_parameter_supported,omitempty"`
}

// GET /.well-known/openid-configuration, built on zitadel/oidc's discovery type: the
// code flow's endpoints when the hosted login is served, and every algorithm the
// JWKS signs with (ES256 access tokens; RS256, ES256 or EdDSA ID tokens per app).
func (h *Handler) discovery(w http.ResponseWriter, r *http.Request) error {
	base := h.o.PublicURL + h.o.APIPrefix
	doc := discoveryDocument{DiscoveryConfiguration: oidc.DiscoveryConfiguration{
		Issuer:                            h.o.PublicURL,
		JwksURI:                           base + "/jwks",
		TokenEndpoint:                     base + "/oauth/token",
		RevocationEndpoint:                base + "/oauth/revoke",
		IntrospectionEndpoint:             base + "/oauth/introspect",
		UserinfoEndpoint:                  base + "/userinfo",
		GrantTypesSupported:               []oidc.GrantType{oidc.GrantTypeRefreshToken, oidc.GrantTypeClientCredentials},
		TokenEndpointAuthMethodsSupported: []oidc.AuthMethod{oidc.AuthMethodBasic, oidc.AuthMethodPost},
		ResponseTypesSupported:            []string{},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  h.keys.Algorithms(),
		ClaimsSupported: []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "sid",
			"roles", "groups", "verified", "amr"},
	}}
	if h.pages != nil {
		doc.AuthorizationResponseIssParameterSupported = true
		doc.AuthorizationEndpoint = h.o.PublicURL + web.AuthorizePath
		doc.EndSessionEndpoint = h.o.PublicURL + web.LogoutPath
		doc.GrantTypesSupported = append([]oidc.GrantType{oidc.GrantTypeCode}, doc.GrantTypesSupported...)
		doc.TokenEndpointAuthMethodsSupported = append(doc.TokenEndpointAuthMethodsSupported, oidc.AuthMethodNone)
		doc.ResponseTypesSupported = []string{string(oidc.ResponseTypeCode)}
		doc.ResponseModesSupported = []string{string(oidc.ResponseModeQuery), string(oidc.ResponseModeFormPost)}
		doc.CodeChallengeMethodsSupported = []oidc.CodeChallengeMethod{oidc.CodeChallengeMethodS256}
		doc.ScopesSupported = h.clients.Scopes()
		doc.ClaimsSupported = append(doc.ClaimsSupported, "auth_time", "nonce", "acr", "azp", "at_hash",
			"client_id", "scope", "email", "email_verified", "name", "preferred_username")
		doc.ACRValuesSupported = []string{provider.ACR}
		doc.RequestParameterSupported, doc.RequestURIParameterSupported = false, false
		// Logout tokens always carry sid: the app session's, as in its ID tokens.
		doc.BackChannelLogoutSupported, doc.BackChannelLogoutSessionSupported = true, true
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	return writeJSON(w, http.StatusOK, doc)
}

// GET {prefix}/openapi.yaml
func (h *Handler) openapi(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/yaml")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(h.o.OpenAPI)
	return nil
}

type statusResponse struct {
	Status string `json:"status"`
}

// GET /healthz: the process is up.
func (h *Handler) healthz(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, statusResponse{Status: "ok"})
}

// GET /readyz: the database answers and a signing key is loaded.
func (h *Handler) readyz(w http.ResponseWriter, r *http.Request) error {
	if h.o.Ready != nil {
		if err := h.o.Ready(r.Context()); err != nil {
			return err
		}
	}
	return writeJSON(w, http.StatusOK, statusResponse{Status: "ready"})
}
