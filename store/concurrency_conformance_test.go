package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

const racers = 8

// race runs fn on n goroutines released at once and returns their errors by index.
func race(n int, fn func(i int) error) []error {
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make([]error, n)
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// outcomes counts errs by kind: successes, want errors, and anything else (reported).
func outcomes(t *testing.T, errs []error, want error) (ok, expected int) {
	t.Helper()
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, want):
			expected++
		default:
			t.Errorf("racer %d: unexpected error %v", i, err)
		}
	}
	return ok, expected
}

func TestConcurrentCodeVerificationHasOneWinner(t *testing.T) {
	for _, tc := range []struct {
		name   string
		issue  func(t *testing.T, s *store.Store, f fixture) models.VerificationCode
		verify func(s *store.Store, c *models.VerificationCode) error
		done   func(s *store.Store, c models.VerificationCode) (bool, error)
	}{
		{
			name: "key pair code",
			issue: func(t *testing.T, s *store.Store, f fixture) models.VerificationCode {
				_, c := addKeyPair(t, s, f, t0)
				return c
			},
			verify: func(s *store.Store, c *models.VerificationCode) error {
				return s.VerifyKeyPairCode(context.Background(), c, t0.Add(time.Minute))
			},
			done: func(s *store.Store, c models.VerificationCode) (bool, error) {
				k, err := s.KeyPairByID(context.Background(), c.SubjectID)
				return err == nil && k.Verified, err
			},
		},
		{
			name: "email code",
			issue: func(t *testing.T, s *store.Store, f fixture) models.VerificationCode {
				_, c := addEmail(t, s, f, "work@example.com", t0)
				return c
			},
			verify: func(s *store.Store, c *models.VerificationCode) error {
				return s.VerifyEmailCode(context.Background(), c, t0.Add(time.Minute))
			},
			done: func(s *store.Store, c models.VerificationCode) (bool, error) {
				e, err := s.EmailByID(context.Background(), c.SubjectID)
				return err == nil && e.Verified, err
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				c := tc.issue(t, s, newAccount(t, s, "ada", "ada@example.com"))
				errs := race(racers, func(int) error { c := c; return tc.verify(s, &c) })
				if ok, lost := outcomes(t, errs, models.ErrNotFound); ok != 1 || lost != racers-1 {
					t.Errorf("%d concurrent verifications: %d succeeded, %d not found; want 1 and %d", racers, ok, lost, racers-1)
				}
				if done, err := tc.done(s, c); !done {
					t.Errorf("subject not verified after the race (%v)", err)
				}
			})
		})
	}
}

func TestConcurrentAddsNeverExceedTheLimit(t *testing.T) {
	const max = 3
	for _, tc := range []struct {
		name  string
		have  int // rows a new account already holds
		add   func(s *store.Store, f fixture, i int, fx models.Effects) error
		count func(s *store.Store, f fixture) (int, error)
	}{
		{
			name: "key pairs",
			add: func(s *store.Store, f fixture, _ int, fx models.Effects) error {
				k, c := keyPairOf(f, t0)
				return s.AddKeyPair(context.Background(), &k, &c, max, fx)
			},
			count: func(s *store.Store, f fixture) (int, error) {
				rows, err := s.KeyPairsOfUser(context.Background(), f.user.ID)
				return len(rows), err
			},
		},
		{
			name: "emails",
			have: 1,
			add: func(s *store.Store, f fixture, i int, _ models.Effects) error {
				e, c := emailOf(f, fmt.Sprintf("racer%d@example.com", i), t0)
				return s.AddEmail(context.Background(), &e, &c, max)
			},
			count: func(s *store.Store, f fixture) (int, error) {
				rows, err := s.EmailsOfUser(context.Background(), f.user.ID)
				return len(rows), err
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, s *store.Store) {
				f := newAccount(t, s, "ada", "ada@example.com")
				probes := make([]probe, racers)
				for i := range probes {
					probes[i] = newProbe()
				}
				errs := race(racers, func(i int) error { return tc.add(s, f, i, probes[i].fx) })
				ok, limited := outcomes(t, errs, models.ErrLimit)
				if ok != max-tc.have || limited != racers-ok {
					t.Errorf("%d racers at max %d: %d added, %d limited; want %d added", racers, max, ok, limited, max-tc.have)
				}
				if n, err := tc.count(s, f); err != nil || n != max {
					t.Errorf("rows after the race: got %d (%v), want %d", n, err, max)
				}
				if tc.name != "key pairs" {
					return
				}
				for i, p := range probes { // effects only for the pairs that were added
					want := recordedNone
					if errs[i] == nil {
						want = recordedAll
					}
					wantRecorded(t, s, p, t0, want)
				}
			})
		})
	}
}

func TestConcurrentGrantsOfOneRoleStoreOneRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		probes := make([]probe, racers)
		for i := range probes {
			probes[i] = newProbe()
		}
		errs := race(racers, func(i int) error {
			return s.GrantRole(ctx, f.user.ID, models.RoleAdmin, t0, probes[i].fx)
		})
		if ok, _ := outcomes(t, errs, nil); ok != racers {
			t.Errorf("concurrent grants: %d of %d succeeded", ok, racers)
		}
		id, err := s.Identity(ctx, f.user.ID)
		if err != nil {
			t.Fatal(err)
		}
		admins := 0
		for _, r := range id.Roles {
			if r == models.RoleAdmin {
				admins++
			}
		}
		if admins != 1 || len(id.Roles) != 2 {
			t.Errorf("roles after the race: got %v, want admin once beside user", id.Roles)
		}
		if _, total, err := s.ListUsers(ctx, models.UserFilter{Role: models.RoleAdmin}, 10, 0); err != nil || total != 1 {
			t.Errorf("admins listed: got %d (%v), want 1", total, err)
		}
		winners := 0
		for _, p := range probes {
			switch recordedOf(t, s, p, t0) {
			case recordedAll:
				winners++
			case recordedNone:
			default:
				t.Errorf("probe %s partly recorded", p.subject)
			}
		}
		if winners != 1 {
			t.Errorf("grants that recorded their effects: got %d, want 1", winners)
		}
	})
}
