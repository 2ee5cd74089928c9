package revocation

import (
	"time"

	"github.com/authd/authd/models"
)

// What goes with each kind of change: the lifecycle event, the revocation-feed entry
// with the horizon this package decides, and the change every instance's caches
// apply. Storage writes them in the change's transaction; Commit evicts here after it.

// tokensUntil is when the last access token issued at now stops verifying (access
// lifetime plus leeway): a revocation's feed entry lives until then.
func (c *Caches) tokensUntil(now time.Time) time.Time { return now.Add(c.o.TokenHorizon) }

// keyPairUntil is how long a key pair's feed entry lives: as long as the longer of an
// access token minted from the pair (client_credentials) and a gateway's cached check.
func (c *Caches) keyPairUntil(now time.Time) time.Time {
	return now.Add(max(c.o.TokenHorizon, c.o.KeyPairTTL))
}

// Event is a lifecycle event about userID and nothing else.
func Event(typ, userID string, data map[string]string) models.Effects {
	var fx models.Effects
	fx.Emit(typ, userID, data)
	return fx
}

// UserCreated goes with a new account.
func UserCreated(userID string) models.Effects {
	return Event(models.EventUserCreated, userID, map[string]string{"userID": userID})
}

// SessionCreated goes with a session that became usable: every instance drops what it
// held of the pending row, so the login's bearer counts as the session's at once.
func SessionCreated(userID, sessionID string) models.Effects {
	fx := Event(models.EventSessionCreated, userID, map[string]string{"userID": userID, "sessionID": sessionID})
	fx.Changed(models.ChangedSession, sessionID)
	return fx
}

// SessionOpened goes with a session no bearer has named before it opened: the one an
// authorization code's exchange opens (its ID was drawn when the code was issued), or
// a hosted-login browser session (its pending bearer is never handed out). No instance
// can hold anything of it to drop, so it is the lifecycle event only: no change-feed
// entry, and on Postgres no notification waking every instance, per sign-in.
func SessionOpened(userID, sessionID string) models.Effects {
	return Event(models.EventSessionCreated, userID, map[string]string{"userID": userID, "sessionID": sessionID})
}

// LoginCancelled goes with a login cancelled before its code: every instance drops
// what it held of the session (or of the decoy's absence), so its bearer is refused.
func LoginCancelled(sessionID string) models.Effects {
	var fx models.Effects
	fx.Changed(models.ChangedSession, sessionID)
	return fx
}

// SessionClosed goes with closing a session: its tokens are refused until they expire,
// and an app session's app hears of it through back-channel logout when it asked to.
func (c *Caches) SessionClosed(userID, sessionID string, now time.Time) models.Effects {
	var fx models.Effects
	fx.Emit(models.EventSessionRevoked, userID, map[string]string{"userID": userID, "sessionID": sessionID}).
		Revoke(models.RevokedSession, sessionID, c.tokensUntil(now))
	fx.LogoutApps = true
	return fx
}

// UserRevoked goes with disabling or deleting a user: every token issued before now
// is refused (the feed's not-before), every cache drops the user, and the apps of the
// sessions this ends hear of it through back-channel logout when they asked to.
func (c *Caches) UserRevoked(event, userID string, now time.Time) models.Effects {
	var fx models.Effects
	fx.Emit(event, userID, map[string]string{"userID": userID}).Revoke(models.RevokedUser, userID, c.tokensUntil(now))
	fx.LogoutApps = true
	return fx
}

// UserChanged goes with a change to what caches hold of a user (roles, flags).
func UserChanged(event, userID string, data map[string]string) models.Effects {
	var fx models.Effects
	if event != "" {
		fx.Emit(event, userID, data)
	}
	fx.Changed(models.ChangedUser, userID)
	return fx
}

// KeyPairCreated goes with a new key pair.
func KeyPairCreated(userID, keyID string) models.Effects {
	return Event(models.EventKeyPairCreated, userID, map[string]string{"userID": userID, "keyPairID": keyID})
}

// KeyPairDeleted goes with deleting a key pair: its checks and tokens are refused.
func (c *Caches) KeyPairDeleted(userID, keyID string, now time.Time) models.Effects {
	var fx models.Effects
	fx.Emit(models.EventKeyPairDeleted, userID, map[string]string{"userID": userID, "keyPairID": keyID}).
		Revoke(models.RevokedKeyPair, keyID, c.keyPairUntil(now))
	return fx
}

// TokenRevocation puts one key-pair access token on the feed until it expires.
func (c *Caches) TokenRevocation(tokenID string, now time.Time) models.Effects {
	var fx models.Effects
	fx.Revoke(models.RevokedToken, tokenID, c.tokensUntil(now))
	return fx
}
