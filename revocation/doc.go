// Package revocation keeps what an instance may trust from memory and forgets it when
// something changes: verified session rows, checked key pairs, users' roles, revoked
// token IDs. Every use case commits its writes through Caches.Commit, so this instance
// reads its own writes at once, and the change-feed follower hands it what other
// instances wrote (Evict).
//
// It also decides how long a revocation stays on the public feed (the horizon: as long
// as the longest token or cached check it covers), builds the effects that go with
// each kind of change, and serves the feed gateways poll.
package revocation
