package provider

import (
	"context"
	"sync"
	"time"

	"github.com/authd/authd/models"
)

// maxPending bounds the pending-request cache (a request is about a kilobyte): when
// full, expired entries go, and if that is not enough it starts over. A request it no
// longer holds is read from the database.
const maxPending = 10000

// pendingRequests is this instance's memory of the authorization requests it stored
// for a page, until they are answered or expire. A login reads its request on every
// page (the address, the code, the consent) and again to answer it; from memory, that
// is no database read at all when the browser stays on one instance. Another
// instance reads the database. Nothing depends on the memory being current: an
// answer is a conditional write (a request answered elsewhere is refused there).
type pendingRequests struct {
	mu sync.Mutex
	m  map[string]*models.AuthRequest
}

func newPendingRequests() *pendingRequests {
	return &pendingRequests{m: map[string]*models.AuthRequest{}}
}

func (p *pendingRequests) put(r *models.AuthRequest, now time.Time) {
	cp := *r
	p.mu.Lock()
	if len(p.m) >= maxPending {
		for id, old := range p.m {
			if !old.ExpiresAt.After(now) {
				delete(p.m, id)
			}
		}
		if len(p.m) >= maxPending {
			p.m = map[string]*models.AuthRequest{}
		}
	}
	p.m[r.ID] = &cp
	p.mu.Unlock()
}

// get returns a copy of the live request id, if held.
func (p *pendingRequests) get(id string, now time.Time) (*models.AuthRequest, bool) {
	p.mu.Lock()
	r, ok := p.m[id]
	if ok && !r.ExpiresAt.After(now) {
		delete(p.m, id)
		ok = false
	}
	p.mu.Unlock()
	if !ok {
		return nil, false
	}
	cp := *r
	return &cp, true
}

func (p *pendingRequests) drop(id string) {
	p.mu.Lock()
	delete(p.m, id)
	p.mu.Unlock()
}

// pendingRequest reads a live stored request from memory, or from the database.
func (s *Service) pendingRequest(ctx context.Context, id string, now time.Time) (*models.AuthRequest, error) {
	if r, ok := s.pending.get(id, now); ok {
		return r, nil
	}
	return s.store.AuthRequestByID(ctx, id, now)
}
