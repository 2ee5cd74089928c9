package store

import (
	"context"
	"fmt"
)

// invariants are facts every committed transaction keeps; a row breaking one means a
// multi-step write was half applied. Each query counts the offending rows.
var invariants = []struct{ name, query string }{
	{"users without an email address", `SELECT count(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM emails e WHERE e.user_id = u.id)`},
	{"users without the user role", `SELECT count(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'user')`},
	{"login codes without their session", `SELECT count(*) FROM verification_codes c WHERE c.purpose = 'session' AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = c.subject_id)`},
	{"verified sessions whose code is unused", `SELECT count(*) FROM sessions s JOIN verification_codes c ON c.subject_id = s.id AND c.purpose = 'session' WHERE s.verified_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM verification_codes u WHERE u.subject_id = s.id AND u.used_at IS NOT NULL)`},
	{"event deliveries without their event", `SELECT count(*) FROM event_deliveries d WHERE NOT EXISTS (SELECT 1 FROM outbox_events e WHERE e.id = d.event_id)`},
	{"more than one active signing key of one algorithm", `SELECT count(*) FROM (SELECT algorithm FROM signing_keys WHERE state = 'active' GROUP BY algorithm HAVING count(*) > 1) AS rings`},
}

// CheckIntegrity runs the engine's own check (SQLite) and authd's invariants and
// returns what is wrong; empty means the database is sound. Tests run it after a
// kill -9; operators can too.
func (s *Store) CheckIntegrity(ctx context.Context) ([]string, error) {
	var problems []string
	if s.dialect == SQLite {
		var res string
		if err := s.db.NewRaw("PRAGMA integrity_check").Scan(ctx, &res); err != nil {
			return nil, translate(err)
		}
		if res != "ok" {
			problems = append(problems, "sqlite integrity_check: "+res)
		}
		rows, err := s.db.QueryContext(ctx, "PRAGMA foreign_key_check")
		if err != nil {
			return nil, translate(err)
		}
		bad := 0
		for rows.Next() {
			bad++
		}
		if err := rows.Close(); err != nil {
			return nil, translate(err)
		}
		if bad > 0 {
			problems = append(problems, fmt.Sprintf("%d rows break a foreign key", bad))
		}
	}
	for _, inv := range invariants {
		var n int
		if err := s.db.NewRaw(inv.query).Scan(ctx, &n); err != nil {
			return nil, fmt.Errorf("%s: %w", inv.name, translate(err))
		}
		if n > 0 {
			problems = append(problems, fmt.Sprintf("%d %s", n, inv.name))
		}
	}
	return problems, nil
}
