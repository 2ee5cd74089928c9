package handlers

import (
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/authd/authd/limits"
)

// pageRoutes mounts the hosted login (package web) at the root, outside the API
// prefix: browsers navigate to it. Routes that start work count against the per-IP
// limit; a refusal there is a plain 429 page, never JSON.
func (h *Handler) pageRoutes(r *mux.Router) {
	if h.pages == nil {
		return
	}
	for _, rt := range h.pages.Routes() {
		next := rt.Handler
		if rt.Limited {
			next = h.pageLimited(next)
		}
		r.Handle(rt.Path, next).Methods(rt.Method)
	}
}

func (h *Handler) pageLimited(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h.ipRate.allow(limits.Network(clientIP(r, h.o.TrustedProxies), h.o.IPv6Prefix), time.Now()); err != nil {
			w.Header().Set("Retry-After", "60")
			http.Error(w, "Too many requests from your network. Try again in a minute.", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}
