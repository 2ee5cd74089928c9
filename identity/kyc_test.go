package identity

import (
	"bytes"
	"testing"

	"github.com/authd/authd/keys"
)

func TestDeriveNationality(t *testing.T) {
	cases := []struct{ doc, issuing, want string }{
		{"passport", "FR", "FRA"},
		{"passport", "gb", "GBR"},
		{"id_card", "DE", "DEU"},
		{"driving_license", "US", ""}, // issued where one lives, not by nationality
		{"passport", "", ""},
		{"passport", "XX", ""},
		{"passport", "XK", "XKX"},
		{"passport", "FRA", ""}, // alpha-3 where alpha-2 is due: not trusted
		{"", "FR", ""},
	}
	for _, c := range cases {
		if got := deriveNationality(c.doc, c.issuing); got != c.want {
			t.Errorf("deriveNationality(%q, %q) = %q, want %q", c.doc, c.issuing, got, c.want)
		}
	}
}

func TestRecordFromPrefersVerifiedOutputs(t *testing.T) {
	doc := Person{FirstName: "Jenny", LastName: "Rosen", DOB: Date{1990, 2, 1},
		Address: Address{Line1: "1 Doc St", City: "Paris", Country: "FR"}}
	cases := []struct {
		name    string
		outputs Person
		want    record
	}{
		{"report only", Person{}, record{FirstName: "Jenny", LastName: "Rosen", DOB: Date{1990, 2, 1},
			KYC: KYC{Country: "FR", DateOfBirth: "1990-02-01T00:00:00Z", AddressLine1: "1 Doc St", City: "Paris", Nationality: "FRA"}}},
		{"outputs win field by field", Person{FirstName: "Jennifer", DOB: Date{1991, 12, 31},
			Address: Address{Line1: "2 Out Ave", Line2: "Apt 3", City: "Lyon", State: "ARA", PostalCode: "69001", Country: "fr"}},
			record{FirstName: "Jennifer", LastName: "Rosen", DOB: Date{1991, 12, 31},
				KYC: KYC{Country: "FR", DateOfBirth: "1991-12-31T00:00:00Z", AddressLine1: "2 Out Ave", AddressLine2: "Apt 3",
					City: "Lyon", State: "ARA", PostalCode: "69001", Nationality: "FRA"}}},
		{"an impossible date is dropped", Person{DOB: Date{1990, 2, 30}}, record{FirstName: "Jenny", LastName: "Rosen", DOB: Date{1990, 2, 1},
			KYC: KYC{Country: "FR", DateOfBirth: "1990-02-01T00:00:00Z", AddressLine1: "1 Doc St", City: "Paris", Nationality: "FRA"}}},
		{"unknown country code", Person{Address: Address{Line1: "x", Country: "ZZ"}}, record{FirstName: "Jenny", LastName: "Rosen",
			DOB: Date{1990, 2, 1}, KYC: KYC{DateOfBirth: "1990-02-01T00:00:00Z", AddressLine1: "x", Nationality: "FRA"}}},
	}
	for _, c := range cases {
		got := recordFrom(&Verified{Status: "verified", Outputs: c.outputs, Document: doc, DocumentType: "passport", IssuingCountry: "FR"})
		if got != c.want {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, got, c.want)
		}
	}
}

func TestDateValid(t *testing.T) {
	for d, want := range map[Date]bool{{2000, 2, 29}: true, {1999, 2, 29}: false, {1990, 13, 1}: false,
		{1990, 1, 0}: false, {0, 1, 1}: false, {1849, 1, 1}: false, {2024, 12, 31}: true} {
		if d.valid() != want {
			t.Errorf("%+v valid = %v", d, !want)
		}
	}
}

// TestSealedKYC: fields are unreadable at rest, open only for the user they were
// sealed for, and never print.
func TestSealedKYC(t *testing.T) {
	sec, err := keys.NewSecrets(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	s := New(nil, nil, nil, sec, Options{})
	r := record{FirstName: "Jenny", LastName: "Rosen", KYC: KYC{City: "San Francisco", Country: "US"}}
	k, err := s.seal("user-1", "ver-1", r)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(k.Sealed, []byte("San Francisco")) || k.SealKeyID == "" || k.UserID != "user-1" || k.VerificationID != "ver-1" {
		t.Fatalf("sealed: %+v", k)
	}
	got, err := s.open(k)
	if err != nil || got != r {
		t.Fatalf("open: %v %+v", err, got)
	}
	moved := *k
	moved.UserID = "user-2"
	if _, err := s.open(&moved); err == nil {
		t.Fatal("a sealed record opened for another user")
	}
	if v := r.KYC.LogValue().String(); v != "[kyc redacted]" || r.LogValue().String() != "[kyc redacted]" {
		t.Fatalf("LogValue %q", v)
	}
}
