package provider

import (
	"context"
	"net/url"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/authd/authd/clients"
	"github.com/authd/authd/models"
)

// Logout is a checked RP-initiated logout request (OpenID Connect RP-Initiated Logout
// 1.0): who the ID token hint proves is asking (empty without a valid hint), the app,
// and where to send the browser afterwards (empty: authd's own logged-out page).
type Logout struct {
	UserID, SessionID string // from a valid id_token_hint: its sub and sid
	ClientID          string
	AppName           string
	Redirect          string // the registered post_logout_redirect_uri, with state
}

// CheckLogout checks a logout request. An id_token_hint must be an ID token authd
// issued (expired ones too); a client_id beside it must be the hint's. The
// post_logout_redirect_uri is kept only when registered for that app: otherwise the
// browser goes nowhere but authd's page (never an open redirect). A bad hint or a
// mismatched client is KindInvalid.
func (s *Service) CheckLogout(ctx context.Context, in *oidc.EndSessionRequest) (*Logout, error) {
	out := &Logout{ClientID: in.ClientID}
	if in.IdTokenHint != "" {
		h, err := s.ids.VerifyIDTokenHint(in.IdTokenHint)
		if err != nil {
			return nil, models.Wrap(models.KindInvalid, "id_token_hint is not an ID token of this server", err)
		}
		if in.ClientID != "" && in.ClientID != h.ClientID {
			return nil, models.Invalid("client_id is not the id_token_hint's audience")
		}
		out.UserID, out.SessionID, out.ClientID = h.Subject, h.SessionID, h.ClientID
	}
	if out.ClientID == "" {
		return out, nil
	}
	app, err := s.apps.Get(ctx, out.ClientID)
	if models.KindOf(err) == models.KindNotFound {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	out.AppName = app.Name
	if in.PostLogoutRedirectURI != "" && clients.PostLogoutRedirectAllowed(app, in.PostLogoutRedirectURI) {
		out.Redirect = withState(in.PostLogoutRedirectURI, in.State)
	}
	return out, nil
}

func withState(uri, state string) string {
	if state == "" {
		return uri
	}
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("state", state)
	u.RawQuery = q.Encode()
	return u.String()
}

// HintedUser is the subject of an id_token_hint sent with an authorization request
// (OpenID Connect Core 3.1.2.1), or "" when it is not an ID token authd issued.
func (s *Service) HintedUser(hint string) string {
	h, err := s.ids.VerifyIDTokenHint(hint)
	if err != nil {
		return ""
	}
	return h.Subject
}
