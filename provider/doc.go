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
// encodings (oidc.AuthRequest, op.ParseAuthorizeRequest, op.AuthResponseURL, the
// discovery document), but authd's router serves the endpoints rather than op's
// Server or Storage. op's server writes authorization errors as JSON instead of
// redirecting them to the app (RFC 6749 4.1.2.1) or showing a page, its Storage signs
// every ID token with one key (apps here choose RS256, ES256 or EdDSA), and the token,
// revocation, introspection and userinfo endpoints already existed with their
// behaviour and tests (refresh rotation with reuse detection, client_credentials with
// key pairs); they became the provider's by gaining the authorization_code grant.
// Errors of storage never reach a client as text: they become fixed OAuth errors.
package provider
