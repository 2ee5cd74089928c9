// Package web serves authd's hosted pages for apps that sign people in through
// authd (OpenID Connect): the authorization endpoint, the email-code login and the
// browser session whose cookie gives single sign-on between apps. Pages are
// server-rendered html/template, work without JavaScript, and carry a CSRF token tied
// to a per-browser cookie on every form.
//
// The protocol is package provider's (which requests to take, codes, exchanges) and
// the login package's (codes, sessions); this package only turns them into pages,
// redirects and cookies. Requests are parsed with zitadel/oidc's op.ParseAuthorizeRequest
// and answers encoded with op.AuthResponseURL, so parameter names and encodings are
// the library's.
package web
