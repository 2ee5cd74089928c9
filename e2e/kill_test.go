package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/authd/authd/store/storetest"
)

// buildAuthd compiles the real binary once per test.
func buildAuthd(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "authd")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/authd").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// serveProcess runs `authd serve` with env and waits until it is ready.
func serveProcess(t *testing.T, bin string, env []string, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), env...)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		if r, err := http.Get("http://" + addr + "/readyz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return cmd
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("authd did not become ready:\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestKill9UnderLoad: the real binary is killed with SIGKILL while 16 clients
// register; after a restart on the same database every registration that was
// answered 200 is there, and no multi-step write is half applied.
func TestKill9UnderLoad(t *testing.T) {
	bin := buildAuthd(t)
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			listen := freeAddr(t)
			env := []string{"AUTHD_DATA_DIR=" + t.TempDir(), "AUTHD_DATABASE_DSN=" + b.DSN, "AUTHD_SERVER_ADDR=" + listen,
				"AUTHD_SERVER_PUBLIC_URL=http://" + listen, "AUTHD_LOG_LEVEL=warn", "AUTHD_METRICS_ADDR=127.0.0.1:0",
				"AUTHD_KEYS_ENCRYPTION_KEY=" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{3}, 32)),
				"AUTHD_LIMITS_CODE_SENDS_PER_IP_5M=1000000", "AUTHD_LIMITS_REQUESTS_PER_IP_MINUTE=0"}
			cmd := serveProcess(t, bin, env, listen)

			var mu sync.Mutex
			var acked []string
			ctx, stop := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			client := &http.Client{Timeout: 5 * time.Second}
			for w := range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ctx.Err() == nil; i++ {
						addr := fmt.Sprintf("w%d-%d@example.com", w, i)
						body := fmt.Sprintf(`{"email":%q,"fullName":"Load","alias":"w%d-%d"}`, addr, w, i)
						r, err := client.Post("http://"+listen+"/api/auth/v2/user", "application/json", bytes.NewBufferString(body))
						if err != nil {
							return // the server is gone
						}
						r.Body.Close()
						if r.StatusCode == 200 {
							mu.Lock()
							acked = append(acked, addr)
							mu.Unlock()
						}
					}
				}()
			}
			time.Sleep(1500 * time.Millisecond)
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_ = cmd.Wait()
			stop()
			wg.Wait()
			if len(acked) < 20 {
				t.Fatalf("only %d registrations before the kill: the load did not run", len(acked))
			}

			serveProcess(t, bin, env, listen) // restarts on the same database and keys
			st := storetest.Open(t, b.DSN)
			problems, err := st.CheckIntegrity(context.Background())
			if err != nil || len(problems) > 0 {
				t.Fatalf("after kill -9: %v %v", problems, err)
			}
			for _, a := range acked {
				owners, err := st.EmailsByAddress(context.Background(), a)
				if err != nil || len(owners) != 1 {
					t.Fatalf("registration of %s was answered 200 but is gone: %v %v", a, owners, err)
				}
			}
			t.Logf("%d registrations acknowledged before SIGKILL, all present, integrity checks pass", len(acked))
		})
	}
}
