package revocation

import (
	"sync"
	"time"
)

// ttlMap is a bounded in-memory map whose entries are trusted for ttl after they were
// put. When full it starts over: entries are cheap to load again, and only checks
// that succeeded are put, so it cannot be flooded with made-up keys.
type ttlMap[V any] struct {
	ttl time.Duration
	max int
	mu  sync.RWMutex
	m   map[string]ttlEntry[V]
}

type ttlEntry[V any] struct {
	v  V
	at time.Time
}

func newTTLMap[V any](ttl time.Duration, max int) *ttlMap[V] {
	return &ttlMap[V]{ttl: ttl, max: max, m: map[string]ttlEntry[V]{}}
}

func (t *ttlMap[V]) get(k string, now time.Time) (V, bool) {
	t.mu.RLock()
	e, ok := t.m[k]
	t.mu.RUnlock()
	if !ok || now.Sub(e.at) >= t.ttl {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (t *ttlMap[V]) put(k string, v V, now time.Time) {
	t.mu.Lock()
	if len(t.m) >= t.max {
		t.m = map[string]ttlEntry[V]{}
	}
	t.m[k] = ttlEntry[V]{v: v, at: now}
	t.mu.Unlock()
}

func (t *ttlMap[V]) delete(k string) {
	t.mu.Lock()
	delete(t.m, k)
	t.mu.Unlock()
}

// deleteIf drops every entry match says so of.
func (t *ttlMap[V]) deleteIf(match func(V) bool) {
	t.mu.Lock()
	for k, e := range t.m {
		if match(e.v) {
			delete(t.m, k)
		}
	}
	t.mu.Unlock()
}
