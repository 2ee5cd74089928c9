package revocation

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/authd/authd/models"
)

// feedOverlap is re-sent on every poll: an entry whose transaction committed up to
// this long after its timestamp is still seen. Clients dedupe entries by ID.
const feedOverlap = 5 * time.Second

// feedPage is the most entries one poll returns; More says to poll again at once.
const feedPage = 1000

// Feed is one page of the revocation feed.
type Feed struct {
	Entries []models.Revocation
	Cursor  string // pass as ?since= next time
	More    bool   // the page was full: poll again now
}

// Revocations returns feed entries since cursor (all live ones for ""). Who may read
// it is declared on the route: gateways and admins.
func (c *Caches) Revocations(ctx context.Context, cursor string) (*Feed, error) {
	since, err := parseCursor(cursor)
	if err != nil {
		return nil, err
	}
	now := c.now()
	if !since.IsZero() {
		since = since.Add(-feedOverlap)
	}
	rows, err := c.store.Revocations(ctx, since, now, feedPage)
	if err != nil {
		return nil, models.Internal(err)
	}
	f := &Feed{Entries: rows, Cursor: formatCursor(now)}
	if len(rows) == feedPage {
		f.More = true
		f.Cursor = formatCursor(rows[len(rows)-1].CreatedAt.Add(feedOverlap))
	}
	return f, nil
}

// Cursors are "t" + Unix microseconds: opaque to clients, readable to operators.
func formatCursor(t time.Time) string { return "t" + strconv.FormatInt(t.UnixMicro(), 10) }

func parseCursor(c string) (time.Time, error) {
	if c == "" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(c, "t"), 10, 64)
	if err != nil || !strings.HasPrefix(c, "t") || n < 0 {
		return time.Time{}, models.Invalid("since must be a cursor returned by this endpoint")
	}
	return time.UnixMicro(n).UTC(), nil
}
