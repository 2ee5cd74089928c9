package revocation

import (
	"context"
	"strconv"
	"time"

	"github.com/authd/authd/models"
)

// feedOverlap is re-sent to a client still holding a cursor of the earlier, time-based
// form ("t" + Unix microseconds), as that form did; its answer carries a cursor of the
// current form.
const feedOverlap = 5 * time.Second

// feedPage is the most entries one poll returns; More says to poll again at once.
const feedPage = 1000

// Feed is one page of the revocation feed.
type Feed struct {
	Entries []models.Revocation
	Cursor  string // pass as ?since= next time
	More    bool   // the page was full: poll again now
}

// Revocations returns feed entries after cursor (all live ones for ""). Cursors are
// positions in commit order (store.RevocationsAfter), so an entry whose transaction
// committed late, after later entries were read, is still returned; an entry may come
// twice, and clients dedupe by ID. Who may read it is declared on the route: gateways
// and admins.
func (c *Caches) Revocations(ctx context.Context, cursor string) (*Feed, error) {
	pos, since, err := parseCursor(cursor)
	if err != nil {
		return nil, err
	}
	now := c.now()
	if !since.IsZero() {
		return c.legacyRevocations(ctx, since, now)
	}
	rows, next, more, err := c.store.RevocationsAfter(ctx, pos, now, feedPage)
	if err != nil {
		return nil, models.Internal(err)
	}
	return &Feed{Entries: rows, Cursor: formatCursor(next), More: more}, nil
}

// legacyRevocations answers a time-based cursor as before (the entries of the last
// feedOverlap again) and hands out a position from which nothing is missed.
func (c *Caches) legacyRevocations(ctx context.Context, since, now time.Time) (*Feed, error) {
	head, err := c.store.RevocationsHead(ctx)
	if err != nil {
		return nil, models.Internal(err)
	}
	rows, err := c.store.Revocations(ctx, since.Add(-feedOverlap), now, feedPage)
	if err != nil {
		return nil, models.Internal(err)
	}
	return &Feed{Entries: rows, Cursor: formatCursor(head), More: len(rows) == feedPage}, nil
}

// Cursors are "p" + a position: opaque to clients, readable to operators.
func formatCursor(pos int64) string { return "p" + strconv.FormatInt(pos, 10) }

// parseCursor reads a position, or the time of a cursor of the earlier form.
func parseCursor(c string) (int64, time.Time, error) {
	if c == "" {
		return 0, time.Time{}, nil
	}
	bad := models.Invalid("since must be a cursor returned by this endpoint")
	if len(c) < 2 || (c[0] != 'p' && c[0] != 't') {
		return 0, time.Time{}, bad
	}
	n, err := strconv.ParseInt(c[1:], 10, 64)
	if err != nil || n < 0 {
		return 0, time.Time{}, bad
	}
	if c[0] == 't' {
		return 0, time.UnixMicro(n).UTC(), nil
	}
	return n, time.Time{}, nil
}
