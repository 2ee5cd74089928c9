package keys_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwk"

	"github.com/authd/authd/keys"
	"github.com/authd/authd/models"
	"github.com/authd/authd/store"
	"github.com/authd/authd/store/storetest"
)

func secrets(t *testing.T, b byte) *keys.Secrets {
	t.Helper()
	s, err := keys.NewSecrets(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSecrets(t *testing.T) {
	if _, err := keys.NewSecrets(make([]byte, 16)); err == nil {
		t.Error("a 16-byte KEK was accepted")
	}
	s := secrets(t, 1)
	if bytes.Equal(s.Derive("code-pepper/v1"), s.Derive("pending/v1")) || len(s.Derive("x")) != 32 {
		t.Error("labels do not separate derived secrets")
	}
	if !bytes.Equal(s.Derive("x"), secrets(t, 1).Derive("x")) || bytes.Equal(s.Derive("x"), secrets(t, 2).Derive("x")) {
		t.Error("derivation is not a function of the KEK")
	}
	sealed, id, err := s.Seal([]byte("private"), []byte("kid1"))
	if err != nil || bytes.Contains(sealed, []byte("private")) {
		t.Fatalf("seal: %v", err)
	}
	if got, err := s.Open(sealed, id, []byte("kid1")); err != nil || string(got) != "private" {
		t.Fatalf("open: %q %v", got, err)
	}
	for name, open := range map[string]func() error{
		"wrong aad":  func() error { _, err := s.Open(sealed, id, []byte("kid2")); return err },
		"wrong KEK":  func() error { _, err := secrets(t, 2).Open(sealed, id, []byte("kid1")); return err },
		"unknown id": func() error { _, err := s.Open(sealed, "v9", []byte("kid1")); return err },
		"tampered": func() error {
			c := bytes.Clone(sealed)
			c[len(c)-1] ^= 1
			_, err := s.Open(c, id, []byte("kid1"))
			return err
		},
		"too short": func() error { _, err := s.Open(sealed[:5], id, []byte("kid1")); return err },
	} {
		if open() == nil {
			t.Errorf("%s: opened", name)
		}
	}
}

func TestKEKFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "encryption.key")
	kek, created, err := keys.LoadOrCreateKEKFile(path, nil)
	if err != nil || !created || len(kek) != 32 {
		t.Fatalf("create: %v %v", created, err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, %v; want 0600", info.Mode().Perm(), err)
	}
	again, created, err := keys.LoadOrCreateKEKFile(path, nil)
	if err != nil || created || !bytes.Equal(again, kek) {
		t.Fatalf("reload: created=%v err=%v equal=%v", created, err, bytes.Equal(again, kek))
	}
	if err := os.WriteFile(path, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := keys.LoadOrCreateKEKFile(path, nil); err == nil {
		t.Error("a corrupt key file was accepted")
	}
}

func TestManagerCreatesOnceAndReloads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		sec := secrets(t, 3)
		now := func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }
		m1, err := keys.NewManager(ctx, st, sec, keys.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := st.ListSigningKeys(ctx)
		if len(rows) != 1 || rows[0].State != models.KeyActive || bytes.Contains(rows[0].PrivateSealed, []byte("BEGIN")) {
			t.Fatalf("after first start: %+v", rows)
		}
		signer, err := m1.SigningKey()
		if err != nil || signer.KeyID() != rows[0].ID {
			t.Fatalf("signer: %v %v", signer, err)
		}
		m2, err := keys.NewManager(ctx, st, sec, keys.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if rows, _ := st.ListSigningKeys(ctx); len(rows) != 1 {
			t.Fatalf("restart created another key: %d rows", len(rows))
		}
		s2, _ := m2.SigningKey()
		if s2.KeyID() != signer.KeyID() {
			t.Error("restart changed the signing key")
		}
		body1, etag1 := m1.JWKS()
		body2, etag2 := m2.JWKS()
		if !bytes.Equal(body1, body2) || etag1 != etag2 || !strings.HasPrefix(etag1, `"`) {
			t.Errorf("JWKS or ETag differ across restarts: %s %s", etag1, etag2)
		}
		set, err := jwk.Parse(body1)
		if err != nil || set.Len() != 1 {
			t.Fatalf("JWKS does not parse as one key: %v", err)
		}
		var raw map[string][]map[string]any
		_ = json.Unmarshal(body1, &raw)
		k := raw["keys"][0]
		if _, private := k["d"]; private || k["kid"] != signer.KeyID() || k["alg"] != "ES256" || k["use"] != "sig" || k["kty"] != "EC" {
			t.Errorf("published key: %v", k)
		}
		if _, ok := m1.VerificationKey(signer.KeyID()); !ok {
			t.Error("verification key not found by kid")
		}
		if _, ok := m1.VerificationKey("../../etc/passwd"); ok {
			t.Error("unknown kid found")
		}
		if _, err := keys.NewManager(ctx, st, secrets(t, 4), keys.Options{Now: now}); err == nil {
			t.Error("keys sealed under another KEK were opened")
		}
	})
}
