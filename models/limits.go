package models

import (
	"time"

	"github.com/uptrace/bun"
)

// RateCounter counts hits on one bucket in one fixed window. Bucket names are keyed
// hashes, so the table holds no address or IP in clear.
type RateCounter struct {
	bun.BaseModel `bun:"table:rate_counters"`

	Bucket      string    `bun:"bucket,pk"`
	WindowStart time.Time `bun:"window_start,pk"`
	Hits        int       `bun:"hits,notnull"`
	ExpiresAt   time.Time `bun:"expires_at,notnull"`
}

// RateHit is one hit to count on a rate counter: the bucket, the window the hit falls
// in (it starts at WindowStart and its row expires at ExpiresAt) and the most hits the
// window allows.
type RateHit struct {
	Bucket                 string
	WindowStart, ExpiresAt time.Time
	Max                    int
}
