// Package provider is authd's OpenID Provider glue: it adapts the registry of apps
// (package clients), the authorization requests stored by package store, and authd's
// sessions and tokens to the interfaces of zitadel/oidc's op package, which parses and
// answers the protocol. authd's own rules stay authd's: which redirect URIs an app may
// use is decided by the registry (clients.RedirectAllowed), never widened here.
//
// This is being built (issue 13): today it holds the adapters of an app and of an
// authorization request; the op storage, the hosted pages and the endpoints come next.
package provider
