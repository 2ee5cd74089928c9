package authn

import (
	"context"
	"errors"
	"time"

	"github.com/authd/authd/models"
)

// The bearer POST /session and POST /user answer (pnd_...) names its session. Before
// the session's code is verified it is a pending login's credential: it shows and
// cancels that login, nothing else, and lives as long as the code. Once verified (with
// UpgradePending) it is the session's own opaque bearer: accepted wherever an access
// token is, for exactly as long as the session (idle and absolute ends; extend slides
// it), checked against the session row from memory like an access token, so a closed
// session, a disabled or deleted user is refused at once here and through the change
// feed elsewhere. A closed session's bearer is refused, and so is a cancelled login's.

var errClosed = models.Wrap(models.KindUnauthorized, "session is closed or expired", errors.New("inactive session"))

// authenticatePending checks a pnd_ bearer: its MAC, then its session's state.
func (s *Service) authenticatePending(ctx context.Context, bearer string) (*Principal, error) {
	pend, err := s.tokens.ReadPending(bearer)
	if err != nil {
		return nil, err
	}
	view, err := s.sessionView(ctx, pend.SessionID)
	switch {
	case errors.Is(err, models.ErrNotFound):
		view = nil // a decoy, or a login long gone: judged by the credential alone
	case err != nil:
		return nil, err
	}
	now := s.now()
	// Refused: a closed session's bearer, and a login's cancelled with it before its
	// code. The cancellation is recorded alike for a decoy (sessionView refuses those),
	// so refusing tells nothing about the address. A pending row closed any other way
	// is judged like a decoy, by the credential alone, since a decoy has no such end.
	if view != nil && (view.CancelledUntil != nil || view.VerifiedAt != nil && view.RevokedAt != nil) {
		return nil, errClosed
	}
	if view == nil || view.VerifiedAt == nil || !s.o.UpgradePending {
		if !pend.Live(now) {
			return nil, models.Wrap(models.KindUnauthorized, "invalid or expired token", errors.New("pending credential expired"))
		}
		return &Principal{SessionID: pend.SessionID, Pending: true, ExpiresAt: pend.ExpiresAt, pending: pend}, nil
	}
	if !view.Active(now, s.o.IdleTimeout) {
		return nil, errClosed
	}
	if !view.UserEnabled {
		return nil, models.E(models.KindForbidden, "account is disabled")
	}
	id, err := s.caches.Identity(ctx, view.UserID)
	if err != nil {
		return nil, models.Internal(err)
	}
	return &Principal{SessionID: view.ID, UserID: view.UserID, ExpiresAt: sessionEnd(view, s.o.IdleTimeout), view: view,
		identity: id}, nil
}

// sessionView reads a session row from memory, or from the database into memory. A
// session that does not exist is remembered as absent too (a row with no user), so a
// decoy login's bearer costs what a real one's does on every request, and its timing
// tells nobody which addresses have accounts. Decoys come only from POST /session, so
// their number is bound by its limits.
func (s *Service) sessionView(ctx context.Context, sessionID string) (*models.SessionView, error) {
	view, ok := s.caches.Session(sessionID)
	if !ok {
		var err error
		view, err = s.store.SessionView(ctx, sessionID)
		switch {
		case errors.Is(err, models.ErrNotFound):
			view = &models.SessionView{Session: models.Session{ID: sessionID}}
		case err != nil:
			return nil, models.Internal(err)
		}
		s.caches.PutSession(view)
	}
	if view.UserID == "" { // no session: a decoy's, or one long gone
		if view.CancelledUntil != nil {
			return nil, errClosed
		}
		return nil, models.ErrNotFound
	}
	return view, nil
}

// sessionEnd is when a session ends if it stays idle from now: its absolute end or its
// idle end, whichever comes first.
func sessionEnd(v *models.SessionView, defIdle time.Duration) time.Time {
	end := v.ExpiresAt
	if idle := v.LastSeenAt.Add(v.IdleTimeout(defIdle)); idle.Before(end) {
		end = idle
	}
	return end
}
