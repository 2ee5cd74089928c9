package models

import "time"

// CodeEmail is a verification code on its way to an address. It carries the plain
// code, so it must never be logged except by the development log driver.
type CodeEmail struct {
	To        string    // normalised address
	Code      string    // 6 digits
	Purpose   string    // PurposeSession, PurposeEmail or PurposeKeyPair
	Register  bool      // first login of a new account: the message welcomes them
	ExpiresAt time.Time // the code dies then; undelivered mail is dropped after it
}

// InviteEmail tells someone a partner opened an account for them. It holds no code:
// the person logs in through the usual email-code flow.
type InviteEmail struct {
	To        string
	FullName  string
	PortalURL string
	Partner   string // the inviting partner's alias
}

// NoticeEmail tells an account's address of a change to its credentials: what, when
// and from which client, so its owner can react to a change they did not make.
type NoticeEmail struct {
	To        string
	What      string // one sentence, e.g. "The address b@example.com became your preferred address."
	At        time.Time
	IP        string
	UserAgent string
}
