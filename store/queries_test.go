package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

// statements counts the statements bun sends.
type statements struct{ n atomic.Int64 }

func (c *statements) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	c.n.Add(1)
	return ctx
}
func (c *statements) AfterQuery(context.Context, *bun.QueryEvent) {}

func (c *statements) during(fn func()) int64 {
	before := c.n.Load()
	fn()
	return c.n.Load() - before
}

// TestReadsDoNotGrowWithRows: the login lookup (EmailsByAddress) and an admin page
// (ListUsers + EmailsOfUsers) cost the same number of statements for few rows and
// for many.
func TestReadsDoNotGrowWithRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		count := &statements{}
		counted := s.WithQueryHook(count)
		var ids []string
		page := func() int64 {
			return count.during(func() {
				users, _, err := counted.ListUsers(ctx, models.UserFilter{}, 100, 0)
				if err != nil {
					t.Fatal(err)
				}
				ids = ids[:0]
				for _, u := range users {
					ids = append(ids, u.User.ID)
				}
				if _, err := counted.EmailsOfUsers(ctx, ids); err != nil {
					t.Fatal(err)
				}
			})
		}
		lookup := func() int64 {
			return count.during(func() {
				owners, err := counted.EmailsByAddress(ctx, "shared@example.com")
				if err != nil || len(owners) == 0 {
					t.Fatalf("EmailsByAddress: %v %d", err, len(owners))
				}
			})
		}
		add := func(n int) {
			for range n {
				f := newAccount(t, s, "u"+uuid.NewString()[:8], fmt.Sprintf("%s@example.com", uuid.NewString()[:8]))
				// Each account also holds the shared address, unverified (registrations never finished).
				e := models.Email{ID: uuid.NewString(), UserID: f.user.ID, Address: "shared@example.com", CreatedAt: t0}
				if err := s.AddEmail(ctx, &e, nil, 10); err != nil {
					t.Fatal(err)
				}
			}
		}
		add(2)
		fewPage, fewLookup := page(), lookup()
		if fewLookup != 1 {
			t.Fatalf("the login lookup took %d statements, want 1 (it runs for every code sent)", fewLookup)
		}
		add(40)
		if manyPage, manyLookup := page(), lookup(); manyPage != fewPage || manyLookup != fewLookup {
			t.Fatalf("statements grew with the rows: admin page %d -> %d, login lookup %d -> %d", fewPage, manyPage, fewLookup, manyLookup)
		}
		t.Logf("admin page: %d statements, login lookup: %d, for 2 and for 42 accounts", fewPage, fewLookup)
	})
}
