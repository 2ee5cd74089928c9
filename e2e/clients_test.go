package e2e

import (
	"strings"
	"testing"
)

type clientView struct {
	ClientID     string   `json:"clientID"`
	ClientSecret string   `json:"clientSecret"`
	Name         string   `json:"name"`
	Type         string   `json:"type"`
	RedirectURIs []string `json:"redirectURIs"`
	Scopes       []string `json:"scopes"`
	IDTokenAlg   string   `json:"idTokenAlg"`
	FirstParty   bool     `json:"firstParty"`
	AccessTTL    int      `json:"accessTTL"`
}

// TestAdminClients: registered apps through the admin API, the way an operator sets
// up "Sign in with authd": the secret shows once (and never again, nor in the audit
// log), bad registrations are 400 and change nothing, and only an admin's own session
// may register or re-key an app.
func TestAdminClients(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		admin, _ := e.admin("root@example.com", "root")
		as := bearer(admin.Bearer)
		spec := map[string]any{"name": "oauth2-proxy", "type": "web",
			"redirectURIs": []string{"https://proxy.example.com/oauth2/callback"}, "idTokenAlg": "ES256", "accessTTL": 300}
		r := e.req("POST", "/admin/clients", spec, as...)
		wantStatus(t, r, 200)
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("the secret's answer may be cached: %q", r.Header.Get("Cache-Control"))
		}
		var c clientView
		r.json(t, &c)
		if !strings.HasPrefix(c.ClientID, "authd_app_") || !strings.HasPrefix(c.ClientSecret, "authd_cs_") || c.IDTokenAlg != "ES256" ||
			len(c.Scopes) != 4 || c.AccessTTL != 300 {
			t.Fatalf("registered: %+v", c)
		}
		for _, path := range []string{"/admin/clients/" + c.ClientID, "/admin/clients", "/admin/audit"} {
			r := e.req("GET", path, nil, as...)
			wantStatus(t, r, 200)
			if strings.Contains(string(r.Body), c.ClientSecret) || strings.Contains(string(r.Body), `"clientSecret"`) {
				t.Errorf("GET %s shows the secret: %s", path, r.Body)
			}
		}
		var list struct {
			Items   int          `json:"items"`
			Clients []clientView `json:"clients"`
		}
		e.req("GET", "/admin/clients", nil, as...).json(t, &list)
		if list.Items != 1 || len(list.Clients) != 1 || list.Clients[0].Name != "oauth2-proxy" {
			t.Fatalf("list: %+v", list)
		}

		// Bad input: 400 and nothing stored or changed.
		for name, body := range map[string]any{
			"unknown field":   `{"name":"x","type":"web","redirectURIs":["https://a.example.com/cb"],"secret":"mine"}`,
			"wrong type":      `{"name":"x","type":"web","redirectURIs":"https://a.example.com/cb"}`,
			"wildcard":        map[string]any{"name": "x", "type": "web", "redirectURIs": []string{"https://*.example.com/cb"}},
			"http":            map[string]any{"name": "x", "type": "spa", "redirectURIs": []string{"http://app.example.com/cb"}},
			"fragment":        map[string]any{"name": "x", "type": "spa", "redirectURIs": []string{"https://app.example.com/cb#x"}},
			"implicit":        map[string]any{"name": "x", "type": "spa", "redirectURIs": []string{"https://a.example.com/"}, "grantTypes": []string{"implicit"}},
			"alg none":        map[string]any{"name": "x", "type": "spa", "redirectURIs": []string{"https://a.example.com/"}, "idTokenAlg": "none"},
			"huge lifetime":   map[string]any{"name": "x", "type": "spa", "redirectURIs": []string{"https://a.example.com/"}, "accessTTL": 1 << 62},
			"malformed":       `{"name":`,
			"no redirect URI": map[string]any{"name": "x", "type": "native"},
		} {
			if r := e.req("POST", "/admin/clients", body, as...); r.Status != 400 || r.Header.Get("x-error-id") == "" {
				t.Errorf("%s: %d %q, want 400 with an error ID", name, r.Status, r.Header.Get("x-error"))
			}
		}
		e.req("GET", "/admin/clients", nil, as...).json(t, &list)
		if list.Items != 1 {
			t.Fatalf("a refused registration was stored: %+v", list)
		}

		spec["name"], spec["firstParty"] = "Proxy", true
		r = e.req("PUT", "/admin/clients/"+c.ClientID, spec, as...)
		wantStatus(t, r, 200)
		var up clientView
		r.json(t, &up)
		if up.Name != "Proxy" || !up.FirstParty || up.ClientSecret != "" {
			t.Fatalf("update: %+v", up)
		}
		r = e.req("POST", "/admin/clients/"+c.ClientID+"/secret", map[string]any{"graceSeconds": 3600}, as...)
		wantStatus(t, r, 200)
		var rot clientView
		r.json(t, &rot)
		if rot.ClientSecret == "" || rot.ClientSecret == c.ClientSecret {
			t.Fatalf("rotation: %+v", rot)
		}
		wantStatus(t, e.req("POST", "/admin/clients/"+c.ClientID+"/secret", map[string]any{"graceSeconds": -1}, as...), 400)
		wantStatus(t, e.req("GET", "/admin/clients/authd_app_nope", nil, as...), 404)

		// Not an admin: 403. The admin's key pair: reads only.
		ada := e.signup("ada@example.com", "ada")
		wantStatus(t, e.req("GET", "/admin/clients", nil, bearer(ada.Bearer)...), 403)
		wantStatus(t, e.req("POST", "/admin/clients", spec, bearer(ada.Bearer)...), 403)
		k := e.createKeyPair(admin.Bearer, "root@example.com", 1)
		wantStatus(t, e.req("GET", "/admin/clients", nil, keyHeaders(k)...), 200)
		wantStatus(t, e.req("POST", "/admin/clients", spec, keyHeaders(k)...), 403)
		wantStatus(t, e.req("POST", "/admin/clients/"+c.ClientID+"/secret", map[string]any{}, keyHeaders(k)...), 403)

		wantStatus(t, e.req("DELETE", "/admin/clients/"+c.ClientID, nil, as...), 200)
		wantStatus(t, e.req("GET", "/admin/clients/"+c.ClientID, nil, as...), 404)
		wantStatus(t, e.req("DELETE", "/admin/clients/"+c.ClientID, nil, as...), 404)
	})
}
