package events

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// secretPrefix marks Standard Webhooks secrets.
const secretPrefix = "whsec_"

// ParseSecret decodes a "whsec_<base64>" secret; the key must be 24 to 64 bytes.
func ParseSecret(s string) ([]byte, error) {
	raw, ok := strings.CutPrefix(s, secretPrefix)
	if !ok {
		return nil, errors.New(`webhook secret must start with "whsec_"`)
	}
	key, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(key) < 24 || len(key) > 64 {
		return nil, errors.New("webhook secret must be whsec_ followed by base64 of 24 to 64 bytes")
	}
	return key, nil
}

// Sign returns the webhook-signature value for one message.
func Sign(key []byte, id string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + strconv.FormatInt(timestamp, 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}
