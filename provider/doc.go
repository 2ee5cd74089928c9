// Package provider is authd's OpenID Provider glue: it adapts the registry of apps
// (package clients), the authorization requests stored by package store, and authd's
// sessions and tokens to zitadel/oidc's op package, which parses and answers the
// protocol. authd's own rules stay authd's: which redirect URIs an app may use is
// decided by the registry (clients.RedirectAllowed), never widened here.
//
// The endpoints are to be served through op's Server interface (op.RegisterServer,
// embedding op.UnimplementedServer) rather than op's Storage: with it authd mints every
// token itself (package issuer: the access token as today, the ID token under the
// algorithm the app registered, issuer.MintIDToken), keeps its refresh rotation and
// client_credentials, and decides each error's class, while op keeps request parsing,
// response writing and the protocol checks. Storage signs every ID token with one key,
// which per-app algorithms cannot use.
//
// Being built (issue 13): the adapters of an app (Client) and of an authorization
// request (AuthRequest), the rules of a request and of a code exchange, and the flow's
// steps without HTTP (Service: Start, Answer, Redeem) are here; the server, the hosted
// pages and the endpoints come next.
package provider
