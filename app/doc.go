// Package app builds authd's object graph from a config.Config: storage, keys, the
// token issuer, mail, the use cases and the HTTP handler, and serves it with graceful
// shutdown. It is cmd/authd's wiring, kept out of package main so the end-to-end
// tests run exactly the graph production runs. It holds no logic of its own.
package app
