package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one email ready to send.
type Message struct {
	To, Subject, Text, HTML string
	NotAfter                time.Time // give up delivering after this
}

// Driver sends one message, or fails so the queue can retry.
type Driver interface {
	Send(ctx context.Context, m Message) error
}

// errHeaderInjection refuses addresses that could smuggle SMTP headers or commands.
// Upstream validation already refuses them; this is the second wall.
var errHeaderInjection = errors.New("recipient contains forbidden characters")

func safeRecipient(to string) error {
	if to == "" || strings.ContainsAny(to, "\r\n<>,;\x00 ") {
		return errHeaderInjection
	}
	return nil
}

// logDriver prints messages to the log instead of sending them. It is the one place a
// code is ever logged, which is why it is for development only.
type logDriver struct {
	log  *slog.Logger
	from string
}

// NewLogDriver returns the development driver.
func NewLogDriver(log *slog.Logger, from string) Driver { return &logDriver{log: log, from: from} }

func (d *logDriver) Send(ctx context.Context, m Message) error {
	if err := safeRecipient(m.To); err != nil {
		return err
	}
	d.log.InfoContext(ctx, "development mail driver", "from", d.from, "to", m.To, "subject", m.Subject, "text", m.Text)
	return nil
}

// SMTPOptions configures the smtp driver.
type SMTPOptions struct {
	Host               string
	Port               int
	Username, Password string
	TLS                string // "none", "starttls" or "tls"
	From               string
	Timeout            time.Duration
}

type smtpDriver struct{ o SMTPOptions }

// NewSMTPDriver returns a driver that sends through an SMTP relay.
func NewSMTPDriver(o SMTPOptions) (Driver, error) {
	switch o.TLS {
	case "none", "starttls", "tls":
	default:
		return nil, fmt.Errorf("smtp tls must be none, starttls or tls, not %q", o.TLS)
	}
	if o.Host == "" {
		return nil, errors.New("smtp host is required")
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	return &smtpDriver{o: o}, nil
}

func (d *smtpDriver) clientOptions() []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(d.o.Port), gomail.WithTimeout(d.o.Timeout)}
	switch d.o.TLS {
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	}
	if d.o.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(d.o.Username), gomail.WithPassword(d.o.Password))
	}
	return opts
}

func (d *smtpDriver) Send(ctx context.Context, m Message) error {
	if err := safeRecipient(m.To); err != nil {
		return err
	}
	msg := gomail.NewMsg()
	if err := msg.From(d.o.From); err != nil {
		return fmt.Errorf("from address: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("recipient: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	client, err := gomail.NewClient(d.o.Host, d.clientOptions()...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		// go-mail's errors name the server's reply, never our password.
		return fmt.Errorf("smtp %s:%d: %w", d.o.Host, d.o.Port, err)
	}
	return nil
}
