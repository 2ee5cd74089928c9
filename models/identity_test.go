package models

import "testing"

// TestAcceptsStripe pins the order Stripe events may move an attempt in.
func TestAcceptsStripe(t *testing.T) {
	cases := []struct {
		from, screening, to string
		want                bool
	}{
		{VerificationRequiresInput, "", VerificationProcessing, true},
		{VerificationRequiresInput, "", VerificationFailed, true},
		{VerificationRequiresInput, "", VerificationScreening, true},
		{VerificationProcessing, "", VerificationRequiresInput, false},
		{VerificationProcessing, "", VerificationCanceled, true},
		{VerificationFailed, "", VerificationProcessing, false},
		{VerificationFailed, "", VerificationCanceled, false},
		{VerificationFailed, "", VerificationScreening, true}, // the user retried within the session
		{VerificationCanceled, "", VerificationScreening, false},
		{VerificationScreening, ScreeningPending, VerificationFailed, false},
		{VerificationVerified, ScreeningClear, VerificationCanceled, false},
		{VerificationFailed, ScreeningHit, VerificationScreening, false}, // a screening hit is final
		{VerificationRevoked, ScreeningClear, VerificationScreening, false},
		{VerificationRevoked, "", VerificationScreening, false},
		{VerificationRequiresInput, "", "bogus", false},
	}
	for _, c := range cases {
		v := IdentityVerification{Status: c.from, Screening: c.screening}
		if got := v.AcceptsStripe(c.to); got != c.want {
			t.Errorf("%s (screening %q) -> %s = %v, want %v", c.from, c.screening, c.to, got, c.want)
		}
	}
}
