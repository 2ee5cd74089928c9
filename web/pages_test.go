package web_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/authd/authd/web"
)

// An operator's page override is parsed and rendered once at New: a broken one (or
// a bad accent colour) stops the start; a good one is taken.
func TestPageOverridesAreCheckedAtStart(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 32)
	if _, err := web.New(nil, nil, web.Options{CSRFKey: key}); err != nil {
		t.Fatalf("the embedded pages: %v", err)
	}
	for name, body := range map[string]string{
		"good":          `{{define "content"}}<h1>Ours</h1>{{end}}`,
		"syntax error":  `{{define "content"}}<h1>{{.Title</h1>{{end}}`,
		"unknown field": `{{define "content"}}{{.NoSuchField}}{{end}}`,
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "email.html"), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := web.New(nil, nil, web.Options{CSRFKey: key, TemplateDir: dir})
		if (err == nil) != (name == "good") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The folder is checked too: missing, or holding a file that overrides no page (a
	// misspelt name would leave the embedded page in place without a word).
	if _, err := web.New(nil, nil, web.Options{CSRFKey: key, TemplateDir: filepath.Join(t.TempDir(), "nope")}); err == nil {
		t.Error("a missing templates folder was accepted")
	}
	misspelt := t.TempDir()
	if err := os.WriteFile(filepath.Join(misspelt, "login.html"), []byte(`{{define "content"}}x{{end}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(misspelt, "mail"), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := web.New(nil, nil, web.Options{CSRFKey: key, TemplateDir: misspelt}); err == nil {
		t.Error("a templates folder with login.html (no such page) was accepted")
	}
	if err := os.Remove(filepath.Join(misspelt, "login.html")); err != nil {
		t.Fatal(err)
	}
	if _, err := web.New(nil, nil, web.Options{CSRFKey: key, TemplateDir: misspelt}); err != nil {
		t.Errorf("a templates folder with only mail/ in it: %v", err)
	}
	// White button text on the accent, and accent links on white, must stay readable.
	for accent, ok := range map[string]bool{"#1d4ed8": true, "#000000": true, "#767676": true, "#777777": false, "#ffff00": false, "#60a5fa": false} {
		if _, err := web.New(nil, nil, web.Options{CSRFKey: key, Brand: web.Brand{Accent: accent}}); (err == nil) != ok {
			t.Errorf("accent %s: %v, want accepted %v", accent, err, ok)
		}
	}
	if _, err := web.New(nil, nil, web.Options{CSRFKey: key, Brand: web.Brand{Accent: "red; background: url(x)"}}); err == nil {
		t.Error("a bad accent colour was accepted")
	}
}
