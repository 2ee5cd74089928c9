// Command gateway is an example API gateway for authd: a reverse proxy whose routes
// are public or need a valid access token with certain roles, checked offline.
//
//	GATEWAY_API_KEY=authd_ak_... GATEWAY_API_SECRET=authd_sk_... \
//	go run ./examples/gateway -issuer http://localhost:8080 -routes routes.json -listen :8081
//
// routes.json: [{"prefix":"/public/","upstream":"http://127.0.0.1:9000","public":true},
//
//	{"prefix":"/admin/","upstream":"http://127.0.0.1:9000","roles":["admin"]},
//	{"prefix":"/","upstream":"http://127.0.0.1:9000"}]
//
// The key pair must belong to an account with the gateway role (it reads the
// revocation feed): authd user role add --email gw@example.com --role gateway.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/authd/authd/examples/gateway/gateway"
	"github.com/authd/authd/verifier"
)

func main() {
	issuer := flag.String("issuer", "http://localhost:8080", "authd's public URL")
	audience := flag.String("audience", "authd", "expected aud")
	routesFile := flag.String("routes", "routes.json", "route table (JSON)")
	listen := flag.String("listen", ":8081", "listen address")
	flag.Parse()

	raw, err := os.ReadFile(*routesFile)
	if err != nil {
		log.Fatal(err)
	}
	var routes []gateway.Route
	if err := json.Unmarshal(raw, &routes); err != nil {
		log.Fatalf("%s: %v", *routesFile, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	v, err := verifier.New(ctx, verifier.Options{Issuer: *issuer, Audience: *audience, FeedAuth: func(r *http.Request) {
		r.Header.Set("api-key", os.Getenv("GATEWAY_API_KEY"))
		r.Header.Set("api-secret", os.Getenv("GATEWAY_API_SECRET"))
	}})
	if err != nil {
		log.Fatal(err)
	}
	go v.Run(ctx)
	h, err := gateway.New(v, routes)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: *listen, Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() { <-ctx.Done(); _ = srv.Shutdown(context.Background()) }()
	log.Printf("gateway on %s for %s", *listen, *issuer)
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
