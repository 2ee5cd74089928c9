package handlers

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/authd/authd/models"
)

// FuzzDecode: request decoding never panics, refuses with 400 or 413 only, and what it
// accepts is a single object of exactly the request's fields.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{`{"email":"a@b.co","fullName":"Ada","alias":"ada"}`, `{}`, `{"email":1}`,
		`{"EMAIL":"x"}`, `{"email":"a","email":"b"}`, `{"email":"a"} {}`, `[]`, `null`, `{"roles":["admin"]}`,
		`{"email":"\u0000"}`, `{"email":"a\r\nBcc: x@evil"}`, `{"a":{"b":{"c":[[[[[]]]]]}}}`, "\xff\xfe", ``} {
		f.Add([]byte(seed))
	}
	d := &decoder{maxBytes: 4096}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/user", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var got registerRequest
		err := d.decode(httptest.NewRecorder(), r, &got)
		if err != nil {
			if k := models.KindOf(err); k != models.KindInvalid && k != models.KindTooLarge {
				t.Fatalf("%q: kind %v", body, k)
			}
			return
		}
		var keys map[string]json.RawMessage
		if json.Unmarshal(body, &keys) != nil {
			t.Fatalf("accepted what is not one JSON object: %q", body)
		}
		for k := range keys {
			if k != "email" && k != "fullName" && k != "alias" {
				t.Fatalf("accepted unknown field %q", k)
			}
		}
	})
}
