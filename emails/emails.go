package emails

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/codes"
	"github.com/authd/authd/models"
)

// What the notices say (each formats the changed address).
const (
	msgAdded     = "The address %s was added to your account and can now be used to log in."
	msgPreferred = "The address %s became your account's preferred address: login codes and notices go there now."
	msgRemoved   = "The address %s was removed from your account: it can no longer be used to log in."
)

// AddEmail puts an unverified address on the caller's account and emails a code to
// it. An address verified on another account is answered the same (API.md's 409 comes
// at verification instead, which takes the code only the address's owner receives).
func (s *Service) AddEmail(ctx context.Context, p *authn.Principal, address string) (emailID, codeID string, err error) {
	addr, err := models.NormalizeEmail(address)
	if err != nil {
		return "", "", err
	}
	if _, err := s.requireFresh(ctx, p); err != nil {
		return "", "", err
	}
	if err := s.guard.AllowSend(ctx, addr, p.Client.IP, nil); err != nil {
		return "", "", err
	}
	e, code, err := s.addEmail(ctx, p.UserID, addr, true)
	if err != nil {
		return "", "", err
	}
	s.audit.Own(ctx, p, models.AuditEmailAdded, "email "+e.ID)
	return e.ID, code.ID, nil
}

// addEmail validates and stores an address for userID, with a code sent to it when
// withCode is set (an admin adds addresses without one).
func (s *Service) addEmail(ctx context.Context, userID, address string, withCode bool) (*models.Email, *models.VerificationCode, error) {
	addr, err := models.NormalizeEmail(address)
	if err != nil {
		return nil, nil, err
	}
	owners, err := s.store.EmailsByAddress(ctx, addr)
	if err != nil {
		return nil, nil, models.Internal(err)
	}
	for _, o := range owners {
		if o.User.ID == userID {
			return nil, nil, models.E(models.KindConflict, "this address is already on the account")
		}
		// A user's own request is answered alike whether or not another account holds
		// the address verified, or anyone could test who has an account; the code goes
		// to the address, and its verification (which needs the code) is the 409.
		if o.Email.Verified && !withCode {
			return nil, nil, models.E(models.KindConflict, "this address belongs to another account")
		}
	}
	now := s.now()
	e := &models.Email{ID: uuid.NewString(), UserID: userID, Address: addr, CreatedAt: now}
	var code *models.VerificationCode
	var plain string
	if withCode {
		code, plain, err = s.codes.Issue(models.PurposeEmail, e.ID, models.EmailOwner{Email: *e, User: models.User{ID: userID}}, now, now.Add(s.codes.TTL()))
		if err != nil {
			return nil, nil, err
		}
	}
	switch err := s.store.AddEmail(ctx, e, code, s.o.MaxPerUser); {
	case errors.Is(err, models.ErrLimit):
		return nil, nil, models.Wrap(models.KindConflict, fmt.Sprintf("at most %d email addresses per user", s.o.MaxPerUser), err)
	case errors.Is(err, models.ErrConflict):
		return nil, nil, models.Wrap(models.KindConflict, "this address is already on the account", err)
	case errors.Is(err, models.ErrNotFound):
		return nil, nil, errNoUser
	case err != nil:
		return nil, nil, models.Internal(err)
	}
	if withCode {
		s.codes.Send(ctx, models.CodeEmail{To: addr, Code: plain, Purpose: models.PurposeEmail, ExpiresAt: code.ExpiresAt})
	}
	return e, code, nil
}

// VerifyEmail checks the code sent to a new address and verifies the address for the
// account that added it. With a caller (p), the code must be that account's; without
// one (nil), the code ID and code alone prove control of the address, as the
// ThreatWinds flow sends it.
func (s *Service) VerifyEmail(ctx context.Context, p *authn.Principal, client authn.Client, codeID, code string) error {
	var c *models.VerificationCode
	var err error
	if p != nil {
		c, err = s.codes.CheckOwn(ctx, p, models.PurposeEmail, codeID, code)
	} else {
		c, err = s.codes.Check(ctx, models.PurposeEmail, codeID, code, client)
	}
	if err != nil {
		return err
	}
	actor := authn.Actor{ID: c.UserID, Client: client}
	if p != nil {
		actor = p.Actor()
	}
	switch err := s.store.VerifyEmailCode(ctx, c, s.now()); {
	case errors.Is(err, models.ErrNotFound):
		return codes.ErrBad(err)
	case errors.Is(err, models.ErrConflict):
		return models.Wrap(models.KindConflict, "this address belongs to another account", err)
	case err != nil:
		return models.Internal(err)
	}
	s.audit.Record(ctx, models.AuditEmailVerified, actor, c.UserID, "email "+c.SubjectID)
	s.noticeOf(ctx, client, c.UserID, c.SubjectID, msgAdded)
	return nil
}

// PreferEmail makes a verified address of the caller the preferred one.
func (s *Service) PreferEmail(ctx context.Context, p *authn.Principal, emailID string) error {
	if _, err := models.ParseID(emailID, "emailID"); err != nil {
		return err
	}
	old, err := s.requireFresh(ctx, p)
	if err != nil {
		return err
	}
	if err := preferError(s.store.SetPreferredEmail(ctx, p.UserID, emailID)); err != nil {
		return err
	}
	s.audit.Own(ctx, p, models.AuditEmailPreferred, "email "+emailID)
	if old.ID != emailID {
		s.noticeTo(ctx, p.Client, old.Address, p.UserID, emailID, msgPreferred)
	}
	return nil
}

// RemoveEmail deletes one of the caller's addresses; the preferred address and the
// last verified one stay (409), so the account can always be logged into.
func (s *Service) RemoveEmail(ctx context.Context, p *authn.Principal, emailID string) error {
	if _, err := models.ParseID(emailID, "email id"); err != nil {
		return err
	}
	preferred, err := s.requireFresh(ctx, p)
	if err != nil {
		return err
	}
	gone, err := s.store.EmailByID(ctx, emailID)
	if err != nil || gone.UserID != p.UserID {
		return removeError(models.ErrNotFound)
	}
	if err := removeError(s.store.DeleteEmail(ctx, p.UserID, emailID)); err != nil {
		return err
	}
	s.audit.Own(ctx, p, models.AuditEmailRemoved, "email "+emailID)
	s.notify(ctx, p.Client, fmt.Sprintf(msgRemoved, gone.Address), preferred.Address, gone.Address)
	return nil
}

// ListEmails lists the caller's addresses.
func (s *Service) ListEmails(ctx context.Context, p *authn.Principal) ([]models.Email, error) {
	if err := authn.RequireUser(p); err != nil {
		return nil, err
	}
	out, err := s.store.EmailsOfUser(ctx, p.UserID)
	if err != nil {
		return nil, models.Internal(err)
	}
	return out, nil
}

func preferError(err error) error {
	switch {
	case errors.Is(err, models.ErrNotFound):
		return models.Wrap(models.KindNotFound, "email address not found", err)
	case errors.Is(err, models.ErrConflict):
		return models.Wrap(models.KindConflict, "only a verified address can be preferred", err)
	case err != nil:
		return models.Internal(err)
	}
	return nil
}

func removeError(err error) error {
	switch {
	case errors.Is(err, models.ErrNotFound):
		return models.Wrap(models.KindNotFound, "email address not found", err)
	case errors.Is(err, models.ErrConflict):
		return models.Wrap(models.KindConflict, "the preferred address and the last verified address cannot be removed", err)
	case err != nil:
		return models.Internal(err)
	}
	return nil
}
