package e2e

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// receiver is a webhook endpoint that verifies Standard Webhooks signatures with its
// own code, records what it accepts, and can be told to fail.
type receiver struct {
	key     []byte
	mu      sync.Mutex
	failing bool
	got     []map[string]any
	bad     int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id, ts := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp")
	m := hmac.New(sha256.New, rc.key)
	m.Write([]byte(id + "." + ts + "." + string(body)))
	want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if r.Header.Get("webhook-signature") != want {
		rc.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if rc.failing {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	var ev map[string]any
	_ = json.Unmarshal(body, &ev)
	if ev["id"] != id {
		rc.bad++
	}
	rc.got = append(rc.got, ev)
}

func (rc *receiver) types() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, ev := range rc.got {
		out = append(out, ev["type"].(string))
	}
	return out
}

func (rc *receiver) setFailing(f bool) { rc.mu.Lock(); rc.failing = f; rc.mu.Unlock() }

// deliver runs dispatcher rounds until one finds nothing due.
func (e *env) deliver(t *testing.T) { untilIdle(t, "event delivery", e.app.Events.RunOnce) }

// untilIdle runs a background job's rounds by hand until one finds nothing to do.
func untilIdle(t *testing.T, what string, round func(context.Context) (int, error)) {
	t.Helper()
	for range 20 {
		n, err := round(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal(what + " never settles")
}

func TestLifecycleEvents(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	rc := &receiver{key: key}
	hook := httptest.NewServer(rc)
	defer hook.Close()
	t.Setenv("AUTHD_EVENTS_WEBHOOK_URL", hook.URL)
	t.Setenv("AUTHD_EVENTS_WEBHOOK_SECRET", "whsec_"+base64.StdEncoding.EncodeToString(key))
	eachBackend(t, func(t *testing.T, e *env) {
		rc.mu.Lock()
		rc.got, rc.bad, rc.failing = nil, 0, false
		rc.mu.Unlock()

		ada := e.signup("ada@example.com", "ada")
		adaID := e.userID(ada.Bearer)
		e.deliver(t)
		if got := strings.Join(rc.types(), ","); got != "user.created,session.created" {
			t.Fatalf("events: %s", got)
		}
		for _, ev := range rc.got {
			data, _ := json.Marshal(ev["data"])
			if ev["data"].(map[string]any)["userID"] != adaID || strings.Contains(string(data), "ada@") || strings.Contains(string(data), "Lovelace") {
				t.Errorf("payload %v", ev)
			}
		}

		// The receiver fails: the event is retried, and the user's next event waits.
		rc.setFailing(true)
		k := e.createKeyPair(ada.Bearer, "ada@example.com", 30)
		wantStatus(t, e.req("DELETE", "/keypair/"+k.KeyID, nil, bearer(ada.Bearer)...), 200)
		e.deliver(t)
		rc.setFailing(false)
		e.deliver(t) // nothing due yet: backoff
		if len(rc.types()) != 2 {
			t.Fatalf("delivered during backoff: %v", rc.types())
		}
		e.clock.Advance(10 * time.Second)
		e.deliver(t)
		if got := strings.Join(rc.types()[2:], ","); got != "keypair.created,keypair.deleted" {
			t.Fatalf("after recovery, in order: %s", got)
		}

		// A receiver down for more than 24 hours: the delivery gives up, then is replayed.
		rc.setFailing(true)
		wantStatus(t, e.req("DELETE", "/session/"+e.sessionID(ada.Bearer), nil, bearer(ada.Bearer)...), 200)
		for range 30 {
			e.deliver(t)
			e.clock.Advance(time.Hour)
		}
		e.deliver(t)
		admin, _ := e.admin("root@example.com", "root")
		r := e.req("GET", "/admin/events/failed", nil, bearer(admin.Bearer)...)
		wantStatus(t, r, 200)
		var failed struct {
			Items      int
			Deliveries []struct {
				EventID, Endpoint, Type string
				Attempts                int
			}
		}
		r.json(t, &failed)
		if failed.Items != 1 || failed.Deliveries[0].Type != "session.revoked" || failed.Deliveries[0].Attempts < 5 {
			t.Fatalf("failed deliveries: %+v", failed)
		}
		rc.setFailing(false)
		d := failed.Deliveries[0]
		wantStatus(t, e.req("POST", "/admin/events/"+d.EventID+"/replay", map[string]string{"endpoint": d.Endpoint}, bearer(admin.Bearer)...), 200)
		wantStatus(t, e.req("POST", "/admin/events/"+d.EventID+"/replay", map[string]string{"endpoint": d.Endpoint}, bearer(admin.Bearer)...), 404)
		e.deliver(t)
		if types := rc.types(); !contains(types, "session.revoked") {
			t.Errorf("replayed event not delivered: %v", types)
		}

		// Setting the identity flag by hand announces it once, like a Stripe verification.
		for range 2 {
			wantStatus(t, e.req("PUT", "/admin/user/"+adaID+"/verify", nil, bearer(admin.Bearer)...), 200)
		}
		e.deliver(t)
		verified := 0
		for _, typ := range rc.types() {
			if typ == "user.verified" {
				verified++
			}
		}
		if verified != 1 {
			t.Errorf("user.verified announced %d times", verified)
		}
		if rc.bad != 0 {
			t.Errorf("%d deliveries with a bad signature or id", rc.bad)
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
