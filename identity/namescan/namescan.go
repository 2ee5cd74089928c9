// Package namescan implements identity.Screener with NameScan's v3 Emerald person
// scan (PEP and sanctions lists). It sends only what a screen needs (names, date of
// birth, nationality as an English country name) and keeps request and response
// bodies out of its errors, since both hold personal data.
package namescan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/biter777/countries"

	"github.com/authd/authd/identity"
)

// DefaultBaseURL is NameScan's production API.
const DefaultBaseURL = "https://api.namescan.io/v3"

// Client screens people with NameScan.
type Client struct {
	apiKey, baseURL string
	matchRate       int
	http            *http.Client
}

// New returns a client; matchRate (1-100) is the lowest similarity NameScan counts as
// a match. Calls time out after timeout.
func New(apiKey, baseURL string, matchRate int, timeout time.Duration) *Client {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	return &Client{apiKey: apiKey, baseURL: strings.TrimRight(baseURL, "/"), matchRate: matchRate,
		http: &http.Client{Timeout: timeout}}
}

type scanRequest struct {
	FirstName string `json:"firstName,omitempty"`
	LastName  string `json:"lastName,omitempty"`
	DOB       string `json:"dob,omitempty"`     // DD/MM/YYYY
	Country   string `json:"country,omitempty"` // English name
	MatchRate int    `json:"matchRate"`
}

type scanResponse struct {
	ScanID          json.RawMessage `json:"scanId"` // a number or a string
	NumberOfMatches *int            `json:"numberOfMatches"`
}

// Screen runs one person scan against both PEP and sanctions lists. 429, 5xx and
// network failures are errors to retry later; other 4xx wrap
// identity.ErrScreeningRefused.
func (c *Client) Screen(ctx context.Context, s identity.Subject) (*identity.Screen, error) {
	req := scanRequest{FirstName: s.FirstName, LastName: s.LastName, MatchRate: c.matchRate}
	if s.DOB.Year > 0 && s.DOB.Month > 0 && s.DOB.Day > 0 {
		req.DOB = fmt.Sprintf("%02d/%02d/%04d", s.DOB.Day, s.DOB.Month, s.DOB.Year)
	}
	if s.Nationality != "" {
		if cc := countries.ByName(s.Nationality); cc.IsValid() {
			req.Country = cc.String()
		}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/person-scans/emerald", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("api-key", c.apiKey)
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("namescan: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("namescan: read answer: %w", err)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return nil, fmt.Errorf("namescan answered %d", resp.StatusCode)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, fmt.Errorf("%w: namescan answered %d", identity.ErrScreeningRefused, resp.StatusCode)
	}
	var out scanResponse
	if err := json.Unmarshal(raw, &out); err != nil || out.NumberOfMatches == nil {
		return nil, fmt.Errorf("namescan answered %d with a body that is not a scan result", resp.StatusCode)
	}
	return &identity.Screen{ScanID: strings.Trim(string(out.ScanID), `"`), Matches: *out.NumberOfMatches}, nil
}
