package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

func TestRoleGrantsAndRevocationsRecordOnlyChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		grant, revoke := s.GrantRole, s.RevokeRole
		for i, st := range []struct {
			name   string
			op     func(context.Context, string, string, time.Time, models.Effects) error
			role   string
			want   error
			record recorded
			roles  []string
		}{
			{"granting a new role records it", grant, models.RoleAdmin, nil, recordedAll, []string{models.RoleAdmin, models.RoleUser}},
			{"granting a held role is a silent no-op", grant, models.RoleAdmin, nil, recordedNone, []string{models.RoleAdmin, models.RoleUser}},
			{"revoking a role not held is not found", revoke, models.RolePartner, models.ErrNotFound, recordedNone, []string{models.RoleAdmin, models.RoleUser}},
			{"revoking a held role records it", revoke, models.RoleAdmin, nil, recordedAll, []string{models.RoleUser}},
			{"revoking it again is not found", revoke, models.RoleAdmin, models.ErrNotFound, recordedNone, []string{models.RoleUser}},
			{"revoking the last role leaves none", revoke, models.RoleUser, nil, recordedAll, []string{}},
		} {
			p, now := newProbe(), t0.Add(time.Duration(i)*time.Minute)
			wantErr(t, st.name, st.op(ctx, f.user.ID, st.role, now, p.fx), st.want)
			wantRecorded(t, s, p, now, st.record)
			id, err := s.Identity(ctx, f.user.ID)
			if err != nil || id.Roles == nil || !slices.Equal(id.Roles, st.roles) {
				t.Errorf("%s: roles %#v (%v), want %v", st.name, id, err, st.roles)
			}
		}
		if _, err := s.Identity(ctx, uuid.NewString()); !errorsIsNotFound(err) {
			t.Errorf("Identity of an unknown user: got %v, want ErrNotFound", err)
		}
	})
}

func TestSetUserEnabledFalseClosesEverySession(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ada := newAccount(t, s, "ada", "ada@example.com")
		bob := newAccount(t, s, "bob", "bob@example.com")
		end := t0.Add(30 * 24 * time.Hour)
		open1, open2 := verifiedSession(t, s, ada, t0, end), verifiedSession(t, s, ada, t0, end)
		pending, _ := pendingSession(t, s, ada, 10*time.Minute)
		closed := verifiedSession(t, s, ada, t0, end)
		closedAt := t0.Add(time.Minute)
		if err := s.RevokeSession(ctx, ada.user.ID, closed.ID, closedAt, models.Effects{}); err != nil {
			t.Fatal(err)
		}
		bobs := verifiedSession(t, s, bob, t0, end)

		now, p := t0.Add(time.Hour), newProbe()
		wantErr(t, "disable", s.SetUserEnabled(ctx, ada.user.ID, false, now, p.fx), nil)
		wantRecorded(t, s, p, now, recordedAll)
		if u, _ := s.UserByID(ctx, ada.user.ID); u.Enabled || !u.UpdatedAt.Equal(now) {
			t.Errorf("user after disabling: enabled=%v updated %v, want false %v", u.Enabled, u.UpdatedAt, now)
		}
		for _, tc := range []struct {
			name     string
			id       string
			revoked  *time.Time
			keepsRef bool
		}{
			{"open session", open1.ID, &now, false},
			{"another open session", open2.ID, &now, false},
			{"pending session", pending.ID, &now, false},
			{"session closed before keeps its time", closed.ID, &closedAt, false},
			{"another user's session", bobs.ID, nil, true},
		} {
			got, err := s.SessionByID(ctx, tc.id)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if (got.RevokedAt == nil) != (tc.revoked == nil) || tc.revoked != nil && !got.RevokedAt.Equal(*tc.revoked) ||
				(got.RefreshHash != nil) != tc.keepsRef {
				t.Errorf("%s: revoked %v refresh %x, want revoked %v keeps refresh %v", tc.name, got.RevokedAt, got.RefreshHash, tc.revoked, tc.keepsRef)
			}
		}

		wantErr(t, "enable", s.SetUserEnabled(ctx, ada.user.ID, true, now.Add(time.Minute), models.Effects{}), nil)
		if u, _ := s.UserByID(ctx, ada.user.ID); !u.Enabled {
			t.Error("user still disabled after enabling")
		}
		if open, total, _ := s.OpenSessions(ctx, ada.user.ID, now, 10, 0); total != 0 {
			t.Errorf("enabling reopened sessions: %v", open)
		}
		p = newProbe()
		wantErr(t, "unknown user", s.SetUserEnabled(ctx, uuid.NewString(), false, now, p.fx), models.ErrNotFound)
		wantRecorded(t, s, p, now, recordedNone)
	})
}

// TestSetUserEnabledFailureClosesNothing: when the effects cannot be written (an audit
// row whose ID is taken), the user stays enabled and the sessions open, since all of
// it is one transaction.
func TestSetUserEnabledFailureClosesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		sess := verifiedSession(t, s, f, t0, t0.Add(24*time.Hour))
		taken := models.AuditEvent{ID: uuid.NewString(), At: t0, Action: models.AuditUserDisabled, ActorID: models.ActorOperator, TargetID: f.user.ID}
		if err := s.RecordAudit(ctx, &taken); err != nil {
			t.Fatal(err)
		}
		p := newProbe()
		p.fx.Audit = append(p.fx.Audit, taken)
		if err := s.SetUserEnabled(ctx, f.user.ID, false, t0.Add(time.Minute), p.fx); err == nil {
			t.Fatal("SetUserEnabled with a duplicate audit row succeeded")
		}
		wantRecorded(t, s, p, t0.Add(time.Minute), recordedNone)
		if u, _ := s.UserByID(ctx, f.user.ID); !u.Enabled {
			t.Error("user disabled by a failed transaction")
		}
		if got, _ := s.SessionByID(ctx, sess.ID); got.RevokedAt != nil || got.RefreshHash == nil {
			t.Errorf("session closed by a failed transaction: %+v", got)
		}
	})
}

func TestSetUserVerifiedToTheSameValueRecordsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newAccount(t, s, "ada", "ada@example.com")
		updated := t0 // newAccount's UpdatedAt
		for i, st := range []struct {
			name     string
			user     string
			verified bool
			want     error
			record   recorded
		}{
			{"setting it records it", f.user.ID, true, nil, recordedAll},
			{"setting it again changes nothing", f.user.ID, true, nil, recordedNone},
			{"clearing it records it", f.user.ID, false, nil, recordedAll},
			{"clearing it again changes nothing", f.user.ID, false, nil, recordedNone},
			{"an unknown user is not found", uuid.NewString(), true, models.ErrNotFound, recordedNone},
		} {
			p, now := newProbe(), t0.Add(time.Duration(i+1)*time.Minute)
			wantErr(t, st.name, s.SetUserVerified(ctx, st.user, st.verified, now, p.fx), st.want)
			wantRecorded(t, s, p, now, st.record)
			if st.record == recordedAll {
				updated = now
			}
			u, _ := s.UserByID(ctx, f.user.ID)
			wantFlag := st.verified
			if st.want != nil {
				wantFlag = false
			}
			if u.Verified != wantFlag || !u.UpdatedAt.Equal(updated) {
				t.Errorf("%s: verified=%v updated %v, want %v %v", st.name, u.Verified, u.UpdatedAt, wantFlag, updated)
			}
		}
	})
}

func TestDeleteUserCascadesToEveryOwnedRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ada := newAccount(t, s, "ada", "ada@example.com")
		bob := newAccount(t, s, "bob", "bob@example.com")
		if err := s.GrantRole(ctx, ada.user.ID, models.RoleAdmin, t0, models.Effects{}); err != nil {
			t.Fatal(err)
		}
		extra, emailCode := addEmail(t, s, ada, "work@example.com", t0)
		k, keyCode := addKeyPair(t, s, ada, t0)
		pending, loginCode := pendingSession(t, s, ada, 10*time.Minute)
		open := verifiedSession(t, s, ada, t0, t0.Add(24*time.Hour))
		bk, _ := addKeyPair(t, s, bob, t0)
		bs := verifiedSession(t, s, bob, t0, t0.Add(24*time.Hour))

		now, p := t0.Add(time.Hour), newProbe()
		wantErr(t, "DeleteUser", s.DeleteUser(ctx, ada.user.ID, now, p.fx), nil)
		wantRecorded(t, s, p, now, recordedAll)
		reads := map[string]func() error{
			"user":            func() error { _, err := s.Identity(ctx, ada.user.ID); return err },
			"first email":     func() error { _, err := s.EmailByID(ctx, ada.email.ID); return err },
			"second email":    func() error { _, err := s.EmailByID(ctx, extra.ID); return err },
			"email code":      func() error { _, err := s.CodeByID(ctx, emailCode.ID); return err },
			"key pair":        func() error { _, err := s.KeyPairByID(ctx, k.ID); return err },
			"key pair code":   func() error { _, err := s.CodeByID(ctx, keyCode.ID); return err },
			"pending session": func() error { _, err := s.SessionByID(ctx, pending.ID); return err },
			"login code":      func() error { _, err := s.CodeByID(ctx, loginCode.ID); return err },
			"open session":    func() error { _, err := s.SessionByID(ctx, open.ID); return err },
		}
		for name, read := range reads {
			if err := read(); !errorsIsNotFound(err) {
				t.Errorf("%s after DeleteUser: got %v, want ErrNotFound", name, err)
			}
		}
		if _, err := s.KeyPairByID(ctx, bk.ID); err != nil {
			t.Errorf("another user's key pair: %v", err)
		}
		if _, err := s.SessionByID(ctx, bs.ID); err != nil {
			t.Errorf("another user's session: %v", err)
		}
		// Roles and groups went too: an account reusing the ID starts with none.
		again := models.User{ID: ada.user.ID, Alias: "ada2", FullName: "Ada", Enabled: true, CreatedAt: now, UpdatedAt: now}
		err := s.CreateAccount(ctx, models.NewAccount{User: again,
			Email: models.Email{ID: uuid.NewString(), UserID: again.ID, Address: "ada2@example.com", CreatedAt: now}}, models.Effects{})
		if err != nil {
			t.Fatalf("reusing the ID: %v", err)
		}
		if id, err := s.Identity(ctx, again.ID); err != nil || len(id.Roles) != 0 || len(id.Groups) != 0 {
			t.Errorf("roles/groups survived DeleteUser: %v %v (%v)", id.Roles, id.Groups, err)
		}
		p = newProbe()
		wantErr(t, "unknown user", s.DeleteUser(ctx, uuid.NewString(), now, p.fx), models.ErrNotFound)
		wantRecorded(t, s, p, now, recordedNone)
	})
}

func TestListUsersFiltersPagesAndCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var u [5]string
		for _, i := range []int{3, 0, 4, 1, 2} { // insertion order is not the listing order
			u[i] = accountAt(t, s, fmt.Sprintf("u%d", i), t0.Add(time.Duration(i)*time.Minute)).user.ID
		}
		for _, i := range []int{1, 3} {
			if err := s.SetUserEnabled(ctx, u[i], false, t0, models.Effects{}); err != nil {
				t.Fatal(err)
			}
		}
		for _, i := range []int{2, 3} {
			if err := s.GrantRole(ctx, u[i], models.RoleAdmin, t0, models.Effects{}); err != nil {
				t.Fatal(err)
			}
		}
		yes, no := true, false
		for _, tc := range []struct {
			name          string
			filter        models.UserFilter
			limit, offset int
			want          []string
			total         int
		}{
			{"everyone, oldest first", models.UserFilter{}, 10, 0, u[:], 5},
			{"a middle page", models.UserFilter{}, 2, 2, []string{u[2], u[3]}, 5},
			{"past the end", models.UserFilter{}, 2, 6, []string{}, 5},
			{"enabled only", models.UserFilter{Enabled: &yes}, 10, 0, []string{u[0], u[2], u[4]}, 3},
			{"disabled only", models.UserFilter{Enabled: &no}, 10, 0, []string{u[1], u[3]}, 2},
			{"one role", models.UserFilter{Role: models.RoleAdmin}, 10, 0, []string{u[2], u[3]}, 2},
			{"one role, second page", models.UserFilter{Role: models.RoleAdmin}, 1, 1, []string{u[3]}, 2},
			{"role and enabled", models.UserFilter{Role: models.RoleAdmin, Enabled: &yes}, 10, 0, []string{u[2]}, 1},
			{"a role nobody holds", models.UserFilter{Role: models.RolePartner}, 10, 0, []string{}, 0},
		} {
			rows, total, err := s.ListUsers(ctx, tc.filter, tc.limit, tc.offset)
			got := idsOf(rows, func(i models.Identity) string { return i.User.ID })
			if err != nil || !slices.Equal(got, tc.want) || total != tc.total {
				t.Errorf("%s: got %v total %d (%v), want %v total %d", tc.name, got, total, err, tc.want, tc.total)
			}
		}
		rows, _, _ := s.ListUsers(ctx, models.UserFilter{Role: models.RoleAdmin}, 1, 0)
		if len(rows) != 1 || !slices.Equal(rows[0].Roles, []string{models.RoleAdmin, models.RoleUser}) ||
			!slices.Equal(rows[0].Groups, []string{models.GroupPublic}) || !rows[0].User.CreatedAt.Equal(t0.Add(2*time.Minute)) {
			t.Errorf("listed identity: got %+v, want u2 with roles [admin user] and group public", rows)
		}
	})
}
