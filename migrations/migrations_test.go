package migrations_test

import (
	"io/fs"
	"slices"
	"testing"

	"github.com/authd/authd/migrations"
)

// Every dialect must carry the same migration names, so both databases always have
// the same schema history.
func TestDialectsHaveTheSameMigrations(t *testing.T) {
	var want []string
	for i, d := range migrations.Dialects() {
		fsys, err := migrations.FS(d)
		if err != nil {
			t.Fatal(err)
		}
		names, err := fs.Glob(fsys, "*.sql")
		if err != nil || len(names) == 0 {
			t.Fatalf("%s: no migrations (%v)", d, err)
		}
		if i == 0 {
			want = names
			continue
		}
		if !slices.Equal(names, want) {
			t.Errorf("%s migrations %v differ from %v", d, names, want)
		}
	}
}
