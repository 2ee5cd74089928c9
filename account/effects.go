package account

import (
	"time"

	"github.com/authd/authd/models"
)

// What goes with each kind of change: the lifecycle event, the revocation-feed entry
// with the horizon this package decides, and the change every instance's caches
// apply. Storage writes them in the change's transaction; commit evicts here after it.

// tokensUntil is when the last access token issued at now stops verifying (access
// lifetime plus leeway): a revocation's feed entry lives until then.
func (s *Service) tokensUntil(now time.Time) time.Time { return now.Add(s.o.TokenHorizon) }

// keyPairUntil is how long a key pair's feed entry lives: as long as the longer of an
// access token minted from the pair (client_credentials) and a gateway's cached check.
func (s *Service) keyPairUntil(now time.Time) time.Time {
	return now.Add(max(s.o.TokenHorizon, s.o.KeyCacheTTL))
}

// event is a lifecycle event about userID and nothing else.
func event(typ, userID string, data map[string]string) models.Effects {
	var fx models.Effects
	fx.Emit(typ, userID, data)
	return fx
}

func userCreated(userID string) models.Effects {
	return event(models.EventUserCreated, userID, map[string]string{"userID": userID})
}

func sessionCreated(userID, sessionID string) models.Effects {
	return event(models.EventSessionCreated, userID, map[string]string{"userID": userID, "sessionID": sessionID})
}

func (s *Service) sessionClosed(userID, sessionID string, now time.Time) models.Effects {
	var fx models.Effects
	fx.Emit(models.EventSessionRevoked, userID, map[string]string{"userID": userID, "sessionID": sessionID}).
		Revoke(models.RevokedSession, sessionID, s.tokensUntil(now))
	return fx
}

// userRevoked goes with disabling or deleting a user: every token issued before now
// is refused (the feed's not-before), and every cache drops the user.
func (s *Service) userRevoked(event, userID string, now time.Time) models.Effects {
	var fx models.Effects
	fx.Emit(event, userID, map[string]string{"userID": userID}).Revoke(models.RevokedUser, userID, s.tokensUntil(now))
	return fx
}

// userChanged goes with a change to what caches hold of a user (roles, flags).
func userChanged(event, userID string, data map[string]string) models.Effects {
	var fx models.Effects
	if event != "" {
		fx.Emit(event, userID, data)
	}
	fx.Changed(models.ChangedUser, userID)
	return fx
}

func keyPairCreated(userID, keyID string) models.Effects {
	return event(models.EventKeyPairCreated, userID, map[string]string{"userID": userID, "keyPairID": keyID})
}

func (s *Service) keyPairDeleted(userID, keyID string, now time.Time) models.Effects {
	var fx models.Effects
	fx.Emit(models.EventKeyPairDeleted, userID, map[string]string{"userID": userID, "keyPairID": keyID}).
		Revoke(models.RevokedKeyPair, keyID, s.keyPairUntil(now))
	return fx
}

// tokenRevoked puts one key-pair access token on the feed until it expires.
func (s *Service) tokenRevoked(tokenID string, now time.Time) models.Effects {
	var fx models.Effects
	fx.Revoke(models.RevokedToken, tokenID, s.tokensUntil(now))
	return fx
}
