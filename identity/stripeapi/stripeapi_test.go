package stripeapi

import (
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v76/webhook"
)

func TestParseEvent(t *testing.T) {
	c := New("sk_test_x", "", "whsec_right")
	payload := []byte(`{"id":"evt_1","object":"event","api_version":"2020-08-27","type":"identity.verification_session.requires_input",
		"data":{"object":{"id":"vs_1","object":"identity.verification_session","status":"requires_input",
		"last_error":{"code":"document_expired","reason":"expired"}}}}`)
	at := time.Unix(1764064800, 0)
	sign := func(secret string) string {
		return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: secret, Timestamp: at}).Header
	}
	ev, err := c.ParseEvent(payload, sign("whsec_right"))
	if err != nil {
		t.Fatal(err)
	}
	// An old api_version is accepted; the timestamp is reported, not judged.
	if ev.ID != "evt_1" || ev.SessionID != "vs_1" || ev.ErrorCode != "document_expired" || !ev.SignedAt.Equal(at) {
		t.Fatalf("event %+v", ev)
	}
	// During a secret rotation Stripe signs with both secrets: any matching v1 counts.
	good := strings.TrimPrefix(sign("whsec_right"), "t=1764064800,v1=")
	bad := strings.TrimPrefix(sign("whsec_old"), "t=1764064800,v1=")
	if _, err := c.ParseEvent(payload, "t=1764064800,v1="+bad+",v1="+good); err != nil {
		t.Fatalf("two signatures, the second right: %v", err)
	}
	for name, sig := range map[string]string{"wrong secret": sign("whsec_wrong"), "empty": "", "no v1": "t=1764064800",
		"two wrong": "t=1764064800,v1=" + bad + ",v1=" + bad} {
		if _, err := c.ParseEvent(payload, sig); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	other := []byte(`{"id":"evt_2","object":"event","type":"customer.created","data":{"object":{"id":"cus_1"}}}`)
	sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: other, Secret: "whsec_right", Timestamp: at}).Header
	if ev, err := c.ParseEvent(other, sig); err != nil || ev.SessionID != "" || ev.Type != "customer.created" {
		t.Fatalf("other event: %+v %v", ev, err)
	}
}
