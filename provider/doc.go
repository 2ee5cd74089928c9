// Package provider holds the OpenID Provider's use cases: taking an authorization
// request of a registered app (package clients decides which redirect URIs an app may
// use; nothing here widens them), answering it with a single-use code once someone
// logged in, exchanging the code for an app session's tokens and an ID token under the
// app's algorithm, consent, checking RP-initiated logout requests, and posting the
// logout tokens of back-channel logout (Backchannel, for the events dispatcher). It
// knows nothing of HTTP requests it serves; package web turns it into pages and
// redirects, package handlers into the token endpoint.
//
// Design decision (issue 13): zitadel/oidc's op supplies the protocol's types and
// encodings (oidc.AuthRequest, op.ParseAuthorizeRequest, op.ParseEndSessionRequest,
// op.AuthResponseURL, oidc.DiscoveryConfiguration), but authd's
// router serves the endpoints rather than op.RegisterServer or op.Provider. What op
// v3.51.17 does, read in its source, and why each part does not fit:
//
//   - op.Server's Authorize and EndSession can answer only with a redirect
//     (op.Redirect). A logout confirmation page, or a form_post answer to prompt=none,
//     would each cost the browser another hop to a page of authd's.
//   - A refusal op finds before the redirect URI is trusted (an unknown app, an
//     unregistered redirect_uri) is written as a JSON body (op.WriteError); the issue
//     asks for authd's error page there. Refusals after that check do go back to the app
//     (RFC 6749 4.1.2.1), as authd's own do.
//   - Unless replaced, its router's CORS policy allows credentials from any origin on
//     every route, /authorize and end_session included, which must have none.
//   - Its token endpoint's errors carry no x-error / x-error-id, and op.RequestError
//     copies a plain error's text into error_description.
//   - op.Provider asks Storage.SigningKey(ctx) for the key of every token without
//     naming the app, while apps here choose RS256, ES256 or EdDSA.
//
// The token, revocation, introspection and userinfo endpoints already existed with
// their behaviour and tests (refresh rotation with reuse detection, client_credentials
// with key pairs); they became the provider's by gaining the authorization_code grant.
// Errors of storage never reach a client as text: they become fixed OAuth errors.
package provider
