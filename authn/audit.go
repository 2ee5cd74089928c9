package authn

import (
	"context"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/models"
)

// AuditStore appends to the audit log.
type AuditStore interface {
	RecordAudit(ctx context.Context, e *models.AuditEvent) error
}

// Actor is who performs an audited action and from where.
type Actor struct {
	ID     string // a user ID, or models.ActorOperator
	Client Client
}

// RecordAudit appends an event. A failure is logged, not returned: the action it
// describes has already happened and must not be reported as failed.
func RecordAudit(ctx context.Context, st AuditStore, log *slog.Logger, at time.Time, action string, actor Actor, targetID, detail string) {
	e := NewAuditEvent(at, action, actor, targetID, detail)
	if err := st.RecordAudit(ctx, &e); err != nil {
		log.ErrorContext(ctx, "write audit event", "action", action, "target_id", targetID, "err", err)
	}
}

// NewAuditEvent builds an audit row, to record now or to write with a change (Effects).
func NewAuditEvent(at time.Time, action string, actor Actor, targetID, detail string) models.AuditEvent {
	id, err := uuid.NewV7() // time-ordered, so events of one instant keep their order
	if err != nil {
		id = uuid.New()
	}
	return models.AuditEvent{ID: id.String(), At: at, Action: action, ActorID: actor.ID, TargetID: targetID,
		IP: actor.Client.IP, UserAgent: actor.Client.UserAgent, Detail: detail}
}

// Auditor records audit events with one clock and logger.
type Auditor struct {
	store AuditStore
	log   *slog.Logger
	now   func() time.Time
}

// NewAuditor builds an auditor over st.
func NewAuditor(st AuditStore, log *slog.Logger, now func() time.Time) *Auditor {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Auditor{store: st, log: log, now: now}
}

// Record appends an action of actor on targetID (a failure is logged, see RecordAudit).
func (a *Auditor) Record(ctx context.Context, action string, actor Actor, targetID, detail string) {
	RecordAudit(ctx, a.store, a.log, a.now().UTC().Truncate(time.Microsecond), action, actor, targetID, detail)
}

// Own records an action of the caller on their own account.
func (a *Auditor) Own(ctx context.Context, p *Principal, action, detail string) {
	a.Record(ctx, action, p.Actor(), p.UserID, detail)
}
