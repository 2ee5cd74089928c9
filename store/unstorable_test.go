package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

// TestValuesTheDatabaseCannotHold: a value that slipped past every input check and
// that the database refuses as such (Postgres refuses a NUL and bytes that are not
// UTF-8 in a text parameter) is models.ErrUnstorable, which models.Internal makes a
// 400, never a 500. SQLite stores any bytes, so there the lookup simply finds nothing.
func TestValuesTheDatabaseCannotHold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		newAccount(t, s, "ada", "ada@example.com")
		for _, address := range []string{"ada\x00@example.com", "ada\xff@example.com"} {
			owners, err := s.EmailsByAddress(ctx, address)
			if s.Dialect() == store.SQLite {
				if err != nil || len(owners) != 0 {
					t.Errorf("%q on SQLite: %d owners, %v; want none, no error", address, len(owners), err)
				}
				continue
			}
			if !errors.Is(err, models.ErrUnstorable) {
				t.Fatalf("%q on Postgres: got %v, want ErrUnstorable", address, err)
			}
			if k := models.KindOf(err); k != models.KindInvalid {
				t.Errorf("%q: kind %v, want invalid", address, k)
			}
		}
		// The store still answers on the same connections afterwards.
		if owners, err := s.EmailsByAddress(ctx, "ada@example.com"); err != nil || len(owners) != 1 {
			t.Errorf("after the refusals: %d owners, %v", len(owners), err)
		}
	})
}
