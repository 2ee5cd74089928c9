// Package e2e holds authd's end-to-end tests: the production object graph (package
// app) behind an httptest.Server, on a fresh SQLite file and, when
// AUTHD_TEST_POSTGRES_DSN is set, a fresh Postgres schema; codes arrive over a real
// SMTP conversation with an in-process server; every response is validated against
// api/openapi.yaml. It has no non-test code beyond this comment.
package e2e
