// Package models holds authd's domain vocabulary: the bun table structs shared by
// storage and the use cases, the one error type every layer returns, and the shape
// rules of what clients send (addresses, aliases, IDs, codes, role names).
//
// It imports nothing of ours and runs no queries; HTTP statuses are decided in
// package handlers, SQL lives in package store.
package models
