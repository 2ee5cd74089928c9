package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

const (
	chromiumPath = "/usr/bin/chromium"
	spaDir       = "testdata/spa"
	spaLib       = "node_modules/oidc-client-ts/dist/browser/oidc-client-ts.min.js" // under spaDir
	spaStep      = 20 * time.Second                                                 // each browser step
)

// TestSPAWithOIDCClientTS: a single-page app on its own origin uses the npm package
// oidc-client-ts (testdata/spa, pinned by package-lock.json) in Debian's Chromium,
// driven with chromedp, the way a person uses it: Log in sends the browser to authd's
// hosted login (discovery, the code flow with PKCE S256, all from the page), the
// address and the emailed code are typed in (each page's keyboard order checked on
// the way, the consent and sign-out confirmation pages' too: the field has the focus,
// Tab reaches the buttons in reading order), and the app's callback page redeems the
// code at the token endpoint across origins (CORS) and shows the person's email.
// Renew gets new tokens through the refresh_token grant (no iframe: authd forbids
// framing); Log out goes through the end_session_endpoint back to the app, after
// which the app's tokens are dead and authd asks for an address again. CI installs
// Chromium and the package and sets AUTHD_TEST_REQUIRE_CHROMIUM, so the test fails
// there, rather than skips, when either is missing. With AUTHD_SCREENSHOTS_DIR set
// it writes login.png, code.png, consent.png, logout.png and logged-out.png there.
func TestSPAWithOIDCClientTS(t *testing.T) {
	missing := ""
	if _, err := os.Stat(chromiumPath); err != nil {
		missing = chromiumPath + " (apt-get install chromium)"
	} else if _, err := os.Stat(filepath.Join(spaDir, spaLib)); err != nil {
		missing = "oidc-client-ts (npm ci in e2e/testdata/spa)"
	}
	if missing != "" {
		if os.Getenv("AUTHD_TEST_REQUIRE_CHROMIUM") != "" {
			t.Fatalf("%s is required (AUTHD_TEST_REQUIRE_CHROMIUM) but not installed", missing)
		}
		t.Skipf("%s not installed; .ci/run installs it", missing)
	}
	whole, cancel := context.WithTimeout(context.Background(), 85*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-background-networking", true),
		chromedp.WindowSize(1000, 800))
	alloc, cancelAlloc := chromedp.NewExecAllocator(whole, opts...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()
	started := time.Now()
	if err := chromedp.Do(browser); err != nil { // starts the one browser, bound to whole
		t.Fatalf("start %s: %v", chromiumPath, err)
	}
	t.Logf("chromium started in %v", time.Since(started).Round(time.Millisecond))

	eachBackend(t, func(t *testing.T, e *env) {
		e.signup("ada@example.com", "ada")
		spa := startSPA(t, e.srv.URL)
		app := e.registerApp(map[string]any{"name": "SPA", "type": "spa", "redirectURIs": []string{spa.URL + "/callback.html"},
			"postLogoutRedirectURIs": []string{spa.URL + "/logged-out.html"}})
		spa.clientID = app.ClientID
		// A browser context of its own: no cookie or storage from another backend's run.
		tab, cancelTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
		defer cancelTab()
		b := &spaTab{t: t, ctx: tab}
		b.watch()
		b.do("open the SPA", chromedp.EmulateViewport(1000, 800), chromedp.Navigate(spa.URL+"/"),
			chromedp.WaitVisible(chromedp.CSS(`body[data-state="anonymous"]`)))

		b.do("Log in to authd's email page", chromedp.Click(chromedp.ID("login")), chromedp.WaitVisible(chromedp.CSS(`input#email[type="email"]`)))
		if loc := b.location(); !strings.HasPrefix(loc, e.srv.URL+"/login?request=") {
			t.Fatalf("Log in landed on %s, want authd's login page", loc)
		}
		b.focusOrder("the address page", "INPUT#email", "BUTTON:Email me a code")
		b.do("type the address", chromedp.SendKeys(chromedp.ID("email"), "ada@example.com"))
		b.screenshot("login.png")
		b.do("submit the address", chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`input#code[autocomplete="one-time-code"]`)))
		b.screenshot("code.png")
		b.focusOrder("the code page", "INPUT#code", "BUTTON:Sign in", "BUTTON:Use another address")
		code := e.smtp.CodeFor(t, "ada@example.com", 10*time.Second)
		b.do("submit the code", chromedp.SendKeys(chromedp.ID("code"), code),
			chromedp.Click(chromedp.CSS(`form[action="/login/code"] button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`body[data-state="signed-in"], body[data-state="error"], form[action="/consent"]`)))
		if !strings.HasPrefix(b.location(), e.srv.URL+"/consent") { // a third-party app asks once
			t.Fatalf("after the code the browser is at %s, want authd's consent page", b.location())
		}
		b.screenshot("consent.png")
		b.focusOrder("the consent page", "BODY", "BUTTON:Allow", "BUTTON:Deny") // no autofocus: Enter must not consent
		b.do("allow the app", chromedp.Click(chromedp.CSS(`button[name="decision"][value="allow"]`)),
			chromedp.WaitVisible(chromedp.CSS(`body[data-state="signed-in"], body[data-state="error"]`)))
		b.wantState("signed-in")
		if got := b.text("#profile-email"); got != "ada@example.com" {
			t.Fatalf("#profile-email = %q, want ada@example.com", got)
		}
		if loc := b.location(); loc != spa.URL+"/" {
			t.Errorf("after the callback the SPA is at %s, want the code out of the address bar", loc)
		}
		first := b.user(spa)
		if first.AccessToken == "" || first.RefreshToken == "" || first.IDToken == "" || first.Profile.Email != "ada@example.com" ||
			first.Scope != "openid profile email offline_access" {
			t.Fatalf("the stored user: access token %t, refresh token %t, ID token %t, email %q, scope %q", first.AccessToken != "",
				first.RefreshToken != "", first.IDToken != "", first.Profile.Email, first.Scope)
		}

		e.clock.Advance(time.Minute) // later, as a renewal is: new iat and exp
		b.do("Renew", chromedp.Click(chromedp.ID("renew")),
			chromedp.WaitVisible(chromedp.CSS(`body[data-renewals="1"], body[data-state="error"]`)))
		b.wantState("signed-in")
		renewed := b.user(spa)
		if renewed.AccessToken == first.AccessToken || renewed.RefreshToken == first.RefreshToken || renewed.Profile.Sub != first.Profile.Sub {
			t.Fatalf("Renew did not rotate the tokens: access changed %v, refresh changed %v, sub %q -> %q",
				renewed.AccessToken != first.AccessToken, renewed.RefreshToken != first.RefreshToken, first.Profile.Sub, renewed.Profile.Sub)
		}
		if b.text("#renewals") != "1" {
			t.Errorf("#renewals = %q", b.text("#renewals"))
		}
		prov, err := oidc.NewProvider(whole, e.srv.URL)
		if err != nil {
			t.Fatalf("discovery: %v", err)
		}
		userinfo := func(token string) error {
			_, err := prov.UserInfo(whole, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token}))
			return err
		}
		if err := userinfo(renewed.AccessToken); err != nil {
			t.Fatalf("userinfo with the renewed access token: %v", err)
		}

		// A sign-out link without proof of who asks: authd asks first, keyboard first.
		b.do("authd's sign-out confirmation", chromedp.Navigate(e.srv.URL+"/logout"),
			chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"] button[type="submit"]`)))
		b.screenshot("logout.png")
		b.focusOrder("the sign-out confirmation", "BODY", "BUTTON:Sign out")
		b.do("back to the SPA", chromedp.Navigate(spa.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`body[data-state="signed-in"]`)))

		b.do("Log out", chromedp.Click(chromedp.ID("logout")),
			chromedp.WaitVisible(chromedp.CSS(`body[data-state="signed-out"], body[data-state="error"], main`)))
		if loc := b.location(); strings.HasPrefix(loc, e.srv.URL) {
			b.screenshot("logged-out.png") // authd showed a page rather than sending the browser back
			t.Fatalf("Log out stopped at authd's %s:\n%s", loc, b.text("body"))
		}
		b.wantState("signed-out")
		if got := b.text("#status"); got != `signed out; the state that came back: {"bye":"ada"}` {
			t.Errorf("after logout: %q, want the logout's state back", got)
		}
		if u := b.user(spa); u.AccessToken != "" {
			t.Error("the SPA still holds a user after logout")
		}
		if err := userinfo(renewed.AccessToken); err == nil || !strings.Contains(err.Error(), "401") {
			t.Errorf("userinfo with the access token after logout: %v, want 401", err)
		}
		conf := oauth2.Config{ClientID: app.ClientID, Endpoint: prov.Endpoint()}
		if _, err := conf.TokenSource(whole, &oauth2.Token{RefreshToken: renewed.RefreshToken}).Token(); err == nil ||
			!strings.Contains(err.Error(), "invalid_grant") {
			t.Errorf("the refresh token after logout: %v, want invalid_grant", err)
		}
		// The browser session at authd ended too: logging in again asks for an address.
		b.do("Log in after logout", chromedp.Click(chromedp.ID("login")), chromedp.WaitVisible(chromedp.CSS(`input#email[type="email"], body[data-state="signed-in"]`)))
		if loc := b.location(); !strings.HasPrefix(loc, e.srv.URL+"/login?request=") {
			t.Errorf("after logout, Log in went to %s without asking", loc)
		}
		// authd's own signed-out page: what a logout without a registered destination shows.
		b.do("authd's signed-out page", chromedp.Navigate(e.srv.URL+"/logout"), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		if got := b.text("main h1"); got != "You are signed out" {
			t.Errorf("authd's signed-out page says %q", got)
		}
		b.screenshot("logged-out.png")
		b.noErrors()
	})
}

// spaServer serves testdata/spa and the pinned oidc-client-ts on its own origin.
type spaServer struct {
	*httptest.Server
	authority, clientID string
}

func startSPA(t *testing.T, authd string) *spaServer {
	s := &spaServer{authority: authd}
	files := map[string]string{"/": "index.html", "/callback.html": "index.html", "/logged-out.html": "index.html",
		"/app.js": "app.js", "/oidc-client-ts.min.js": spaLib}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; connect-src 'self' "+authd+
			"; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		w.Header().Set("Cache-Control", "no-store")
		if r.URL.Path == "/config.json" {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]string{"authority": authd, "clientID": s.clientID})
			return
		}
		name, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, filepath.Join(spaDir, name))
	}))
	t.Cleanup(s.Close)
	return s
}

// spaTab is one browser tab, with what the page said (console, failed requests)
// kept for the failure message.
type spaTab struct {
	t   *testing.T
	ctx context.Context
	mu  sync.Mutex
	log []string
}

func (b *spaTab) note(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.log = append(b.log, fmt.Sprintf(format, args...))
}

func (b *spaTab) watch() {
	b.t.Helper()
	if err := chromedp.Do(b.ctx); err != nil { // opens the tab, with no step timeout
		b.t.Fatalf("open a tab: %v", err)
	}
	console := chromedp.Console(b.ctx)
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			b.note("console %s (%s)", m, m.URL)
		}
	}()
	urls := map[network.RequestID]string{} // only the listener touches it
	err := chromedp.Listen(b.ctx, func(ev any) {
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			if ev.RedirectResponse != nil {
				b.note("network %d %s -> %s", ev.RedirectResponse.Status, ev.RedirectResponse.URL, ev.Request.URL)
			}
			urls[ev.RequestID] = ev.Request.Method + " " + ev.Request.URL
		case *network.EventResponseReceived:
			if ev.Response.Status >= 400 {
				b.note("network %d %s", ev.Response.Status, urls[ev.RequestID])
			}
		case *network.EventLoadingFailed:
			if !ev.Canceled {
				b.note("network failed %s: %s %s %+v", urls[ev.RequestID], ev.ErrorText, ev.BlockedReason, ev.CorsErrorStatus)
			}
		}
	})
	if err != nil {
		b.t.Fatal(err)
	}
	b.t.Cleanup(func() {
		if b.t.Failed() {
			b.t.Logf("the page said:\n%s", b.said())
		}
	})
}

func (b *spaTab) said() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.log, "\n")
}

// do runs one step within spaStep; a failure names the step and where the page is.
func (b *spaTab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, spaStep)
	defer cancel()
	started := time.Now()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v (after %v)\nthe page: %s\n%s", what, err, time.Since(started).Round(time.Millisecond), b.location(), b.text("body"))
	}
	b.t.Logf("%s: %v", what, time.Since(started).Round(time.Millisecond))
}

// focusOrder checks a page's keyboard order: the first element named has the focus
// on arrival (autofocus; BODY for a page without it), and each Tab moves it to the
// next. Elements are named by tag and ID, or tag and text.
func (b *spaTab) focusOrder(page string, want ...string) {
	b.t.Helper()
	const focused = `(e => e === document.body ? "BODY" : e.tagName + (e.id ? "#" + e.id : ":" + e.textContent.trim()))(document.activeElement)`
	for i, w := range want {
		if i > 0 {
			b.do("Tab on "+page, chromedp.KeyEvent(kb.Tab))
		}
		if got, err := spaValue(b, chromedp.Evaluate[string](focused)); err != nil || got != w {
			b.t.Errorf("%s: focus stop %d is %q (%v), want %q", page, i+1, got, err, w)
		}
	}
}

func spaValue[T any](b *spaTab, a chromedp.Action[T]) (T, error) {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	return chromedp.Run(ctx, a)
}

func (b *spaTab) location() string {
	loc, err := spaValue(b, chromedp.Location())
	if err != nil {
		return "(no location: " + err.Error() + ")"
	}
	return loc
}

func (b *spaTab) text(sel string) string {
	s, err := spaValue(b, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		return "(no " + sel + ": " + err.Error() + ")"
	}
	return strings.TrimSpace(s)
}

func (b *spaTab) wantState(want string) {
	b.t.Helper()
	if got, _ := spaValue(b, chromedp.Evaluate[string](`document.body.dataset.state`)); got != want {
		b.t.Fatalf("the SPA's state is %q, want %q; #error: %q", got, want, b.text("#error"))
	}
}

// spaUser is what oidc-client-ts keeps in sessionStorage (its User, as JSON).
type spaUser struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	Scope        string `json:"scope"`
	Profile      struct {
		Sub   string `json:"sub"`
		Email string `json:"email"`
	} `json:"profile"`
}

func (b *spaTab) user(s *spaServer) spaUser {
	b.t.Helper()
	key, _ := json.Marshal("oidc.user:" + s.authority + ":" + s.clientID)
	u, err := spaValue(b, chromedp.Evaluate[spaUser](`JSON.parse(sessionStorage.getItem(`+string(key)+`) || "{}")`))
	if err != nil {
		b.t.Fatalf("read the stored user: %v", err)
	}
	return u
}

func (b *spaTab) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("AUTHD_SCREENSHOTS_DIR")
	if dir == "" {
		return
	}
	png, err := spaValue(b, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// noErrors fails on a console error or an uncaught exception.
func (b *spaTab) noErrors() {
	b.t.Helper()
	for _, l := range strings.Split(b.said(), "\n") {
		// Chromium asks every origin for /favicon.ico; authd's pages have no icon (a 404).
		if (strings.HasPrefix(l, "console error") || strings.HasPrefix(l, "console exception")) && !strings.HasSuffix(l, "/favicon.ico)") {
			b.t.Errorf("the page logged: %s", l)
		}
	}
}
