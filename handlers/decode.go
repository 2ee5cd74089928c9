package handlers

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"sync"

	"github.com/authd/authd/models"
)

// decoder reads JSON request bodies strictly: JSON content type only (415), at most
// maxBytes (413), one object whose keys are exactly the request type's json names,
// each once (encoding/json alone would accept "EMAIL" for "email" and let a repeated
// key win silently), no unknown fields, nothing after the object. Parser messages
// are never echoed: they can quote the client's input.
type decoder struct {
	maxBytes int64
	fields   sync.Map // reflect.Type -> map[string]bool
}

func (d *decoder) decode(w http.ResponseWriter, r *http.Request, dst any) error {
	body, err := d.raw(w, r)
	if err != nil {
		return err
	}
	if err := d.checkKeys(body, reflect.TypeOf(dst).Elem()); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return models.Invalid("request body must be a single JSON object")
	}
	return nil
}

// raw reads a JSON body as bytes, for callers that must see it exactly as sent (a
// signed webhook): JSON content type only (415), at most maxBytes (413), not empty.
func (d *decoder) raw(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, models.E(models.KindUnsupportedMedia, "Content-Type must be application/json")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, d.maxBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, models.E(models.KindTooLarge, "request body is too large")
		}
		return nil, models.Wrap(models.KindInvalid, "could not read request body", err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, models.Invalid("request body is required")
	}
	return body, nil
}

func decodeError(err error) error {
	var ours *models.Error
	if errors.As(err, &ours) {
		return ours // a field type's own refusal (codeField), written to be shown
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		// Field is a json name of our own request type, safe to show.
		return models.Wrap(models.KindInvalid, "field "+typeErr.Field+" has the wrong type", err)
	}
	return models.Wrap(models.KindInvalid, "malformed JSON body", err)
}

// checkKeys walks the top-level object's keys and refuses any that is not exactly a
// field of t, or that appears twice.
func (d *decoder) checkKeys(body []byte, t reflect.Type) error {
	allowed := d.allowedKeys(t)
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return models.Wrap(models.KindInvalid, "malformed JSON body", err)
	}
	if tok != json.Delim('{') {
		return models.Invalid("request body must be a JSON object")
	}
	seen := make(map[string]bool, len(allowed))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return models.Wrap(models.KindInvalid, "malformed JSON body", err)
		}
		key, _ := tok.(string)
		if !allowed[key] {
			return models.Invalid("unknown field in request body")
		}
		if seen[key] {
			return models.Invalid("duplicate field in request body")
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return models.Wrap(models.KindInvalid, "malformed JSON body", err)
		}
	}
	return nil
}

func (d *decoder) allowedKeys(t reflect.Type) map[string]bool {
	if v, ok := d.fields.Load(t); ok {
		return v.(map[string]bool)
	}
	keys := map[string]bool{}
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			keys[name] = true
		}
	}
	d.fields.Store(t, keys)
	return keys
}

// writeJSON encodes v before writing anything, so an encoding fault can still become
// a clean 500.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return models.Internal(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
	return nil
}

type messageResponse struct {
	Message string `json:"message"`
}

var acknowledged = messageResponse{Message: "acknowledged"}
