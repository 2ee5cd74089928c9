package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
)

// admin signs up address and makes it an admin the way an operator does (the CLI's
// use case), returning a token that carries the role.
func (e *env) admin(address, alias string) (verified, string) {
	e.t.Helper()
	v := e.signup(address, alias)
	var info sessionInfo
	e.req("GET", "/session", nil, bearer(v.Bearer)...).json(e.t, &info)
	e.grant(info.UserID, "admin")
	return e.verifyAfterLogin(address), info.UserID
}

// grant gives userID a role the way the operator CLI does.
func (e *env) grant(userID, role string) {
	e.t.Helper()
	operator := authn.Actor{ID: models.ActorOperator}
	if err := e.app.Directory.GrantRole(context.Background(), operator, userID, role); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) userID(token string) string {
	e.t.Helper()
	var info sessionInfo
	e.req("GET", "/session", nil, bearer(token)...).json(e.t, &info)
	return info.UserID
}

type adminUsers struct {
	Pages, Items int
	Users        []struct {
		ID, Alias         string
		Roles             []string
		Verified, Enabled bool
		Emails            []struct{ Address string }
	}
}

func TestAdminUsers(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ada, adaID := e.admin("ada@example.com", "ada")
		bob := e.signup("bob@example.com", "bob")
		bobID := e.userID(bob.Bearer)
		bobKey := e.createKeyPair(bob.Bearer, "bob@example.com", 30)
		as := bearer(ada.Bearer)

		t.Run("non-admins are refused", func(t *testing.T) {
			wantStatus(t, e.req("GET", "/admin/users", nil, bearer(bob.Bearer)...), 403)
			wantStatus(t, e.req("GET", "/admin/users", nil, keyHeaders(bobKey)...), 403)
			wantStatus(t, e.req("GET", "/admin/users", nil), 401)
			wantStatus(t, e.req("POST", "/admin/user/"+bobID+"/roles", map[string]string{"role": "admin"}, bearer(bob.Bearer)...), 403)
		})
		t.Run("list and filter", func(t *testing.T) {
			var l adminUsers
			r := e.req("GET", "/admin/users", nil, as...)
			wantStatus(t, r, 200)
			r.json(t, &l)
			if l.Items != 2 || l.Pages != 1 || len(l.Users) != 2 || l.Users[0].Emails[0].Address == "" {
				t.Fatalf("list: %+v", l)
			}
			e.req("GET", "/admin/users?role=admin", nil, as...).json(t, &l)
			if l.Items != 1 || l.Users[0].ID != adaID {
				t.Errorf("role filter: %+v", l)
			}
			e.req("GET", "/admin/users?limit=1&page=2", nil, as...).json(t, &l)
			if l.Items != 2 || l.Pages != 2 || len(l.Users) != 1 {
				t.Errorf("paging: %+v", l)
			}
			for _, q := range []string{"limit=0", "limit=101", "page=0", "limit=x", "enabled=maybe", "role=Not%20A%20Role"} {
				wantStatus(t, e.req("GET", "/admin/users?"+q, nil, as...), 400)
			}
		})
		t.Run("detail", func(t *testing.T) {
			wantStatus(t, e.req("GET", "/admin/user/"+bobID, nil, as...), 200)
			wantStatus(t, e.req("GET", "/admin/user/0b5cf3a8-7a2f-4b59-9d3c-1f0e0c6a9d11", nil, as...), 404)
			wantStatus(t, e.req("GET", "/admin/user/nope", nil, as...), 400)
		})
		t.Run("admins cannot lock themselves out", func(t *testing.T) {
			wantStatus(t, e.req("PUT", "/admin/user/"+adaID+"/disable", nil, as...), 409)
			wantStatus(t, e.req("DELETE", "/admin/user/"+adaID+"/roles/admin", nil, as...), 409)
			wantStatus(t, e.req("DELETE", "/admin/user/"+adaID, nil, as...), 409)
		})
		t.Run("roles", func(t *testing.T) {
			wantStatus(t, e.req("POST", "/admin/user/"+bobID+"/roles", map[string]string{"role": "superuser"}, as...), 400)
			wantStatus(t, e.req("POST", "/admin/user/"+bobID+"/roles", map[string]string{"role": "partner"}, as...), 200)
			r := e.req("GET", "/admin/user/"+bobID+"/roles", nil, as...)
			if !strings.Contains(string(r.Body), `"partner"`) {
				t.Errorf("roles: %s", r.Body)
			}
			wantStatus(t, e.req("DELETE", "/admin/user/"+bobID+"/roles/partner", nil, as...), 200)
			wantStatus(t, e.req("DELETE", "/admin/user/"+bobID+"/roles/partner", nil, as...), 404)
		})
		t.Run("identity flag by hand", func(t *testing.T) {
			wantStatus(t, e.req("PUT", "/admin/user/"+bobID+"/verify", nil, as...), 200)
			var info sessionInfo
			e.req("GET", "/session", nil, bearer(bob.Bearer)...).json(t, &info)
			if !info.UserVerified {
				t.Error("userVerified not set")
			}
			wantStatus(t, e.req("PUT", "/admin/user/"+bobID+"/unverify", nil, as...), 200)
		})
		t.Run("disable refuses tokens and key pairs at once", func(t *testing.T) {
			wantStatus(t, e.req("GET", "/keypair", nil, keyHeaders(bobKey)...), 200)
			wantStatus(t, e.req("PUT", "/admin/user/"+bobID+"/disable", nil, as...), 200)
			wantStatus(t, e.req("GET", "/session", nil, bearer(bob.Bearer)...), 401)
			wantStatus(t, e.req("GET", "/keypair", nil, keyHeaders(bobKey)...), 401)
			before := e.smtp.Count("bob@example.com")
			wantStatus(t, e.req("POST", "/session", map[string]string{"email": "bob@example.com"}), 200)
			time.Sleep(100 * time.Millisecond) // mail is asynchronous: give a wrongly queued code time to arrive
			if e.smtp.Count("bob@example.com") != before {
				t.Error("a disabled account received a login code")
			}
			wantStatus(t, e.req("PUT", "/admin/user/"+bobID+"/enable", nil, as...), 200)
			wantStatus(t, e.req("GET", "/keypair", nil, keyHeaders(bobKey)...), 200)
		})
		t.Run("audit trail", func(t *testing.T) {
			r := e.req("GET", "/admin/audit?userID="+bobID+"&limit=100", nil, as...)
			wantStatus(t, r, 200)
			for _, want := range []string{"user.disabled", "user.enabled", "role.granted", "role.revoked", "user.verification"} {
				if !strings.Contains(string(r.Body), want) {
					t.Errorf("audit lacks %s", want)
				}
			}
			if !strings.Contains(string(r.Body), `"actorID":"`+adaID+`"`) {
				t.Error("admin actions are not attributed to the admin")
			}
			wantStatus(t, e.req("GET", "/admin/audit?userID=nope", nil, as...), 400)
		})
		t.Run("a revoked admin loses access at once", func(t *testing.T) {
			carol, carolID := e.admin("carol@example.com", "carol")
			wantStatus(t, e.req("GET", "/admin/users", nil, bearer(carol.Bearer)...), 200)
			wantStatus(t, e.req("DELETE", "/admin/user/"+carolID+"/roles/admin", nil, as...), 200)
			wantStatus(t, e.req("GET", "/admin/users", nil, bearer(carol.Bearer)...), 403) // token still says admin
		})
		t.Run("delete", func(t *testing.T) {
			wantStatus(t, e.req("DELETE", "/admin/user/"+bobID, nil, as...), 200)
			wantStatus(t, e.req("GET", "/keypair", nil, keyHeaders(bobKey)...), 401)
			wantStatus(t, e.req("GET", "/admin/user/"+bobID, nil, as...), 404)
		})
	})
}
