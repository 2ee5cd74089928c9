package identity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/biter777/countries"

	"github.com/authd/authd/models"
)

// KYC are the identity fields API.md names, filled from a verified document.
type KYC struct {
	Country      string // ISO 3166-1 alpha-2, of the address
	DateOfBirth  string // RFC 3339, midnight UTC
	AddressLine1 string
	AddressLine2 string
	City         string
	State        string
	PostalCode   string
	Nationality  string // ISO 3166-1 alpha-3; see deriveNationality
}

// LogValue keeps the fields out of any log line that names a KYC by mistake.
func (KYC) LogValue() slog.Value { return slog.StringValue("[kyc redacted]") }

// record is what is sealed: the API fields plus what screening needs again later
// (names and the date's parts), so a screening retried after a restart has them.
type record struct {
	KYC                 KYC
	FirstName, LastName string
	DOB                 Date
}

// LogValue: see KYC.LogValue.
func (record) LogValue() slog.Value { return slog.StringValue("[kyc redacted]") }

// recordFrom merges a verified session's sources field by field, preferring Stripe's
// verified outputs over what the document report read.
func recordFrom(v *Verified) record {
	o, d := v.Outputs, v.Document
	addr := o.Address
	if addr == (Address{}) {
		addr = d.Address
	}
	dob := o.DOB
	if !dob.valid() {
		dob = d.DOB
	}
	r := record{FirstName: first(o.FirstName, d.FirstName), LastName: first(o.LastName, d.LastName), DOB: dob}
	r.KYC = KYC{Country: alpha2(addr.Country), AddressLine1: addr.Line1, AddressLine2: addr.Line2, City: addr.City,
		State: addr.State, PostalCode: addr.PostalCode, Nationality: deriveNationality(v.DocumentType, v.IssuingCountry)}
	if dob.valid() {
		r.KYC.DateOfBirth = time.Date(dob.Year, time.Month(dob.Month), dob.Day, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)
	}
	return r
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// valid reports whether the date is a real calendar date.
func (d Date) valid() bool {
	if d.Year < 1850 || d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	t := time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
	return t.Day() == d.Day && t.Month() == time.Month(d.Month)
}

// alpha2 normalises an ISO 3166-1 alpha-2 code (Kosovo's XK included, as Stripe
// uses it), or gives "" for anything else, placeholders such as XX included.
func alpha2(code string) string {
	code = strings.ToUpper(code)
	c := countries.ByName(code)
	if len(code) != 2 || !c.IsValid() || c == countries.None || c == countries.International ||
		c.Alpha2() != code || len(c.Alpha3()) != 3 {
		return ""
	}
	return code
}

// deriveNationality is the rule for the nationality field, since Stripe reports none:
// a passport or national identity card is issued by the holder's country of
// nationality, so its issuing country (as ISO 3166-1 alpha-3) is taken as the
// nationality; a driving licence is issued where one lives, whatever one's
// nationality, so it gives none and the field stays empty.
func deriveNationality(documentType, issuingCountry string) string {
	if documentType != "passport" && documentType != "id_card" {
		return ""
	}
	if a2 := alpha2(issuingCountry); a2 != "" {
		return countries.ByName(a2).Alpha3()
	}
	return ""
}

// seal encrypts a record, bound to its user so it cannot be moved to another row.
func (s *Service) seal(userID, verificationID string, r record) (*models.SealedKYC, error) {
	plain, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	sealed, keyID, err := s.sealer.Seal(plain, []byte("kyc/"+userID))
	if err != nil {
		return nil, err
	}
	return &models.SealedKYC{UserID: userID, VerificationID: verificationID, Sealed: sealed, SealKeyID: keyID, UpdatedAt: s.now()}, nil
}

func (s *Service) open(k *models.SealedKYC) (record, error) {
	var r record
	plain, err := s.sealer.Open(k.Sealed, k.SealKeyID, []byte("kyc/"+k.UserID))
	if err != nil {
		return r, fmt.Errorf("open sealed KYC of user %s: %w", k.UserID, err)
	}
	return r, json.Unmarshal(plain, &r)
}

// kycOf opens a user's stored fields; none stored gives empty fields.
func (s *Service) kycOf(ctx context.Context, userID string) (KYC, error) {
	k, err := s.store.KYC(ctx, userID)
	if errors.Is(err, models.ErrNotFound) {
		return KYC{}, nil
	}
	if err != nil {
		return KYC{}, models.Internal(err)
	}
	r, err := s.open(k)
	if err != nil {
		return KYC{}, models.Internal(err)
	}
	return r.KYC, nil
}

// KYCOf returns the stored identity fields of those users that have them, for admin
// views of users.
func (s *Service) KYCOf(ctx context.Context, userIDs []string) (map[string]KYC, error) {
	rows, err := s.store.KYCs(ctx, userIDs)
	if err != nil {
		return nil, models.Internal(err)
	}
	out := make(map[string]KYC, len(rows))
	for i := range rows {
		r, err := s.open(&rows[i])
		if err != nil {
			return nil, models.Internal(err)
		}
		out[rows[i].UserID] = r.KYC
	}
	return out, nil
}
