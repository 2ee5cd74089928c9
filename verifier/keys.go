package verifier

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

type discovery struct {
	Issuer  string `json:"issuer"`
	JWKSURI string `json:"jwks_uri"`
}

func discover(ctx context.Context, o Options) (*discovery, error) {
	var d discovery
	if err := getJSON(ctx, o.HTTPClient, o.Issuer+"/.well-known/openid-configuration", nil, &d); err != nil {
		return nil, fmt.Errorf("verifier: discovery: %w", err)
	}
	if d.Issuer != o.Issuer || d.JWKSURI == "" {
		return nil, fmt.Errorf("verifier: discovery names issuer %q, want %q", d.Issuer, o.Issuer)
	}
	return &d, nil
}

// getJSON fetches url into v, with at most 1 MiB read.
func getJSON(ctx context.Context, c *http.Client, url string, auth func(*http.Request), v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	if auth != nil {
		auth(req)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: status %d (%s)", url, resp.StatusCode, resp.Header.Get("x-error"))
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(v)
}

// keySet holds the published verification keys by kid.
type keySet struct {
	o       Options
	url     string
	mu      sync.RWMutex
	keys    map[string]jwk.Key
	fetched time.Time
	fetchMu sync.Mutex
}

// fetch replaces the keys with the published ones. A key that does not parse, has no
// alg, is symmetric or carries private material is skipped, not fatal: the others
// still verify.
func (k *keySet) fetch(ctx context.Context) error {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := getJSON(ctx, k.o.HTTPClient, k.url, nil, &set); err != nil {
		return fmt.Errorf("verifier: jwks: %w", err)
	}
	keys := map[string]jwk.Key{}
	for _, raw := range set.Keys {
		var probe struct {
			Kty string `json:"kty"`
			D   string `json:"d"`
		}
		if json.Unmarshal(raw, &probe) != nil || probe.Kty == "oct" || probe.D != "" {
			continue
		}
		key, err := jwk.ParseKey(raw)
		if err != nil || key.KeyID() == "" || key.Algorithm().String() == "" {
			continue
		}
		keys[key.KeyID()] = key
	}
	k.mu.Lock()
	k.keys, k.fetched = keys, k.o.Now()
	k.mu.Unlock()
	return nil
}

// get returns the key named kid. An unknown kid triggers a refetch, at most once
// per MinRefetch, so a flood of made-up kids cannot turn into a flood of requests.
func (k *keySet) get(ctx context.Context, kid string) (jwk.Key, bool) {
	k.mu.RLock()
	key, ok := k.keys[kid]
	due := k.o.Now().Sub(k.fetched) >= k.o.MinRefetch
	k.mu.RUnlock()
	if ok || !due {
		return key, ok
	}
	k.fetchMu.Lock()
	k.mu.RLock()
	due = k.o.Now().Sub(k.fetched) >= k.o.MinRefetch
	k.mu.RUnlock()
	if due {
		_ = k.fetch(ctx)
	}
	k.fetchMu.Unlock()
	k.mu.RLock()
	defer k.mu.RUnlock()
	key, ok = k.keys[kid]
	return key, ok
}

// has reports whether kid is in the last fetched JWKS (no refetch): a cached token
// whose key has left the set is refused.
func (k *keySet) has(kid string) bool {
	k.mu.RLock()
	_, ok := k.keys[kid]
	k.mu.RUnlock()
	return ok
}
