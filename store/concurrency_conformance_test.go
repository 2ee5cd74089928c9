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

// Refresh rotations of many sessions at once (on Postgres they run in groups of one
// statement): per session and round exactly one of the racers presenting the current
// token wins, and the session's next token is the winner's, so a group never rotates
// a session twice nor answers a rotation another racer made.
func TestConcurrentRotationsOfManySessionsHaveOneWinnerEach(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const sessions, contenders, rounds = 6, 4, 4
		idle := 7 * 24 * time.Hour
		now := t0.Add(time.Minute)
		ids, current := make([]string, sessions), make([][]byte, sessions)
		for k := range sessions {
			f := newAccount(t, s, fmt.Sprintf("rot%d", k), fmt.Sprintf("rot%d@example.com", k))
			sess, code := pendingSession(t, s, f, 10*time.Minute)
			if err := activate(t, s, f, sess, code, now); err != nil {
				t.Fatal(err)
			}
			cur, err := s.SessionByID(ctx, sess.ID)
			if err != nil {
				t.Fatal(err)
			}
			ids[k], current[k] = sess.ID, cur.RefreshHash
		}
		for round := range rounds {
			errs := race(sessions*contenders, func(i int) error {
				k := i % sessions
				got, err := s.RefreshCurrent(ctx, ids[k], int64(round), current[k], fmt.Appendf(nil, "r%d-%d", round, i), now, idle)
				if err == nil && (got.ID != ids[k] || got.RefreshGen != int64(round+1) || string(got.RefreshHash) != fmt.Sprintf("r%d-%d", round, i)) {
					return fmt.Errorf("racer %d answered another rotation: %+v", i, got)
				}
				return err
			})
			for k := range sessions {
				var won []int
				for i := k; i < len(errs); i += sessions {
					if errs[i] == nil {
						won = append(won, i)
					} else if !errors.Is(errs[i], models.ErrNotFound) {
						t.Fatalf("round %d racer %d: %v", round, i, errs[i])
					}
				}
				if len(won) != 1 {
					t.Fatalf("round %d session %d: %d winners %v, want 1", round, k, len(won), won)
				}
				cur, err := s.SessionByID(ctx, ids[k])
				if err != nil {
					t.Fatal(err)
				}
				if want := fmt.Sprintf("r%d-%d", round, won[0]); string(cur.RefreshHash) != want || cur.RefreshGen != int64(round+1) {
					t.Fatalf("round %d session %d: stored %q gen %d, want the winner's %q", round, k, cur.RefreshHash, cur.RefreshGen, want)
				}
				current[k] = cur.RefreshHash
			}
		}
	})
}

// A group of rotations that deadlocks with another writer of the same sessions
// (on Postgres: a transaction holding one of them that then writes the other, which
// the group holds; Postgres aborts the group, which waited first) is retried one
// rotation at a time, so every rotation still succeeds. Which row a group locks
// first is the plan's choice, so the other writer holds each row in turn: one of the
// two rounds deadlocks. SQLite has no row locks and no groups.
func TestRotationGroupSurvivesADeadlock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		idle := 7 * 24 * time.Hour
		now := t0.Add(time.Minute)
		for round := range 2 {
			var ids []string
			hashes := map[string][]byte{}
			for k := range 2 {
				f := newAccount(t, s, fmt.Sprintf("dl%d%d", round, k), fmt.Sprintf("dl%d%d@example.com", round, k))
				sess, code := pendingSession(t, s, f, 10*time.Minute)
				if err := activate(t, s, f, sess, code, now); err != nil {
					t.Fatal(err)
				}
				cur, _ := s.SessionByID(ctx, sess.ID)
				ids, hashes[sess.ID] = append(ids, sess.ID), cur.RefreshHash
			}
			rotateBoth := func() ([]*models.Session, []error) {
				return s.RotateTogether(ctx, store.NewRotation(ids[0], 0, hashes[ids[0]], []byte("next-0"), now, idle),
					store.NewRotation(ids[1], 0, hashes[ids[1]], []byte("next-1"), now, idle))
			}
			var (
				sessions []*models.Session
				errs     []error
			)
			if s.Dialect() == store.SQLite {
				sessions, errs = rotateBoth()
			} else {
				held, other := ids[round], ids[1-round]
				done := make(chan struct{})
				err := s.RunInTx(ctx, func(ctx context.Context, tx *store.Store) error {
					if err := tx.ExecRaw(ctx, "UPDATE sessions SET user_agent = user_agent WHERE id = ?", held); err != nil {
						close(done)
						return err
					}
					go func() { sessions, errs = rotateBoth(); close(done) }()
					if err := tx.ExecRaw(ctx, "SELECT pg_sleep(0.3)"); err != nil { // the group now waits for held
						return err
					}
					return tx.ExecRaw(ctx, "UPDATE sessions SET user_agent = user_agent WHERE id = ?", other)
				})
				<-done // a retried rotation waits for this transaction's end
				if err != nil {
					t.Fatalf("round %d: the other writer failed (was it the deadlock's victim?): %v", round, err)
				}
			}
			for i, id := range ids {
				if errs[i] != nil || sessions[i] == nil || sessions[i].ID != id || sessions[i].RefreshGen != 1 {
					t.Fatalf("round %d: rotation of %s: %+v %v", round, id, sessions[i], errs[i])
				}
			}
		}
		if s.Dialect() == store.Postgres && s.RotationRetries() != 1 {
			t.Fatalf("%d groups retried after a deadlock, want 1 of the 2 rounds", s.RotationRetries())
		}
	})
}
