package account

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

// recordAudit appends an event. A failure is logged, not returned: the action it
// describes has already happened and must not be reported as failed.
func recordAudit(ctx context.Context, st AuditStore, log *slog.Logger, at time.Time, action string, actor Actor, targetID, detail string) {
	e := newAuditEvent(at, action, actor, targetID, detail)
	if err := st.RecordAudit(ctx, &e); err != nil {
		log.ErrorContext(ctx, "write audit event", "action", action, "target_id", targetID, "err", err)
	}
}

// audit records an action of the caller on their own account.
func (s *Service) audit(ctx context.Context, p *Principal, action, detail string) {
	recordAudit(ctx, s.store, s.o.Logger, s.now(), action, Actor{ID: p.UserID, Client: p.Client}, p.UserID, detail)
}

// newAuditEvent builds an audit row, to record now or to write with a change (Effects).
func newAuditEvent(at time.Time, action string, actor Actor, targetID, detail string) models.AuditEvent {
	id, err := uuid.NewV7() // time-ordered, so events of one instant keep their order
	if err != nil {
		id = uuid.New()
	}
	return models.AuditEvent{ID: id.String(), At: at, Action: action, ActorID: actor.ID, TargetID: targetID,
		IP: actor.Client.IP, UserAgent: actor.Client.UserAgent, Detail: detail}
}
