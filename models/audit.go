package models

import (
	"time"

	"github.com/uptrace/bun"
)

// Audit actions: security events worth keeping. Details never hold secrets or codes.
const (
	AuditLogin          = "session.login"
	AuditLogout         = "session.logout"
	AuditConsentGranted = "consent.granted"
	AuditConsentRevoked = "consent.revoked"
	AuditCodeExhausted  = "code.exhausted"
	AuditCodeWrong      = "code.wrong" // a wrong code for a known account that left the code alive
	AuditKeyPairCreated = "keypair.created"
	AuditKeyPairVerify  = "keypair.verified"
	AuditKeyPairDeleted = "keypair.deleted"
	AuditKeyPairFailed  = "keypair.failed" // a real API key with a wrong secret, or unusable
	AuditTokenIssued    = "token.issued"   // client_credentials
	AuditEmailAdded     = "email.added"
	AuditEmailVerified  = "email.verified"
	AuditEmailRemoved   = "email.removed"
	AuditEmailPreferred = "email.preferred"
	AuditRoleGranted    = "role.granted"
	AuditRoleRevoked    = "role.revoked"
	AuditUserDisabled   = "user.disabled"
	AuditUserEnabled    = "user.enabled"
	AuditUserDeleted    = "user.deleted"
	AuditUserCreated    = "user.created"
	AuditRefreshReuse   = "refresh.reuse"
	AuditCodeReuse      = "code.reuse" // an app's authorization code presented twice
	AuditEventReplay    = "event.replayed"
	AuditAdminSession   = "admin.session"
	// AuditUserVerification is an admin setting the identity-verified flag by hand.
	AuditUserVerification = "user.verification"
	// AuditVerificationReset is an admin giving a user their verification attempts back.
	AuditVerificationReset = "verification.reset"
	// AuditVerificationRevoked is an admin withdrawing a verification and its KYC fields.
	AuditVerificationRevoked = "verification.revoked"
	// AuditSigningKeyRevoked is a signing key withdrawn at once (compromised).
	AuditSigningKeyRevoked = "signingkey.revoked"
)

// ActorOperator is the actor of actions taken with the operator CLI.
const ActorOperator = "operator"

// AuditEvent is one row of the audit log. ActorID is who acted (a user ID, or
// ActorOperator), TargetID what was acted on (usually a user ID).
type AuditEvent struct {
	bun.BaseModel `bun:"table:audit_log"`

	ID        string    `bun:"id,pk"`
	At        time.Time `bun:"at,notnull"`
	Action    string    `bun:"action,notnull"`
	ActorID   string    `bun:"actor_id,notnull"`
	TargetID  string    `bun:"target_id,notnull"`
	IP        string    `bun:"ip,notnull"`
	UserAgent string    `bun:"user_agent,notnull"`
	Detail    string    `bun:"detail,notnull"`
}
