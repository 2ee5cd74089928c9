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
	if _, err := web.New(nil, nil, web.Options{CSRFKey: key, Brand: web.Brand{Accent: "red; background: url(x)"}}); err == nil {
		t.Error("a bad accent colour was accepted")
	}
}
