package emails

import (
	"context"
	"fmt"
	"time"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/models"
)

// Credential changes (adding, preferring or removing an address) need a fresh proof of
// the account, not only a bearer: a stolen 15-minute access token must not be enough
// to move the account to an attacker's address. The proof is a login within
// ReauthWindow whose code went to the current preferred address; the client logs in
// again with that address to get one.

var errNotFresh = &models.Error{Kind: models.KindForbidden,
	Public: "this change needs a recent login: log in again with your preferred address, then retry within a few minutes"}

// requireFresh admits the caller's session if it proved the account recently, and
// returns the preferred address (where notices of the change go).
func (s *Service) requireFresh(ctx context.Context, p *authn.Principal) (*models.Email, error) {
	if err := authn.RequireVerified(p); err != nil {
		return nil, err
	}
	sess := p.Session()
	if sess == nil || sess.VerifiedAt == nil || s.now().Sub(*sess.VerifiedAt) > s.o.ReauthWindow {
		return nil, errNotFresh
	}
	preferred, err := s.store.PreferredEmail(ctx, p.UserID)
	if err != nil {
		return nil, models.Internal(err)
	}
	if sess.EmailID != preferred.ID {
		return nil, errNotFresh // a login through another address proves only that address
	}
	return preferred, nil
}

// notify tells each of to about a change (a failure is logged: the change is made).
func (s *Service) notify(ctx context.Context, c authn.Client, what string, to ...string) {
	seen := map[string]bool{}
	for _, addr := range to {
		if addr == "" || seen[addr] {
			continue
		}
		seen[addr] = true
		n := models.NoticeEmail{To: addr, What: what, At: s.now(), IP: c.IP, UserAgent: c.UserAgent}
		if err := s.notices.SendNotice(ctx, n); err != nil {
			s.o.Logger.ErrorContext(ctx, "queue security notice", "err", err)
		}
	}
}

// noticeOf tells userID's preferred address that what (a format with the address of
// emailID) happened.
func (s *Service) noticeOf(ctx context.Context, c authn.Client, userID, emailID, what string) {
	preferred, err := s.store.PreferredEmail(ctx, userID)
	if err != nil {
		s.o.Logger.ErrorContext(ctx, "security notice: read the preferred address", "err", err)
		return
	}
	s.noticeTo(ctx, c, preferred.Address, userID, emailID, what)
}

// noticeTo tells to that what (a format with the address of emailID) happened.
func (s *Service) noticeTo(ctx context.Context, c authn.Client, to, userID, emailID, what string) {
	e, err := s.store.EmailByID(ctx, emailID)
	if err != nil || e.UserID != userID {
		s.o.Logger.ErrorContext(ctx, "security notice: read the changed address", "err", err)
		return
	}
	s.notify(ctx, c, fmt.Sprintf(what, e.Address), to)
}

// defaultReauthWindow is how recent a login must be for a credential change.
const defaultReauthWindow = 5 * time.Minute
