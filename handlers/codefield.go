package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/authd/authd/models"
)

// codeField is a verification code as clients send it: a JSON string, or a JSON
// integer of at most six digits (the ThreatWinds pages type the code as an integer),
// read with its leading zeros, so 12345 is "012345". Anything else (a fraction, an
// exponent, a sign, more digits, another type) is a 400 and spends no attempt.
type codeField string

var errCodeShape = models.Invalid("code must be 6 digits, as a string or an integer")

func (c *codeField) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return errCodeShape
		}
		*c = codeField(s)
		return nil
	}
	if len(b) == 0 || len(b) > 6 || bytes.ContainsFunc(b, func(r rune) bool { return r < '0' || r > '9' }) {
		return errCodeShape
	}
	n := 0
	for _, d := range b {
		n = n*10 + int(d-'0')
	}
	*c = codeField(fmt.Sprintf("%06d", n))
	return nil
}
