package mail

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/authd/authd/models"
)

//go:embed templates/*
var templateFS embed.FS

// Renderer turns code, invitation and notice emails into messages. Templates are
// parsed once.
type Renderer struct {
	text, inviteText, noticeText *template.Template
	html, inviteHTML, noticeHTML *htmltemplate.Template
	brand                        Brand
	now                          func() time.Time
}

// Brand is what every email shows of the deployment, as the hosted pages do.
type Brand struct {
	Product string // default "authd"
	LogoURL string // an https image; empty: the product name in the accent colour
	Accent  string // #rrggbb; default #1d4ed8
}

// RendererOptions configure the emails.
type RendererOptions struct {
	Now   func() time.Time
	Brand Brand
	// TemplatesDir, when set, holds overrides of the embedded templates (code.txt,
	// code.html, invite.txt, invite.html, notice.txt, notice.html); each one present is
	// parsed and rendered once here, so a broken one fails the start.
	TemplatesDir string
}

// NewRenderer parses the embedded templates, unbranded.
func NewRenderer(now func() time.Time) (*Renderer, error) {
	return NewRendererWith(RendererOptions{Now: now})
}

// NewRendererWith parses the templates (the operator's overrides where present) and
// renders each once with sample values.
func NewRendererWith(o RendererOptions) (*Renderer, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Brand.Product == "" {
		o.Brand.Product = "authd"
	}
	if o.Brand.Accent == "" {
		o.Brand.Accent = "#1d4ed8"
	}
	if err := checkOverrides(o.TemplatesDir); err != nil {
		return nil, err
	}
	r := &Renderer{brand: o.Brand, now: o.Now}
	for name, dst := range map[string]**template.Template{"code.txt": &r.text, "invite.txt": &r.inviteText, "notice.txt": &r.noticeText} {
		src, err := templateSource(o.TemplatesDir, name)
		if err != nil {
			return nil, err
		}
		if *dst, err = template.New(name).Parse(src); err != nil {
			return nil, fmt.Errorf("mail template %s: %w", name, err)
		}
	}
	for name, dst := range map[string]**htmltemplate.Template{"code.html": &r.html, "invite.html": &r.inviteHTML, "notice.html": &r.noticeHTML} {
		src, err := templateSource(o.TemplatesDir, name)
		if err != nil {
			return nil, err
		}
		if *dst, err = htmltemplate.New(name).Parse(src); err != nil {
			return nil, fmt.Errorf("mail template %s: %w", name, err)
		}
	}
	return r, r.selfTest()
}

// selfTest renders every template once, so one that parses but fails on real values
// (an unknown field) stops the start rather than a delivery.
func (r *Renderer) selfTest() error {
	at := r.now().Add(10 * time.Minute)
	if _, err := r.Render(models.CodeEmail{To: "a@example.com", Code: "123456", Purpose: models.PurposeSession, Register: true, ExpiresAt: at}); err != nil {
		return fmt.Errorf("mail template code: %w", err)
	}
	if _, err := r.RenderInvite(models.InviteEmail{To: "a@example.com"}); err != nil {
		return fmt.Errorf("mail template invite: %w", err)
	}
	if _, err := r.RenderNotice(models.NoticeEmail{To: "a@example.com", At: at}); err != nil {
		return fmt.Errorf("mail template notice: %w", err)
	}
	return nil
}

// checkOverrides refuses a file in the override folder that overrides no template (a
// misspelt name would leave the embedded one in place without a word). The folder
// itself is optional: without it every email keeps its embedded template.
func checkOverrides(dir string) error {
	if dir == "" {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("mail templates folder: %w", err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if _, err := templateFS.ReadFile("templates/" + e.Name()); err != nil || e.IsDir() {
			return fmt.Errorf("mail templates folder %s: %s overrides no email template (code, invite and notice, each .txt and .html)", dir, e.Name())
		}
	}
	return nil
}

func templateSource(dir, name string) (string, error) {
	if dir != "" {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			return string(b), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("mail template %s: %w", name, err)
		}
	}
	b, err := templateFS.ReadFile("templates/" + name)
	return string(b), err
}

// noticeLifetime bounds delivery of a security notice: late is still worth telling.
const noticeLifetime = 7 * 24 * time.Hour

// RenderNotice builds a security notice.
func (r *Renderer) RenderNotice(n models.NoticeEmail) (Message, error) {
	v := struct {
		models.NoticeEmail
		Brand
		When string
	}{n, r.brand, n.At.UTC().Format("2006-01-02 15:04 UTC")}
	var text, html bytes.Buffer
	if err := r.noticeText.Execute(&text, v); err != nil {
		return Message{}, err
	}
	if err := r.noticeHTML.Execute(&html, v); err != nil {
		return Message{}, err
	}
	return Message{To: n.To, Subject: "A change to your account's sign-in addresses", Text: text.String(),
		HTML: html.String(), NotAfter: r.now().Add(noticeLifetime)}, nil
}

type codeView struct {
	Brand
	To, Code, What string
	Minutes        int
	Register       bool
}

var subjects = map[string]string{
	models.PurposeSession: "Your login code",
	models.PurposeEmail:   "Confirm your new email address",
	models.PurposeKeyPair: "Confirm your new API key",
}

var whats = map[string]string{
	models.PurposeSession: "login",
	models.PurposeEmail:   "email confirmation",
	models.PurposeKeyPair: "API key confirmation",
}

// Render builds the message for c; it is undeliverable after c.ExpiresAt.
func (r *Renderer) Render(c models.CodeEmail) (Message, error) {
	v := codeView{Brand: r.brand, To: c.To, Code: c.Code, What: whats[c.Purpose], Register: c.Register,
		Minutes: int(math.Ceil(c.ExpiresAt.Sub(r.now()).Minutes()))}
	subject := subjects[c.Purpose]
	if c.Register {
		subject = "Welcome to " + r.brand.Product + ": your login code"
	}
	var text, html bytes.Buffer
	if err := r.text.Execute(&text, v); err != nil {
		return Message{}, err
	}
	if err := r.html.Execute(&html, v); err != nil {
		return Message{}, err
	}
	return Message{To: c.To, Subject: subject, Text: text.String(), HTML: html.String(), NotAfter: c.ExpiresAt}, nil
}

// inviteLifetime bounds delivery of an invitation; it holds no secret, so a day of
// retries is harmless.
const inviteLifetime = 24 * time.Hour

// RenderInvite builds an invitation message.
func (r *Renderer) RenderInvite(i models.InviteEmail) (Message, error) {
	v := struct {
		models.InviteEmail
		Brand
	}{i, r.brand}
	var text, html bytes.Buffer
	if err := r.inviteText.Execute(&text, v); err != nil {
		return Message{}, err
	}
	if err := r.inviteHTML.Execute(&html, v); err != nil {
		return Message{}, err
	}
	return Message{To: i.To, Subject: "An account was opened for you", Text: text.String(), HTML: html.String(),
		NotAfter: r.now().Add(inviteLifetime)}, nil
}
