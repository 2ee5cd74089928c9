package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

type feed struct {
	Revocations []struct {
		ID, Kind, Subject   string
		RevokedAt, ExpireAt int64
	}
	Cursor string
	More   bool
}

func (e *env) feed(cred []string, since string) feed {
	e.t.Helper()
	r := e.req("GET", "/revocations?since="+since, nil, cred...)
	wantStatus(e.t, r, 200)
	var f feed
	r.json(e.t, &f)
	return f
}

func (f feed) has(kind, subject string) bool {
	for _, r := range f.Revocations {
		if r.Kind == kind && r.Subject == subject {
			return true
		}
	}
	return false
}

func TestRevocationFeed(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada, _ := e.admin("ada@example.com", "ada")
		gw := e.signup("gateway@example.com", "edge")
		e.grant(e.userID(gw.Bearer), "gateway")
		gwKey := e.createKeyPair(gw.Bearer, "gateway@example.com", 30)
		bob := e.signup("bob@example.com", "bob")
		bobID := e.userID(bob.Bearer)
		bobKey := e.createKeyPair(bob.Bearer, "bob@example.com", 30)

		wantStatus(t, e.req("GET", "/revocations", nil, bearer(bob.Bearer)...), 403)
		wantStatus(t, e.req("GET", "/revocations", nil), 401)
		wantStatus(t, e.req("GET", "/revocations?since=yesterday", nil, keyHeaders(gwKey)...), 400)
		start := e.feed(keyHeaders(gwKey), "")
		if len(start.Revocations) != 0 || start.Cursor == "" {
			t.Fatalf("empty feed: %+v", start)
		}

		e.clock.Advance(time.Minute)
		bobSession := e.sessionID(bob.Bearer)
		wantStatus(t, e.req("DELETE", "/session/"+bobSession, nil, bearer(bob.Bearer)...), 200)
		bob2 := e.verifyAfterLogin("bob@example.com")
		wantStatus(t, e.req("DELETE", "/keypair/"+bobKey.KeyID, nil, bearer(bob2.Bearer)...), 200)
		wantStatus(t, e.req("PUT", "/admin/user/"+bobID+"/disable", nil, bearer(ada.Bearer)...), 200)

		f := e.feed(keyHeaders(gwKey), start.Cursor)
		if !f.has("session", bobSession) || !f.has("keypair", bobKey.KeyID) || !f.has("user", bobID) {
			t.Fatalf("feed after revocations: %+v", f)
		}
		// Every entry lives as long as the longest token it covers: for a key pair that
		// is a client_credentials access token (15 min + leeway), not the 30 s cache TTL.
		for _, r := range f.Revocations {
			want := r.RevokedAt + int64((15*time.Minute + 30*time.Second).Seconds())
			if r.ExpireAt != want {
				t.Errorf("%s entry lives until %d, want %d", r.Kind, r.ExpireAt, want)
			}
		}
		// Admins may read it too.
		if got := e.feed(bearer(ada.Bearer), start.Cursor); len(got.Revocations) != len(f.Revocations) {
			t.Errorf("admin sees %d entries, gateway %d", len(got.Revocations), len(f.Revocations))
		}

		// Cursors are positions in commit order: a poll from the last cursor brings
		// nothing already read (on Postgres an entry at the watermark may come twice;
		// nothing here is), and a cursor of the earlier time-based form still works.
		if again := e.feed(keyHeaders(gwKey), f.Cursor); len(again.Revocations) != 0 {
			t.Errorf("read again from the last cursor: %+v", again)
		}
		legacy := e.feed(keyHeaders(gwKey), fmt.Sprintf("t%d", e.clock.Now().UnixMicro()))
		if len(legacy.Revocations) != len(f.Revocations) || !strings.HasPrefix(legacy.Cursor, "p") {
			t.Errorf("a time-based cursor: %+v", legacy)
		}
		// Entries leave once every token they cover has expired.
		e.clock.Advance(16 * time.Minute)
		gwAgain := e.verifyAfterLogin("gateway@example.com")
		if late := e.feed(bearer(gwAgain.Bearer), ""); late.has("session", bobSession) || late.has("user", bobID) {
			t.Errorf("expired entries still served: %+v", late)
		}
		n, err := e.app.Store.PruneRevocations(context.Background(), e.clock.Now())
		if err != nil || n != 3 {
			t.Errorf("pruned %d entries (%v), want 3", n, err)
		}
	})
}
