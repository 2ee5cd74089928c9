package verifier

import (
	"context"
	"net/url"
	"sync"
	"time"
)

// feed mirrors authd's revocation feed in memory.
type feed struct {
	o        Options
	url      string
	onRevoke func(covers func(*Claims) bool)

	mu       sync.RWMutex
	sessions map[string]time.Time // sid -> entry expiry
	tokens   map[string]time.Time // jti -> entry expiry
	keyPairs map[string]time.Time // azp -> entry expiry
	users    map[string]userEntry // sub -> refuse tokens issued up to At
	cursor   string
	readAt   time.Time // last successful poll
}

type userEntry struct{ At, Expires time.Time }

type feedPage struct {
	Revocations []struct {
		Kind      string `json:"kind"`
		Subject   string `json:"subject"`
		RevokedAt int64  `json:"revokedAt"`
		ExpireAt  int64  `json:"expireAt"`
	} `json:"revocations"`
	Cursor string `json:"cursor"`
	More   bool   `json:"more"`
}

// poll reads every page since the last cursor.
func (f *feed) poll(ctx context.Context) error {
	f.mu.RLock()
	cursor := f.cursor
	f.mu.RUnlock()
	for {
		var p feedPage
		if err := getJSON(ctx, f.o.HTTPClient, f.url+"?since="+url.QueryEscape(cursor), f.o.FeedAuth, &p); err != nil {
			return err
		}
		f.apply(&p)
		cursor = p.Cursor
		if !p.More {
			break
		}
	}
	f.mu.Lock()
	f.cursor, f.readAt = cursor, f.o.Now()
	f.prune(f.readAt)
	f.mu.Unlock()
	return nil
}

func (f *feed) apply(p *feedPage) {
	f.mu.Lock()
	if f.sessions == nil {
		f.sessions, f.tokens, f.keyPairs, f.users = map[string]time.Time{}, map[string]time.Time{}, map[string]time.Time{}, map[string]userEntry{}
	}
	for _, r := range p.Revocations {
		exp := time.Unix(r.ExpireAt, 0)
		switch r.Kind {
		case "session":
			f.sessions[r.Subject] = exp
		case "token":
			f.tokens[r.Subject] = exp
		case "keypair":
			f.keyPairs[r.Subject] = exp
		case "user":
			f.users[r.Subject] = userEntry{At: time.Unix(r.RevokedAt, 0), Expires: exp}
		}
	}
	f.mu.Unlock()
	if len(p.Revocations) > 0 && f.onRevoke != nil {
		f.onRevoke(f.revoked)
	}
}

// prune forgets entries past their expiry; must hold mu.
func (f *feed) prune(now time.Time) {
	for _, m := range []map[string]time.Time{f.sessions, f.tokens, f.keyPairs} {
		for k, exp := range m {
			if !now.Before(exp) {
				delete(m, k)
			}
		}
	}
	for k, u := range f.users {
		if !now.Before(u.Expires) {
			delete(f.users, k)
		}
	}
}

// stale reports that the feed has not been read for longer than MaxFeedAge.
func (f *feed) stale(now time.Time) bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return now.Sub(f.readAt) > f.o.MaxFeedAge
}

// revoked reports whether any feed entry covers c. A user entry covers tokens issued
// up to and including its second (iat has one-second resolution).
func (f *feed) revoked(c *Claims) bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if _, ok := f.sessions[c.SessionID]; ok && c.SessionID != "" {
		return true
	}
	if _, ok := f.tokens[c.TokenID]; ok && c.TokenID != "" {
		return true
	}
	if _, ok := f.keyPairs[c.KeyID]; ok && c.KeyID != "" {
		return true
	}
	u, ok := f.users[c.Subject]
	return ok && !c.IssuedAt.After(u.At)
}
