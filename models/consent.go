package models

import (
	"time"

	"github.com/uptrace/bun"
)

// Consent is what a person allowed one third-party app: the scopes it may ask for
// without asking them again.
type Consent struct {
	bun.BaseModel `bun:"table:oauth_consents"`

	UserID    string    `bun:"user_id,pk"`
	ClientID  string    `bun:"client_id,pk"`
	Scopes    []string  `bun:"scopes,notnull"`
	CreatedAt time.Time `bun:"created_at,notnull"`
	UpdatedAt time.Time `bun:"updated_at,notnull"`
}
