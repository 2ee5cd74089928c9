// Package mailtest runs a real SMTP server inside a test (emersion/go-smtp on
// 127.0.0.1), records what it receives, parses the MIME so tests can read the code,
// and can answer every transaction with a temporary failure to simulate an outage.
package mailtest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Received is one accepted message.
type Received struct {
	From    string
	To      []string
	Data    []byte // the raw message
	Subject string
	Text    string // the decoded text/plain part
}

// Server is the in-process SMTP server.
type Server struct {
	srv      *smtp.Server
	addr     *net.TCPAddr
	mu       sync.Mutex
	msgs     []Received
	consumed map[int]bool
	failing  bool
	arrived  chan struct{}
}

// NewServer starts a server for the duration of the test.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{consumed: map[int]bool{}, arrived: make(chan struct{}, 1)}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "mailtest.local"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	s.addr = ln.Addr().(*net.TCPAddr)
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(func() { _ = s.srv.Close() })
	return s
}

// Host is the server's address.
func (s *Server) Host() string { return s.addr.IP.String() }

// Port is the server's port.
func (s *Server) Port() int { return s.addr.Port }

// SetFailing makes every transaction answer 451 (a temporary failure) while true.
func (s *Server) SetFailing(fail bool) {
	s.mu.Lock()
	s.failing = fail
	s.mu.Unlock()
}

// Messages returns everything received so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// Count is how many messages were received for to.
func (s *Server) Count(to string) int {
	n := 0
	for _, m := range s.Messages() {
		for _, r := range m.To {
			if strings.EqualFold(r, to) {
				n++
			}
		}
	}
	return n
}

// LatestCodeFor waits until n messages in all have reached to and returns the code in
// the newest one: the code of the last login, whatever came before it.
func (s *Server) LatestCodeFor(t testing.TB, to string, n int, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for s.Count(to) < n {
		if time.Now().After(deadline) {
			t.Fatalf("mailtest: %d of %d messages for %s within %s", s.Count(to), n, to, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	msgs := s.Messages()
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, r := range msgs[i].To {
			if strings.EqualFold(r, to) {
				if c := sixDigits.FindStringSubmatch(msgs[i].Text); c != nil {
					return c[1]
				}
			}
		}
	}
	t.Fatalf("mailtest: no code for %s", to)
	return ""
}

// WaitFor returns the oldest message for to that no earlier WaitFor returned,
// waiting up to timeout.
func (s *Server) WaitFor(t testing.TB, to string, timeout time.Duration) Received {
	t.Helper()
	return s.waitWhere(t, to, timeout, func(Received) bool { return true })
}

// WaitForText is WaitFor for the oldest message to to whose text holds substr;
// others stay.
func (s *Server) WaitForText(t testing.TB, to, substr string, timeout time.Duration) Received {
	t.Helper()
	return s.waitWhere(t, to, timeout, func(m Received) bool { return strings.Contains(m.Text, substr) })
}

// waitWhere is WaitFor for the oldest such message that match accepts; others stay.
func (s *Server) waitWhere(t testing.TB, to string, timeout time.Duration, match func(Received) bool) Received {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if m, ok := s.take(to, match); ok {
			return m
		}
		select {
		case <-s.arrived:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("mailtest: no message for %s within %s", to, timeout)
		}
	}
}

func (s *Server) take(to string, match func(Received) bool) (Received, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, m := range s.msgs {
		if s.consumed[i] || !match(m) {
			continue
		}
		for _, r := range m.To {
			if strings.EqualFold(r, to) {
				s.consumed[i] = true
				return m, true
			}
		}
	}
	return Received{}, false
}

var sixDigits = regexp.MustCompile(`\b(\d{6})\b`)

// CodeFor waits for the next message to to that carries a 6-digit code (a code mail;
// notices in between stay for WaitFor) and returns the code.
func (s *Server) CodeFor(t testing.TB, to string, timeout time.Duration) string {
	t.Helper()
	m := s.waitWhere(t, to, timeout, func(m Received) bool { return sixDigits.MatchString(m.Text) })
	return sixDigits.FindStringSubmatch(m.Text)[1]
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *Server
	from string
	to   []string
}

var errOutage = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "simulated outage, try later"}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.s.mu.Lock()
	failing := x.s.failing
	x.s.mu.Unlock()
	if failing {
		return errOutage
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := Received{From: x.from, To: x.to, Data: raw}
	m.Subject, m.Text, err = parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "unparseable message: " + err.Error()}
	}
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, m)
	x.s.mu.Unlock()
	select {
	case x.s.arrived <- struct{}{}:
	default:
	}
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

// parse extracts the decoded subject and text/plain body of a message.
func parse(raw []byte) (subject, text string, err error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", "", err
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return "", "", err
	}
	text, err = textPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return subject, text, err
}

func textPart(contentType, encoding string, body io.Reader) (string, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return "", errors.New("no text/plain part")
			}
			if t, err := textPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err == nil {
				return t, nil
			}
		}
	}
	if mt != "text/plain" {
		return "", errors.New("not text/plain")
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	return string(b), err
}
