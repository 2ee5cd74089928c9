package e2e

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNginxForwardAuth runs examples/nginx/nginx.conf in a real nginx between a
// client, authd and a sample upstream. CI sets AUTHD_TEST_REQUIRE_NGINX so the test
// fails, rather than skips, where nginx is missing.
func TestNginxForwardAuth(t *testing.T) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if os.Getenv("AUTHD_TEST_REQUIRE_NGINX") != "" {
			t.Fatal("nginx is required (AUTHD_TEST_REQUIRE_NGINX) but not installed")
		}
		t.Skip("nginx not installed; .ci/run installs it")
	}
	eachBackend(t, func(t *testing.T, e *env) {
		upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Seen-User", r.Header.Get("X-Auth-User-ID"))
			w.Header().Set("X-Seen-Roles", r.Header.Get("X-Auth-Roles"))
			_, _ = w.Write([]byte("upstream " + r.URL.Path))
		}))
		defer upstream.Close()
		base := startNginx(t, bin, strings.TrimPrefix(e.srv.URL, "http://"), strings.TrimPrefix(upstream.URL, "http://"))

		user := e.signup("ada@example.com", "ada")
		userID := e.userID(user.Bearer)
		admin, adminID := e.admin("root@example.com", "root")
		key := e.createKeyPair(user.Bearer, "ada@example.com", 30)

		get := func(path string, hdr ...string) *http.Response {
			t.Helper()
			req, _ := http.NewRequest("GET", base+path, nil)
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
		cases := []struct {
			name, path string
			hdr        []string
			status     int
			seenUser   string
		}{
			{"public, no credential", "/public/x", nil, 200, ""},
			{"public ignores forged identity", "/public/x", []string{"X-Auth-User-ID", adminID}, 200, ""},
			{"app, no credential", "/app/x", nil, 401, ""},
			{"app, garbage token", "/app/x", bearer("garbage"), 401, ""},
			{"app, user token", "/app/x", bearer(user.Bearer), 200, userID},
			{"app, key pair", "/app/x", keyHeaders(key), 200, userID},
			{"app, forged identity header is overwritten", "/app/x", append(bearer(user.Bearer), "X-Auth-User-ID", adminID), 200, userID},
			{"admin, user token", "/admin/x", bearer(user.Bearer), 403, ""},
			{"admin, admin token", "/admin/x", bearer(admin.Bearer), 200, adminID},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				resp := get(c.path, c.hdr...)
				if resp.StatusCode != c.status || resp.Header.Get("X-Seen-User") != c.seenUser {
					t.Errorf("status %d seen user %q; want %d %q", resp.StatusCode, resp.Header.Get("X-Seen-User"), c.status, c.seenUser)
				}
			})
		}
		// A closed session is refused through the gateway at once.
		wantStatus(t, e.req("DELETE", "/session/"+e.sessionID(user.Bearer), nil, bearer(user.Bearer)...), 200)
		if resp := get("/app/x", bearer(user.Bearer)...); resp.StatusCode != 401 {
			t.Errorf("closed session through nginx: %d", resp.StatusCode)
		}
	})
}

func (e *env) sessionID(token string) string {
	e.t.Helper()
	var info sessionInfo
	e.req("GET", "/session", nil, bearer(token)...).json(e.t, &info)
	return info.SessionID
}

// startNginx writes examples/nginx/nginx.conf with the addresses filled in and runs
// nginx on it until the test ends; it returns nginx's base URL.
func startNginx(t *testing.T, bin, authd, upstream string) string {
	t.Helper()
	listen := freeAddr(t)
	raw, err := os.ReadFile(filepath.Join("..", "examples", "nginx", "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	conf := strings.NewReplacer("${LISTEN}", listen, "${AUTHD}", authd, "${UPSTREAM}", upstream).Replace(string(raw))
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // workers may run as an unprivileged user
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "-p", dir, "-c", "nginx.conf", "-g", "daemon off;")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		if c, err := net.Dial("tcp", listen); err == nil {
			c.Close()
			return "http://" + listen
		}
		select {
		case <-ctx.Done():
			t.Fatalf("nginx did not start: %s", out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
