package models

import (
	"strings"
	"testing"
)

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ok/plain", "ada@example.com", "ada@example.com"},
		{"ok/trimmed and lowercased", "  Ada.Lovelace+tag@Example.COM ", "ada.lovelace+tag@example.com"},
		{"ok/subdomain and hyphen", "a@mail.ex-ample.co.uk", "a@mail.ex-ample.co.uk"},
		{"fail/empty", "", ""},
		{"fail/no at", "ada.example.com", ""},
		{"fail/two ats", "a@b@example.com", ""},
		{"fail/no dot in domain", "ada@localhost", ""},
		{"fail/trailing dot", "ada@example.com.", ""},
		{"fail/leading dot local", ".ada@example.com", ""},
		{"fail/double dot local", "a..da@example.com", ""},
		{"fail/CRLF header injection", "ada@example.com\r\nBcc: x@evil.example", ""},
		{"fail/SMTP command", "a@b.co>\r\nRCPT TO:<x@evil.example>", ""},
		{"fail/encoded CRLF", "a@b.co%0d%0abcc", ""},
		{"fail/quoted local", `"a b"@example.com`, ""},
		{"fail/display name", "Ada <ada@example.com>", ""},
		{"fail/comment", "ada(x)@example.com", ""},
		{"fail/IP literal", "ada@[127.0.0.1]", ""},
		{"fail/non-ASCII", "adá@example.com", ""},
		{"fail/homoglyph domain", "ada@exаmple.com", ""},
		{"fail/space inside", "a da@example.com", ""},
		{"fail/NUL", "ada\x00@example.com", ""},
		{"fail/label starts with hyphen", "ada@-example.com", ""},
		{"fail/local over 64", strings.Repeat("a", 65) + "@example.com", ""},
		{"fail/over 254", "a@" + strings.Repeat("b", 250) + ".com", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeEmail(tt.in)
			if tt.want == "" {
				if err == nil || KindOf(err) != KindInvalid {
					t.Fatalf("NormalizeEmail(%q) = %q, %v; want an invalid error", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NormalizeEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestNormalizeAliasAndName(t *testing.T) {
	aliases := []struct{ in, want string }{
		{"ada", "ada"}, {"Ada.L_1-x", "ada.l_1-x"}, {"ab", ""}, {strings.Repeat("a", 33), ""},
		{"a b", ""}, {"ad@", ""}, {"ádá", ""}, {"' OR 1=1--", ""},
	}
	for _, a := range aliases {
		got, err := NormalizeAlias(a.in)
		if (a.want == "") != (err != nil) || got != a.want {
			t.Errorf("NormalizeAlias(%q) = %q, %v; want %q", a.in, got, err, a.want)
		}
	}
	names := []struct{ in, want string }{
		{"Ada Lovelace", "Ada Lovelace"}, {"  Zoë  ", "Zoë"}, {"", ""}, {"   ", ""},
		{"a\nb", ""}, {"a\x1b[31m", ""}, {strings.Repeat("é", 100), strings.Repeat("é", 100)},
		{strings.Repeat("é", 101), ""}, {"\xff", ""},
	}
	for _, n := range names {
		got, err := NormalizeFullName(n.in)
		if (n.want == "") != (err != nil) || got != n.want {
			t.Errorf("NormalizeFullName(%q) = %q, %v; want %q", n.in, got, err, n.want)
		}
	}
}

func TestParseID(t *testing.T) {
	for in, ok := range map[string]bool{
		"0b5cf3a8-7a2f-4b59-9d3c-1f0e0c6a9d11":   true,
		"0B5CF3A8-7A2F-4B59-9D3C-1F0E0C6A9D11":   false,
		"{0b5cf3a8-7a2f-4b59-9d3c-1f0e0c6a9d11}": false,
		"0b5cf3a87a2f4b599d3c1f0e0c6a9d11":       false,
		"00000000-0000-0000-0000-000000000000":   false,
		"' OR 1=1":                               false,
		"":                                       false,
	} {
		if _, err := ParseID(in, "id"); (err == nil) != ok {
			t.Errorf("ParseID(%q) err = %v, want ok=%v", in, err, ok)
		}
	}
}

func TestValidCodeShape(t *testing.T) {
	for in, ok := range map[string]bool{
		"000000": true, "123456": true, "00012": false, "1234567": false, "12 345": false,
		"١٢٣٤٥٦": false, "１２３４５６": false, "12345a": false, "": false,
	} {
		if ValidCodeShape(in) != ok {
			t.Errorf("ValidCodeShape(%q) != %v", in, ok)
		}
	}
}
