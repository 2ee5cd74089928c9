package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

const prefix = "/api/auth/v2"

// client talks to the server under test with keep-alive connections.
type client struct {
	base string
	http *http.Client
}

func newClient(base string, conns int) *client {
	tr := &http.Transport{MaxIdleConns: conns * 2, MaxIdleConnsPerHost: conns * 2, IdleConnTimeout: time.Minute}
	return &client{base: base, http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// do sends a request and decodes a JSON answer into out (when not nil); any status
// but want is an error.
func (c *client) do(ctx context.Context, method, path, body string, want int, out any, hdr ...string) error {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json") // hdr may say otherwise
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s %s", method, path, resp.StatusCode, resp.Header.Get("x-error"), raw)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// fixture is what the scenarios use: per-worker sessions (access and refresh
// tokens) and one verified key pair.
type fixture struct {
	c              *client
	codes          *codeBook
	access         []string
	refresh        []string
	refreshMu      []sync.Mutex
	apiKey, secret string
	apps           []benchApp     // registered apps, one per ID-token algorithm
	browsers       []*http.Client // per worker, holding a browser session
}

type tokens struct {
	Bearer       string `json:"bearer"`
	RefreshToken string `json:"refreshToken"`
}

// login runs POST /session and PUT /session/verification for address.
func (f *fixture) login(ctx context.Context, address string) (tokens, error) {
	var p struct {
		VerificationCodeID string `json:"verificationCodeID"`
	}
	if err := f.c.do(ctx, "POST", prefix+"/session", fmt.Sprintf(`{"email":%q}`, address), 200, &p); err != nil {
		return tokens{}, err
	}
	code, err := f.codes.take(address, 10*time.Second)
	if err != nil {
		return tokens{}, err
	}
	var t tokens
	err = f.c.do(ctx, "PUT", prefix+"/session/verification",
		fmt.Sprintf(`{"verificationCodeID":%q,"code":%q}`, p.VerificationCodeID, code), 200, &t)
	return t, err
}

// setup registers one user per worker, logs each in and makes a verified key pair.
func setup(c *client, codes *codeBook, workers int) (*fixture, error) {
	ctx := context.Background()
	f := &fixture{c: c, codes: codes, refreshMu: make([]sync.Mutex, workers)}
	for w := range workers {
		addr := fmt.Sprintf("bench%d@example.com", w)
		var p struct {
			VerificationCodeID string `json:"verificationCodeID"`
		}
		body := fmt.Sprintf(`{"email":%q,"fullName":"Bench %d","alias":"bench%d"}`, addr, w, w)
		if err := c.do(ctx, "POST", prefix+"/user", body, 200, &p); err != nil {
			return nil, err
		}
		code, err := codes.take(addr, 10*time.Second)
		if err != nil {
			return nil, err
		}
		var t tokens
		if err := c.do(ctx, "PUT", prefix+"/session/verification",
			fmt.Sprintf(`{"verificationCodeID":%q,"code":%q}`, p.VerificationCodeID, code), 200, &t); err != nil {
			return nil, err
		}
		f.access, f.refresh = append(f.access, t.Bearer), append(f.refresh, t.RefreshToken)
	}
	var k struct {
		APIKey             string `json:"apiKey"`
		APISecret          string `json:"apiSecret"`
		VerificationCodeID string `json:"verificationCodeID"`
	}
	if err := c.do(ctx, "POST", prefix+"/keypair", `{"name":"bench","days":30}`, 200, &k, "Authorization", "Bearer "+f.access[0]); err != nil {
		return nil, err
	}
	code, err := codes.take("bench0@example.com", 10*time.Second)
	if err != nil {
		return nil, err
	}
	if err := c.do(ctx, "PUT", prefix+"/keypair/verification", fmt.Sprintf(`{"verificationCodeID":%q,"code":%q}`, k.VerificationCodeID, code),
		200, nil, "Authorization", "Bearer "+f.access[0]); err != nil {
		return nil, err
	}
	f.apiKey, f.secret = k.APIKey, k.APISecret
	return f, nil
}

// scenario is one measured endpoint.
type scenario struct {
	name string
	do   op
}

func (f *fixture) scenarios() []scenario {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {f.apiKey}, "client_secret": {f.secret}}.Encode()
	return append([]scenario{
		{"JWKS", func(ctx context.Context, w int) error { return f.c.do(ctx, "GET", prefix+"/jwks", "", 200, nil) }},
		{"GET /session (JWT)", func(ctx context.Context, w int) error {
			return f.c.do(ctx, "GET", prefix+"/session", "", 200, nil, "Authorization", "Bearer "+f.access[w])
		}},
		{"GET /keypair", func(ctx context.Context, w int) error {
			return f.c.do(ctx, "GET", prefix+"/keypair", "", 200, nil, "api-key", f.apiKey, "api-secret", f.secret)
		}},
		{"GET /check (JWT)", func(ctx context.Context, w int) error {
			return f.c.do(ctx, "GET", prefix+"/check", "", 200, nil, "Authorization", "Bearer "+f.access[w])
		}},
		{"client_credentials token", func(ctx context.Context, w int) error {
			return f.c.do(ctx, "POST", prefix+"/oauth/token", form, 200, nil, "Content-Type", "application/x-www-form-urlencoded")
		}},
		{"POST /session/refresh", func(ctx context.Context, w int) error {
			f.refreshMu[w].Lock()
			defer f.refreshMu[w].Unlock()
			var t tokens
			if err := f.c.do(ctx, "POST", prefix+"/session/refresh", fmt.Sprintf(`{"refreshToken":%q}`, f.refresh[w]), 200, &t); err != nil {
				return err
			}
			f.refresh[w] = t.RefreshToken
			return nil
		}},
		{"login (code by mail)", func(ctx context.Context, w int) error {
			_, err := f.login(ctx, fmt.Sprintf("bench%d@example.com", w))
			return err
		}},
	}, f.oidcScenarios()...)
}
