package limits

import (
	"testing"
	"time"
)

func TestCodeDelay(t *testing.T) {
	for run, want := range map[int]time.Duration{0: 0, 9: 0, 10: time.Minute, 11: 2 * time.Minute, 15: 32 * time.Minute,
		16: time.Hour, 40: time.Hour, 99: time.Hour, 100: 24 * time.Hour, 250: 24 * time.Hour} {
		if got := codeDelay(run); got != want {
			t.Errorf("codeDelay(%d) = %s, want %s", run, got, want)
		}
	}
}
