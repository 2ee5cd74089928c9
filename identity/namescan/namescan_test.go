package namescan

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/identity"
)

func TestScreenRequestAndAnswers(t *testing.T) {
	var got map[string]any
	var status int
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v3/person-scans/emerald" || r.Header.Get("api-key") != "k1" ||
			r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %s %s %v", r.Method, r.URL.Path, r.Header)
		}
		raw, _ := io.ReadAll(r.Body)
		got = nil
		_ = json.Unmarshal(raw, &got)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	defer srv.Close()
	c := New("k1", srv.URL+"/v3/", 85, 2*time.Second)
	subject := identity.Subject{FirstName: "Jenny", LastName: "Rosen", DOB: identity.Date{Year: 1990, Month: 2, Day: 1}, Nationality: "FRA"}

	cases := []struct {
		name       string
		status     int
		body       string
		want       *identity.Screen
		refused    bool
		wantErrors bool
	}{
		{"clear", 201, `{"scanId":123,"numberOfMatches":0}`, &identity.Screen{ScanID: "123"}, false, false},
		{"hit", 201, `{"scanId":"abc","numberOfMatches":3,"persons":[{"name":"Jenny Rosen"}]}`, &identity.Screen{ScanID: "abc", Matches: 3}, false, false},
		{"any 2xx", 200, `{"scanId":1,"numberOfMatches":0}`, &identity.Screen{ScanID: "1"}, false, false},
		{"rate limited", 429, ``, nil, false, true},
		{"down", 503, `Jenny Rosen could not be scanned`, nil, false, true},
		{"bad key", 401, `{"message":"Jenny Rosen"}`, nil, true, true},
		{"bad request", 400, ``, nil, true, true},
		{"not a scan", 201, `{"hello":1}`, nil, false, true},
		{"not JSON", 201, `<html>`, nil, false, true},
	}
	for _, tc := range cases {
		status, body = tc.status, tc.body
		res, err := c.Screen(context.Background(), subject)
		if got["firstName"] != "Jenny" || got["lastName"] != "Rosen" || got["dob"] != "01/02/1990" ||
			got["country"] != "France" || got["matchRate"] != float64(85) {
			t.Errorf("%s: sent %v", tc.name, got)
		}
		if (err != nil) != tc.wantErrors || errors.Is(err, identity.ErrScreeningRefused) != tc.refused {
			t.Errorf("%s: err %v", tc.name, err)
		}
		if err != nil && (strings.Contains(err.Error(), "Jenny") || strings.Contains(err.Error(), "Rosen")) {
			t.Errorf("%s: error carries personal data: %v", tc.name, err)
		}
		if tc.want != nil && (res == nil || *res != *tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.name, res, tc.want)
		}
	}
}

func TestScreenOmitsWhatIsUnknown(t *testing.T) {
	var raw []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ = io.ReadAll(r.Body)
		w.WriteHeader(201)
		io.WriteString(w, `{"scanId":1,"numberOfMatches":0}`)
	}))
	defer srv.Close()
	_, err := New("k", srv.URL, 80, time.Second).Screen(context.Background(), identity.Subject{FirstName: "A", LastName: "B"})
	if err != nil || string(raw) != `{"firstName":"A","lastName":"B","matchRate":80}` {
		t.Fatalf("%v %s", err, raw)
	}
}

func TestScreenTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	_, err := New("k", srv.URL, 80, 100*time.Millisecond).Screen(context.Background(), identity.Subject{FirstName: "A"})
	if err == nil || errors.Is(err, identity.ErrScreeningRefused) {
		t.Fatalf("timeout: %v", err)
	}
}
