package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRoot(&out, &errOut)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String() + errOut.String(), err
}

func TestVersion(t *testing.T) {
	out, err := run(t, "version")
	if err != nil || out != "authd dev\n" {
		t.Fatalf("version: %q %v", out, err)
	}
}

func TestMigrateUpAndStatus(t *testing.T) {
	t.Setenv("AUTHD_DATA_DIR", t.TempDir())
	t.Setenv("AUTHD_DATABASE_DSN", "sqlite:"+filepath.Join(t.TempDir(), "cli.db"))
	out, err := run(t, "migrate", "status")
	if err != nil || !strings.Contains(out, "pending  20261123000001") {
		t.Fatalf("status before: %q %v", out, err)
	}
	out, err = run(t, "migrate", "up")
	if err != nil || !strings.Contains(out, "applied 20261123000001") {
		t.Fatalf("up: %q %v", out, err)
	}
	out, err = run(t, "migrate", "up")
	if err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("second up: %q %v", out, err)
	}
	out, err = run(t, "migrate", "status")
	if err != nil || !strings.Contains(out, "applied  20261123000001") {
		t.Fatalf("status after: %q %v", out, err)
	}
}

func TestBadConfigStopsTheStart(t *testing.T) {
	t.Setenv("AUTHD_DATA_DIR", t.TempDir())
	t.Setenv("AUTHD_MAIL_SMTP_TLS", "sometimes")
	_, err := run(t, "serve")
	if err == nil || !strings.Contains(err.Error(), "AUTHD_MAIL_SMTP_TLS") || !strings.Contains(err.Error(), "none, starttls, tls") {
		t.Fatalf("serve with a bad value: %v", err)
	}
}

func TestKeysRotateAndList(t *testing.T) {
	t.Setenv("AUTHD_DATA_DIR", t.TempDir())
	t.Setenv("AUTHD_DATABASE_DSN", "sqlite:"+filepath.Join(t.TempDir(), "keys.db"))
	if _, err := run(t, "migrate", "up"); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, "keys", "rotate")
	if err != nil || !strings.Contains(out, "published next key") {
		t.Fatalf("rotate: %q %v", out, err)
	}
	out, err = run(t, "keys", "rotate", "--now")
	if err != nil || !strings.Contains(out, "signs now") {
		t.Fatalf("rotate --now: %q %v", out, err)
	}
	out, err = run(t, "keys", "list")
	// Both rings (ES256 for access tokens, RS256 for ID tokens) rotate together.
	if err != nil || strings.Count(out, "active") != 2 || strings.Count(out, "retired") != 2 || strings.Count(out, "next") != 2 ||
		strings.Count(out, "RS256") != 3 {
		t.Fatalf("list: %q %v", out, err)
	}
}
