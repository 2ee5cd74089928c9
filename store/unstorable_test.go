package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

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

// TestANULInAStatementBunWrites: bun writes values into the text, where a NUL used to
// make a statement that is not SQL (a 500 on both databases). Now SQLite stores it
// and reads it back, as it does a bound value, and Postgres, which holds no NUL in text,
// refuses it as ErrUnstorable and writes nothing of the transaction.
func TestANULInAStatementBunWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u := models.User{ID: uuid.NewString(), Alias: "nul", FullName: "Ada\x00Lovelace", Enabled: true, CreatedAt: t0, UpdatedAt: t0}
		err := s.CreateAccount(ctx, models.NewAccount{User: u, Roles: []string{models.RoleUser},
			Email: models.Email{ID: uuid.NewString(), UserID: u.ID, Address: "nul@example.com", CreatedAt: t0}}, models.Effects{})
		taken, aliasErr := s.AliasTaken(ctx, "n\x00l")
		if s.Dialect() == store.SQLite {
			if err != nil {
				t.Fatalf("CreateAccount with a NUL in the name on SQLite: %v", err)
			}
			got, err := s.UserByID(ctx, u.ID)
			if err != nil || got.FullName != u.FullName {
				t.Errorf("the name read back: %+v, %v; want %q", got, err, u.FullName)
			}
			if taken || aliasErr != nil {
				t.Errorf("AliasTaken(n\\x00l) = %v, %v; want false, nil", taken, aliasErr)
			}
			return
		}
		if !errors.Is(err, models.ErrUnstorable) || !errors.Is(aliasErr, models.ErrUnstorable) {
			t.Fatalf("a NUL on Postgres: CreateAccount %v, AliasTaken %v; want ErrUnstorable for both", err, aliasErr)
		}
		if _, err := s.UserByID(ctx, u.ID); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("the refused account left a user behind: %v", err)
		}
		if owners, err := s.EmailsByAddress(ctx, "nul@example.com"); err != nil || len(owners) != 0 {
			t.Errorf("the refused account left %d email rows behind: %v", len(owners), err)
		}
	})
}
