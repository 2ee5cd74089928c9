package web

import (
	"regexp"
	"testing"
)

// The stylesheet's own colours meet WCAG 2.2's contrast minimums (4.5:1 for text,
// 3:1 for a field's border and the focus ring), read from static/authd.css itself so
// that a change of palette is checked; New checks an operator's accent the same way.
func TestPaletteContrast(t *testing.T) {
	css, err := staticFS.ReadFile("static/authd.css")
	if err != nil {
		t.Fatal(err)
	}
	colour := func(pattern string) string {
		m := regexp.MustCompile(pattern + `\s*#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b`).FindSubmatch(css)
		if m == nil {
			t.Fatalf("authd.css has no colour for %s", pattern)
		}
		if h := m[1]; len(h) == 3 { // #rgb is #rrggbb
			return string([]byte{'#', h[0], h[0], h[1], h[1], h[2], h[2]})
		}
		return "#" + string(m[1])
	}
	fg, muted, bg, card, accent := colour(`--fg:`), colour(`--muted:`), colour(`--bg:`), colour(`--card:`), colour(`--accent:`)
	for _, c := range []struct {
		what    string
		fg, bg  string
		minimum float64
	}{
		{"text on the card", fg, card, 4.5},
		{"text on the page", fg, bg, 4.5},
		{"muted text on the card", muted, card, 4.5},
		{"links (the default accent) on the card", accent, card, 4.5},
		{"button text on the default accent", colour(`button \{[^}]*[^-]color:`), accent, 4.5},
		{"an error's text on its box", colour(`\.error \{ color:`), colour(`\.error \{[^}]*background:`), 4.5},
		{"a field's border on the card", colour(`input\[type=email\][^{]*\{[^}]*border: 1px solid`), card, 3},
		{"the focus ring (the default accent) on the card", accent, card, 3},
	} {
		if got := contrast(c.fg, c.bg); got < c.minimum {
			t.Errorf("%s: %s on %s is %.2f:1, under %.1f:1", c.what, c.fg, c.bg, got, c.minimum)
		}
	}
	if got := contrast("#000000", "#ffffff"); got < 20.99 || got > 21.01 {
		t.Errorf("black on white is %.2f:1, want 21:1", got)
	}
	if got := contrast("#777777", "#ffffff"); got < 4.47 || got > 4.49 { // WCAG's known near miss
		t.Errorf("#777 on white is %.2f:1, want 4.48:1", got)
	}
}
