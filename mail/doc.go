// Package mail delivers authd's messages: it renders verification-code emails from
// embedded templates (plain text and HTML), sends them through a Driver (smtp, or log
// for development), and queues them so no request ever waits for a mail server. A
// failed delivery is retried with backoff until the message's deadline.
package mail
