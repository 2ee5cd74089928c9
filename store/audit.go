package store

import (
	"context"

	"github.com/authd/authd/models"
)

// RecordAudit appends one event to the audit log.
func (s *Store) RecordAudit(ctx context.Context, e *models.AuditEvent) error {
	_, err := s.db.NewInsert().Model(e).Exec(ctx)
	return translate(err)
}

// ListAudit returns a page of the audit log, newest first, optionally only events whose
// actor or target is userID, and the total count.
func (s *Store) ListAudit(ctx context.Context, userID string, limit, offset int) ([]models.AuditEvent, int, error) {
	var out []models.AuditEvent
	q := s.db.NewSelect().Model(&out)
	if userID != "" {
		q = q.Where("target_id = ? OR actor_id = ?", userID, userID)
	}
	total, err := q.Order("at DESC", "id DESC").Limit(int64(limit)).Offset(int64(offset)).ScanAndCount(ctx)
	return out, int(total), translate(err)
}
