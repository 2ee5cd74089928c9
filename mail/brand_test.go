package mail_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/mail"
	"github.com/authd/authd/models"
)

// The code emails carry the deployment's branding, as the hosted pages do, and an
// operator's override of any template is used; one that does not parse, or fails on
// real values, fails at start rather than at a delivery.
func TestBrandingAndOverrides(t *testing.T) {
	brand := mail.Brand{Product: "Example Corp", Accent: "#aa3300"}
	r, err := mail.NewRendererWith(mail.RendererOptions{Brand: brand})
	if err != nil {
		t.Fatal(err)
	}
	m, err := r.Render(models.CodeEmail{To: "a@example.com", Code: "123456", Purpose: models.PurposeSession, Register: true,
		ExpiresAt: time.Now().Add(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Subject, "Example Corp") || !strings.Contains(m.Text, "Welcome to Example Corp.") ||
		!strings.Contains(m.HTML, "color: #aa3300") || strings.Contains(m.Text+m.HTML, "authd") {
		t.Errorf("unbranded: %q\n%s\n%s", m.Subject, m.Text, m.HTML)
	}

	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "code.txt"), []byte("{{.Product}} code {{.Code}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err = mail.NewRendererWith(mail.RendererOptions{Brand: brand, TemplatesDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	m, _ = r.Render(models.CodeEmail{To: "a@example.com", Code: "654321", Purpose: models.PurposeSession, ExpiresAt: time.Now().Add(time.Minute)})
	if m.Text != "Example Corp code 654321\n" || !strings.Contains(m.HTML, "654321") {
		t.Errorf("the override was not used: %q", m.Text)
	}
	for name, body := range map[string]string{"code.html": "{{.Code", "notice.txt": "{{.NoSuchField}}",
		"code.htm": "{{.Code}}" /* a misspelt name overrides nothing */} {
		bad := t.TempDir()
		if err := os.WriteFile(filepath.Join(bad, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := mail.NewRendererWith(mail.RendererOptions{TemplatesDir: bad}); err == nil {
			t.Errorf("a broken %s was accepted", name)
		}
	}
}
