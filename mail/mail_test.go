package mail_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/mail"
	"github.com/authd/authd/mail/mailtest"
	"github.com/authd/authd/models"
)

type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *logBuf) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func smtpDriver(t *testing.T, srv *mailtest.Server) mail.Driver {
	t.Helper()
	d, err := mail.NewSMTPDriver(mail.SMTPOptions{Host: srv.Host(), Port: srv.Port(), TLS: "none",
		From: "authd <no-reply@example.com>", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func code(to string) models.CodeEmail {
	return models.CodeEmail{To: to, Code: "482913", Purpose: models.PurposeSession, ExpiresAt: time.Now().Add(10 * time.Minute)}
}

func TestSMTPDriverSendsTextAndHTML(t *testing.T) {
	srv := mailtest.NewServer(t)
	r, err := mail.NewRenderer(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := code("ada@example.com")
	c.Register = true
	m, err := r.Render(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := smtpDriver(t, srv).Send(context.Background(), m); err != nil {
		t.Fatalf("send: %v", err)
	}
	got := srv.WaitFor(t, "ada@example.com", 5*time.Second)
	if got.Subject != "Welcome to authd: your login code" || !strings.Contains(got.Text, "482913") ||
		!strings.Contains(got.Text, "10 minutes") || !strings.Contains(got.From, "no-reply@example.com") {
		t.Errorf("received: subject %q from %q text %q", got.Subject, got.From, got.Text)
	}
	if !bytes.Contains(got.Data, []byte("text/html")) {
		t.Error("no HTML alternative")
	}
}

func TestRenderEscapesHTML(t *testing.T) {
	r, _ := mail.NewRenderer(nil)
	m, err := r.Render(models.CodeEmail{To: "<script>@x.com", Code: "123456", Purpose: models.PurposeEmail, ExpiresAt: time.Now().Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.HTML, "<script>") || !strings.Contains(m.HTML, "&lt;script&gt;") {
		t.Errorf("HTML not escaped: %s", m.HTML)
	}
	if m.Subject != "Confirm your new email address" {
		t.Errorf("subject %q", m.Subject)
	}
}

func TestDriversRefuseHeaderInjection(t *testing.T) {
	srv := mailtest.NewServer(t)
	for _, to := range []string{"a@b.co\r\nBcc: evil@example.net", "a@b.co>\r\nRCPT TO:<evil@example.net>", "a@b.co, evil@example.net"} {
		m := mail.Message{To: to, Subject: "s", Text: "t", NotAfter: time.Now().Add(time.Minute)}
		if err := smtpDriver(t, srv).Send(context.Background(), m); err == nil {
			t.Errorf("smtp driver sent to %q", to)
		}
		if err := mail.NewLogDriver(slog.New(slog.DiscardHandler), "x@y.z").Send(context.Background(), m); err == nil {
			t.Errorf("log driver accepted %q", to)
		}
	}
	if len(srv.Messages()) != 0 {
		t.Error("a message reached the server")
	}
}

func newQueue(t *testing.T, d mail.Driver, logs *logBuf) *mail.Queue {
	t.Helper()
	q := mail.NewQueue(d, mail.QueueOptions{InitialBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond,
		Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	q.Start()
	t.Cleanup(func() { _ = q.Close(context.Background()) })
	return q
}

func TestQueueSurvivesAnOutage(t *testing.T) {
	srv := mailtest.NewServer(t)
	srv.SetFailing(true)
	logs := &logBuf{}
	q := newQueue(t, smtpDriver(t, srv), logs)
	if err := q.SendCode(context.Background(), code("ada@example.com")); err != nil {
		t.Fatal(err)
	}
	// Several attempts fail while the server is down; none is lost.
	deadline := time.Now().Add(5 * time.Second)
	for strings.Count(logs.String(), "will retry") < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("no retries logged: %s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if q.Depth() != 1 {
		t.Errorf("depth during outage = %d, want 1", q.Depth())
	}
	srv.SetFailing(false)
	if got := srv.CodeFor(t, "ada@example.com", 5*time.Second); got != "482913" {
		t.Errorf("code %q", got)
	}
	if strings.Contains(logs.String(), "482913") || strings.Contains(logs.String(), "ada@example.com") {
		t.Errorf("queue logs hold the code or the address: %s", logs.String())
	}
}

// failing is a driver that always fails, counting attempts.
type failing struct {
	mu sync.Mutex
	n  int
}

func (f *failing) Send(context.Context, mail.Message) error {
	f.mu.Lock()
	f.n++
	f.mu.Unlock()
	return errors.New("down")
}

func TestQueueDropsMailPastItsDeadline(t *testing.T) {
	logs := &logBuf{}
	d := &failing{}
	q := newQueue(t, d, logs)
	if err := q.Enqueue(mail.Message{To: "ada@example.com", NotAfter: time.Now().Add(150 * time.Millisecond)}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for q.Depth() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("expired message still queued")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "mail dropped") || !strings.Contains(logs.String(), "example.com") {
		t.Errorf("drop not logged: %s", logs.String())
	}
	if err := q.Enqueue(mail.Message{To: "ada@example.com", NotAfter: time.Now().Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.n == 0 {
		t.Error("driver never tried")
	}
}

func TestCloseFlushesAndRefusesNewMail(t *testing.T) {
	srv := mailtest.NewServer(t)
	q := mail.NewQueue(smtpDriver(t, srv), mail.QueueOptions{})
	for _, to := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		if err := q.SendCode(context.Background(), code(to)); err != nil {
			t.Fatal(err)
		}
	}
	q.Start()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := q.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}
	if n := len(srv.Messages()); n != 3 {
		t.Errorf("delivered %d of 3 before Close returned", n)
	}
	if err := q.SendCode(context.Background(), code("d@example.com")); models.KindOf(err) != models.KindUnavailable {
		t.Errorf("send after close: %v", err)
	}
}

func TestFullQueueRefuses(t *testing.T) {
	q := mail.NewQueue(&failing{}, mail.QueueOptions{Capacity: 2}) // not started: nothing drains
	for i := range 2 {
		if err := q.Enqueue(mail.Message{To: "a@example.com", NotAfter: time.Now().Add(time.Minute)}); err != nil {
			t.Fatalf("enqueue %d: %v", i, err)
		}
	}
	err := q.Enqueue(mail.Message{To: "a@example.com", NotAfter: time.Now().Add(time.Minute)})
	if models.KindOf(err) != models.KindUnavailable {
		t.Fatalf("third enqueue: %v", err)
	}
	if q.Depth() != 2 {
		t.Errorf("depth %d", q.Depth())
	}
}

func TestLogDriverPrintsTheCode(t *testing.T) {
	logs := &logBuf{}
	r, _ := mail.NewRenderer(nil)
	m, _ := r.Render(code("ada@example.com"))
	if err := mail.NewLogDriver(slog.New(slog.NewJSONHandler(logs, nil)), "x@y.z").Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "482913") || !strings.Contains(logs.String(), "development mail driver") {
		t.Errorf("log driver output: %s", logs.String())
	}
}
