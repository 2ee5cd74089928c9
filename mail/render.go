package mail

import (
	"bytes"
	"embed"
	htmltemplate "html/template"
	"math"
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
	now                          func() time.Time
}

// NewRenderer parses the embedded templates.
func NewRenderer(now func() time.Time) (*Renderer, error) {
	if now == nil {
		now = time.Now
	}
	text, err := template.ParseFS(templateFS, "templates/code.txt")
	if err != nil {
		return nil, err
	}
	html, err := htmltemplate.ParseFS(templateFS, "templates/code.html")
	if err != nil {
		return nil, err
	}
	inviteText, err := template.ParseFS(templateFS, "templates/invite.txt")
	if err != nil {
		return nil, err
	}
	inviteHTML, err := htmltemplate.ParseFS(templateFS, "templates/invite.html")
	if err != nil {
		return nil, err
	}
	noticeText, err := template.ParseFS(templateFS, "templates/notice.txt")
	if err != nil {
		return nil, err
	}
	noticeHTML, err := htmltemplate.ParseFS(templateFS, "templates/notice.html")
	if err != nil {
		return nil, err
	}
	return &Renderer{text: text, html: html, inviteText: inviteText, inviteHTML: inviteHTML, noticeText: noticeText,
		noticeHTML: noticeHTML, now: now}, nil
}

// noticeLifetime bounds delivery of a security notice: late is still worth telling.
const noticeLifetime = 7 * 24 * time.Hour

// RenderNotice builds a security notice.
func (r *Renderer) RenderNotice(n models.NoticeEmail) (Message, error) {
	v := struct {
		models.NoticeEmail
		When string
	}{n, n.At.UTC().Format("2006-01-02 15:04 UTC")}
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
	v := codeView{To: c.To, Code: c.Code, What: whats[c.Purpose], Register: c.Register,
		Minutes: int(math.Ceil(c.ExpiresAt.Sub(r.now()).Minutes()))}
	subject := subjects[c.Purpose]
	if c.Register {
		subject = "Welcome to authd: your login code"
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
	var text, html bytes.Buffer
	if err := r.inviteText.Execute(&text, i); err != nil {
		return Message{}, err
	}
	if err := r.inviteHTML.Execute(&html, i); err != nil {
		return Message{}, err
	}
	return Message{To: i.To, Subject: "An account was opened for you", Text: text.String(), HTML: html.String(),
		NotAfter: r.now().Add(inviteLifetime)}, nil
}
