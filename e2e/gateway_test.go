package e2e

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authd/authd/examples/gateway/gateway"
)

// TestExampleGateway runs examples/gateway's proxy on the verifier against this authd.
func TestExampleGateway(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		const poll = 20 * time.Millisecond
		v := e.gatewayVerifier(t, poll)
		go v.Run(ctx)
		upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Seen-User", r.Header.Get("X-Auth-User-ID"))
			w.Header().Set("X-Seen-Roles", r.Header.Get("X-Auth-Roles"))
		}))
		defer upstream.Close()
		h, err := gateway.New(v, []gateway.Route{
			{Prefix: "/public/", Upstream: upstream.URL, Public: true},
			{Prefix: "/admin/", Upstream: upstream.URL, Roles: []string{"admin"}},
			{Prefix: "/", Upstream: upstream.URL},
		})
		if err != nil {
			t.Fatal(err)
		}
		gw := httptest.NewServer(h)
		defer gw.Close()

		user := e.signup("ada@example.com", "ada")
		admin, adminID := e.admin("root@example.com", "root")
		get := func(path string, hdr ...string) *http.Response {
			req, _ := http.NewRequest("GET", gw.URL+path, nil)
			for i := 0; i+1 < len(hdr); i += 2 {
				req.Header.Set(hdr[i], hdr[i+1])
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}
		for _, c := range []struct {
			name, path string
			hdr        []string
			status     int
			seen       string
		}{
			{"public", "/public/x", []string{"X-Auth-User-ID", adminID}, 200, ""},
			{"no token", "/app", nil, 401, ""},
			{"user", "/app", bearer(user.Bearer), 200, e.userID(user.Bearer)},
			{"forged identity overwritten", "/app", append(bearer(user.Bearer), "X-Auth-User-ID", adminID), 200, e.userID(user.Bearer)},
			{"user on admin", "/admin/x", bearer(user.Bearer), 403, ""},
			{"admin on admin", "/admin/x", bearer(admin.Bearer), 200, adminID},
		} {
			t.Run(c.name, func(t *testing.T) {
				resp := get(c.path, c.hdr...)
				if resp.StatusCode != c.status || resp.Header.Get("X-Seen-User") != c.seen {
					t.Errorf("got %d seen %q; want %d %q", resp.StatusCode, resp.Header.Get("X-Seen-User"), c.status, c.seen)
				}
			})
		}
		// A revoked session is refused by the gateway within one poll interval.
		closed := time.Now()
		wantStatus(t, e.req("DELETE", "/session/"+e.sessionID(user.Bearer), nil, bearer(user.Bearer)...), 200)
		for get("/app", bearer(user.Bearer)...).StatusCode != 401 {
			if time.Since(closed) > 5*time.Second {
				t.Fatal("the gateway kept accepting a closed session")
			}
			time.Sleep(time.Millisecond)
		}
		t.Logf("gateway refused the closed session after %v (poll interval %v)", time.Since(closed).Round(time.Millisecond), poll)
	})
}
