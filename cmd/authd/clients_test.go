package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/clients"
	"github.com/authd/authd/models"
	"github.com/authd/authd/store/storetest"
)

// TestClientsCommands registers and manages an app from the CLI beside a running
// server: the same use cases as /admin/clients, so the server sees each change (the
// apps it holds in memory are dropped through the change feed within seconds) and
// the audit log names the operator.
func TestClientsCommands(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			_, a, _, _ := liveServer(t, b.DSN, nil)
			ctx := context.Background()
			out, err := run(t, "clients", "create", "--name", "oauth2-proxy", "--type", "web",
				"--redirect-uri", "https://proxy.example.com/oauth2/callback", "--redirect-uri", "http://127.0.0.1:4180/oauth2/callback",
				"--id-token-alg", "ES256")
			if err != nil {
				t.Fatalf("create: %q %v", out, err)
			}
			id := regexp.MustCompile(`authd_app_[A-Za-z0-9_-]+`).FindString(out)
			secret := regexp.MustCompile(`authd_cs_[A-Za-z0-9_-]+`).FindString(out)
			if id == "" || secret == "" {
				t.Fatalf("create printed no ID or secret: %q", out)
			}
			if _, err := a.Clients.Authenticate(ctx, id, secret); err != nil {
				t.Fatalf("the server does not take the printed secret: %v", err)
			}
			if out, err := run(t, "clients", "list"); err != nil || !strings.Contains(out, id) || !strings.Contains(out, "oauth2-proxy") {
				t.Fatalf("list: %q %v", out, err)
			}
			if out, err := run(t, "clients", "update", id, "--name", "Proxy", "--first-party"); err != nil || !strings.Contains(out, "Proxy") {
				t.Fatalf("update: %q %v", out, err)
			}
			// The server held the app in memory (it authenticated it): the CLI's change
			// reaches it through the change feed, as another instance's would.
			within(t, 3*time.Second, "the server sees the CLI's update", func() bool {
				got, err := a.Clients.Get(ctx, id)
				return err == nil && got.Name == "Proxy"
			})
			got, err := a.Clients.Get(ctx, id)
			if err != nil || got.Name != "Proxy" || !got.FirstParty || got.IDTokenAlg != "ES256" || len(got.RedirectURIs) != 2 {
				t.Fatalf("after update (the flags not given must stay): %+v %v", got, err)
			}
			if out, err := run(t, "clients", "update", id, "--redirect-uri", "https://*.example.com/cb"); err == nil {
				t.Fatalf("a wildcard redirect URI was accepted: %q", out)
			}
			out, err = run(t, "clients", "rotate-secret", id, "--grace", "1h")
			fresh := regexp.MustCompile(`authd_cs_[A-Za-z0-9_-]+`).FindString(out)
			if err != nil || fresh == "" || fresh == secret {
				t.Fatalf("rotate-secret: %q %v", out, err)
			}
			within(t, 3*time.Second, "the server takes the rotated secret", func() bool {
				_, err := a.Clients.Authenticate(ctx, id, fresh)
				return err == nil
			})
			for _, s := range []string{secret, fresh} {
				if _, err := a.Clients.Authenticate(ctx, id, s); err != nil {
					t.Errorf("within the grace: %v", err)
				}
			}
			if out, err := run(t, "clients", "show", id); err != nil || strings.Contains(out, fresh) || !strings.Contains(out, "previous secret until") {
				t.Fatalf("show: %q %v", out, err)
			}
			if _, err := run(t, "clients", "create", "--name", "x", "--type", "spa"); err == nil {
				t.Error("create without a redirect URI succeeded")
			}
			if out, err := run(t, "clients", "delete", id); err != nil || !strings.Contains(out, "deleted") {
				t.Fatalf("delete: %q %v", out, err)
			}
			if _, err := run(t, "clients", "show", id); err == nil {
				t.Error("show after delete succeeded")
			}
			entries, _, err := a.Store.ListAudit(ctx, "", 50, 0)
			if err != nil {
				t.Fatal(err)
			}
			actions := map[string]bool{}
			for _, e := range entries {
				if e.TargetID == id && e.ActorID == models.ActorOperator {
					actions[e.Action] = true
				}
			}
			for _, want := range []string{clients.AuditCreated, clients.AuditUpdated, clients.AuditRotated, clients.AuditDeleted} {
				if !actions[want] {
					t.Errorf("no %s audited as the operator: %v", want, actions)
				}
			}
		})
	}
}
