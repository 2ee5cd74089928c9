package provider

import (
	"fmt"
	"testing"
	"time"

	"github.com/authd/authd/models"
)

// The pending-request cache hands out copies, forgets expired and dropped requests,
// and when full makes room by dropping the expired ones first.
func TestPendingRequests(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	p := newPendingRequests()
	p.put(&models.AuthRequest{ID: "live", State: "s", ExpiresAt: now.Add(time.Minute)}, now)
	p.put(&models.AuthRequest{ID: "old", ExpiresAt: now.Add(time.Second)}, now)

	got, ok := p.get("live", now)
	if !ok || got.State != "s" {
		t.Fatalf("get live: %+v %v", got, ok)
	}
	got.State = "changed by a caller"
	if again, _ := p.get("live", now); again.State != "s" {
		t.Error("a caller's change reached the cache")
	}
	if _, ok := p.get("old", now.Add(time.Second)); ok {
		t.Error("an expired request was handed out")
	}
	p.drop("live")
	if _, ok := p.get("live", now); ok {
		t.Error("a dropped request was handed out")
	}

	for i := range maxPending {
		p.put(&models.AuthRequest{ID: fmt.Sprint("r", i), ExpiresAt: now.Add(time.Duration(i%2) * time.Hour)}, now)
	}
	p.put(&models.AuthRequest{ID: "new", ExpiresAt: now.Add(time.Hour)}, now)
	if _, ok := p.get("new", now); !ok || len(p.m) != maxPending/2+1 {
		t.Errorf("a full cache kept %d entries, want the %d live ones and the new one", len(p.m), maxPending/2)
	}
}
