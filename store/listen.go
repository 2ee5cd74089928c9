package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listen calls notify each time another connection commits change-feed entries, until
// ctx ends. It holds one Postgres connection of its own (LISTEN needs a session) and
// reconnects after a failure; on SQLite there is nothing to listen to and it returns
// at once, so callers keep polling (they should anyway: a notification can be lost
// while the connection is down).
func (s *Store) Listen(ctx context.Context, notify func()) {
	if s.dialect != Postgres {
		return
	}
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		if err := s.listenOnce(ctx, notify); err == nil || ctx.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

func (s *Store) listenOnce(ctx context.Context, notify func()) error {
	conn, err := pgx.Connect(ctx, s.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.channel}.Sanitize()); err != nil {
		return err
	}
	notify() // anything committed while we were not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		notify()
	}
}
