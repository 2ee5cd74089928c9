// Package gateway is a small reverse proxy in front of services, checking authd
// access tokens offline with package verifier: each route names a path prefix, an
// upstream, and whether it is public or which roles it requires. Upstreams receive
// the caller's identity in X-Auth-User-ID and X-Auth-Roles; those headers sent by
// clients are always removed first, so upstreams can trust them.
package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sort"
	"strings"

	"github.com/authd/authd/verifier"
)

// Route is one line of the route table.
type Route struct {
	Prefix   string   `json:"prefix"`   // e.g. "/admin/"
	Upstream string   `json:"upstream"` // e.g. "http://127.0.0.1:9000"
	Public   bool     `json:"public"`   // no token needed
	Roles    []string `json:"roles"`    // any of these; empty means any valid token
}

// identityHeaders are set by the gateway only.
var identityHeaders = []string{"X-Auth-User-ID", "X-Auth-Roles", "X-Auth-Session-ID", "X-Auth-Key-ID"}

// New builds the gateway; the longest matching prefix wins, and an unmatched path is 404.
func New(v *verifier.Verifier, routes []Route) (http.Handler, error) {
	if len(routes) == 0 {
		return nil, errors.New("gateway: no routes")
	}
	sorted := append([]Route(nil), routes...)
	sort.Slice(sorted, func(i, j int) bool { return len(sorted[i].Prefix) > len(sorted[j].Prefix) })
	mux := http.NewServeMux()
	handlers := make([]http.Handler, len(sorted))
	for i, rt := range sorted {
		up, err := url.Parse(rt.Upstream)
		if err != nil || up.Scheme == "" || up.Host == "" || !strings.HasPrefix(rt.Prefix, "/") {
			return nil, fmt.Errorf("gateway: route %q: bad prefix or upstream", rt.Prefix)
		}
		proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(up)
			pr.Out.Host = up.Host
			for _, h := range identityHeaders {
				pr.Out.Header.Del(h)
			}
			if c, ok := verifier.ClaimsFrom(pr.In.Context()); ok {
				pr.Out.Header.Set("X-Auth-User-ID", c.Subject)
				pr.Out.Header.Set("X-Auth-Roles", strings.Join(c.Roles, ","))
				if c.SessionID != "" {
					pr.Out.Header.Set("X-Auth-Session-ID", c.SessionID)
				} else {
					pr.Out.Header.Set("X-Auth-Key-ID", c.KeyID)
				}
			}
		}}
		var h http.Handler = proxy
		if !rt.Public {
			h = v.Require(rt.Roles...)(proxy)
		}
		handlers[i] = h
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		for i, rt := range sorted {
			if strings.HasPrefix(r.URL.Path, rt.Prefix) {
				handlers[i].ServeHTTP(w, r)
				return
			}
		}
		http.NotFound(w, r)
	})
	return mux, nil
}
