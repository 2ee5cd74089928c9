package identity

import (
	"context"
	"errors"
	"time"

	"github.com/authd/authd/models"
)

// webhookTolerance is how far a Stripe-Signature timestamp may be from our clock,
// either way: older is a replay, newer is a forgery or a broken clock.
const webhookTolerance = 5 * time.Minute

// Stripe event types authd acts on.
const (
	eventVerified      = "identity.verification_session.verified"
	eventRequiresInput = "identity.verification_session.requires_input"
	eventProcessing    = "identity.verification_session.processing"
	eventCanceled      = "identity.verification_session.canceled"
	eventRedacted      = "identity.verification_session.redacted"
)

var errWebhooksNotConfigured = &models.Error{Kind: models.KindUnavailable, Public: "Stripe webhooks are not configured", RetryAfter: 3600}

// Webhook processes one Stripe event. It is applied once per event ID (a repeat is
// acknowledged and ignored), never moves an attempt backwards (a late event is
// acknowledged and ignored), and is applied in one transaction with the record that
// it was seen: an error before that commits leaves the event for Stripe to resend.
// Events for sessions authd did not start are acknowledged and ignored.
func (s *Service) Webhook(ctx context.Context, payload []byte, signature string) error {
	if s.stripe == nil {
		return errNotConfigured
	}
	if !s.o.Webhooks {
		return errWebhooksNotConfigured
	}
	ev, err := s.stripe.ParseEvent(payload, signature)
	if err != nil {
		return &models.Error{Kind: models.KindInvalid, Public: "invalid Stripe-Signature", Cause: err}
	}
	if age := s.o.Now().Sub(ev.SignedAt); age > webhookTolerance || age < -webhookTolerance {
		return models.E(models.KindInvalid, "Stripe-Signature timestamp is outside the 5-minute tolerance")
	}
	log := s.o.Logger.With("stripe_event_id", ev.ID, "stripe_event_type", ev.Type)
	if ev.SessionID == "" || !relevant(ev.Type) {
		return nil
	}
	seen, err := s.store.StripeEventSeen(ctx, ev.ID)
	if err != nil {
		return models.Internal(err)
	}
	if seen {
		return nil
	}
	v, err := s.store.VerificationBySession(ctx, ev.SessionID)
	if errors.Is(err, models.ErrNotFound) {
		log.InfoContext(ctx, "Stripe event for a session authd did not start; ignored")
		return nil
	}
	if err != nil {
		return models.Internal(err)
	}
	change, err := s.changeFor(ctx, ev, v)
	if err != nil || change == nil {
		return err
	}
	if change.Status == models.VerificationFailed {
		change.Effects = userEffects(models.EventUserVerificationFailed, v.UserID, v.ID)
	}
	applied, err := s.store.ApplyStripeChange(ctx, *change)
	if applied {
		s.o.Evict(change.Effects.Changes...)
	}
	switch {
	case errors.Is(err, models.ErrConflict): // the same event, processed concurrently
		return nil
	case err != nil:
		return models.Internal(err)
	}
	log.InfoContext(ctx, "Stripe event processed", "verification_id", v.ID, "status", change.Status, "applied", applied)
	if applied && change.Status == models.VerificationScreening {
		s.Kick()
	}
	return nil
}

func relevant(typ string) bool {
	switch typ {
	case eventVerified, eventRequiresInput, eventProcessing, eventCanceled, eventRedacted:
		return true
	}
	return false
}

// changeFor works out what an event does to an attempt; nil means nothing. A
// verified session is retrieved again with its outputs expanded (payloads never
// carry them); only a session Stripe still reports verified moves on to screening.
func (s *Service) changeFor(ctx context.Context, ev *Event, v *models.IdentityVerification) (*models.StripeChange, error) {
	c := &models.StripeChange{EventID: ev.ID, EventType: ev.Type, VerificationID: v.ID, Now: s.now()}
	switch ev.Type {
	case eventProcessing:
		c.Status = models.VerificationProcessing
	case eventCanceled:
		c.Status = models.VerificationCanceled
	case eventRedacted:
		// Stripe erased the session's data at the user's or our request: erase our
		// copy of what it gave (the verified flag, a past fact, stays).
		c.Redact = true
	case eventRequiresInput:
		if ev.ErrorCode == "" {
			return nil, nil // not a failure: the user has yet to submit
		}
		c.Status, c.Reason = models.VerificationFailed, ev.ErrorCode
	case eventVerified:
		if !v.AcceptsStripe(models.VerificationScreening) {
			c.Status = models.VerificationScreening // recorded as seen, changes nothing
			return c, nil
		}
		got, err := s.stripe.VerifiedSession(ctx, v.StripeSessionID)
		if err != nil {
			return nil, stripeDown(err)
		}
		if got.Status != models.VerificationVerified {
			// Stripe's current word wins; the event that brought it is on its way.
			s.o.Logger.InfoContext(ctx, "verified event for a session Stripe no longer reports verified; ignored",
				"stripe_event_id", ev.ID, "verification_id", v.ID, "stripe_status", got.Status)
			return nil, nil
		}
		if c.KYC, err = s.seal(v.UserID, v.ID, recordFrom(got)); err != nil {
			return nil, models.Internal(err)
		}
		c.Status = models.VerificationScreening
	}
	return c, nil
}
