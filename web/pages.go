package web

import (
	"bytes"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/schema"

	"github.com/authd/authd/authn"
	"github.com/authd/authd/login"
	"github.com/authd/authd/provider"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static/*
var staticFS embed.FS

// Brand is what the pages show of the deployment.
type Brand struct {
	Product string // e.g. "Example Corp"; default "authd"
	LogoURL string // an https (or same-origin) image; empty: the product name
	Accent  string // a #rrggbb colour; default #1d4ed8
}

// Options configure the pages; cmd/authd fills them from configuration.
type Options struct {
	PublicURL string // the issuer; its scheme decides Secure and __Host- cookies
	Brand     Brand
	// TemplateDir, when set, holds operator overrides of the embedded pages (same file
	// names); every page must parse at New, or the start fails.
	TemplateDir string
	CSRFKey     []byte
	Client      func(r *http.Request) authn.Client // who is asking (IP, user agent)
	Logger      *slog.Logger
	Now         func() time.Time
	Rand        io.Reader // the CSRF cookies' randomness (default crypto/rand)
}

// Pages serves the hosted login.
type Pages struct {
	o        Options
	login    *login.Service
	provider *provider.Service
	pages    map[string]*template.Template
	brandCSS []byte
	secure   bool
	decoder  *schema.Decoder
	log      *slog.Logger
}

var pageNames = []string{"email", "code", "consent", "error", "formpost", "logout", "loggedout"}

var hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// New parses the pages (the embedded ones, or the operator's overrides) and checks the
// branding; a page that does not parse is an error, so a broken override stops the start.
func New(l *login.Service, p *provider.Service, o Options) (*Pages, error) {
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Brand.Product == "" {
		o.Brand.Product = "authd"
	}
	if o.Brand.Accent == "" {
		o.Brand.Accent = "#1d4ed8"
	}
	if !hexColour.MatchString(o.Brand.Accent) {
		return nil, fmt.Errorf("branding accent %q is not a #rrggbb colour", o.Brand.Accent)
	}
	if c := contrast(o.Brand.Accent, "#ffffff"); c < 4.5 {
		return nil, fmt.Errorf("branding accent %s has a contrast of %.1f:1 with white, under the 4.5:1 WCAG 2.2 asks for text (buttons are white on it, links are it on white)", o.Brand.Accent, c)
	}
	if len(o.CSRFKey) < 32 {
		return nil, fmt.Errorf("web: a CSRF key of at least 32 bytes is required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	pg := &Pages{o: o, login: l, provider: p, pages: map[string]*template.Template{}, log: o.Logger,
		secure: strings.HasPrefix(o.PublicURL, "https://"), decoder: newDecoder(),
		brandCSS: []byte(":root { --accent: " + o.Brand.Accent + "; }\n")}
	if o.TemplateDir != "" {
		if err := checkOverrides(o.TemplateDir); err != nil {
			return nil, err
		}
	}
	var src fs.FS = templateFS
	for _, name := range pageNames {
		t, err := parsePage(src, o.TemplateDir, name)
		if err != nil {
			return nil, err
		}
		pg.pages[name] = t
	}
	return pg, nil
}

// parsePage parses the layout and one page, each from the override folder when it
// holds that file.
func parsePage(embedded fs.FS, dir, name string) (*template.Template, error) {
	t := template.New(name)
	for _, file := range []string{"layout.html", name + ".html"} {
		body, err := readTemplate(embedded, dir, file)
		if err != nil {
			return nil, err
		}
		if _, err := t.Parse(string(body)); err != nil {
			return nil, fmt.Errorf("page template %s: %w", file, err)
		}
	}
	if err := t.ExecuteTemplate(io.Discard, "layout", sample(name)); err != nil {
		return nil, fmt.Errorf("page template %s does not render: %w", name, err)
	}
	return t, nil
}

// Route is one page route for the router to mount.
type Route struct {
	Method, Path string
	Handler      http.Handler
	// Limited routes start work (a login, a code check) and count against the
	// per-IP limit of unauthenticated requests.
	Limited bool
}

// Routes lists the pages' routes.
func (p *Pages) Routes() []Route {
	get, post := http.MethodGet, http.MethodPost
	return []Route{
		{get, AuthorizePath, http.HandlerFunc(p.authorize), true},
		{post, AuthorizePath, http.HandlerFunc(p.authorize), true},
		{get, "/login", http.HandlerFunc(p.emailPage), false},
		{post, "/login", http.HandlerFunc(p.sendCode), true},
		{post, "/login/code", http.HandlerFunc(p.checkCode), true},
		{get, "/consent", http.HandlerFunc(p.consentPage), false},
		{post, "/consent", http.HandlerFunc(p.decide), true},
		{get, LogoutPath, http.HandlerFunc(p.logout), true},
		{post, LogoutPath, http.HandlerFunc(p.logout), true},
		{get, "/static/{file}", http.HandlerFunc(p.static), false},
	}
}

// The authorization and end-session endpoints' paths (discovery lists them).
const (
	AuthorizePath = "/authorize"
	LogoutPath    = "/logout"
)

// view is what every page template sees.
type view struct {
	Lang, Title, Error string
	Brand              Brand
	App, Request, CSRF string
	Email, CodeID      string
	RedirectURI        string
	Params             map[string][]string
	Scopes             []string
}

func sample(name string) view {
	return view{Lang: "en", Title: name, Brand: Brand{Product: "authd"}, Params: map[string][]string{"code": {"x"}}}
}

// pageCSP lets pages load their own stylesheets and scripts and any https logo, and
// nothing inline; no page may be framed.
const pageCSP = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' https: data:; " +
	"frame-ancestors 'none'; base-uri 'none'"

func (p *Pages) render(w http.ResponseWriter, status int, name string, v view) {
	v.Lang, v.Brand = "en", p.o.Brand
	var buf bytes.Buffer
	if err := p.pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		p.log.Error("render page", slog.String("page", name), slog.String("error", err.Error()))
		http.Error(w, "internal server error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// fail renders the error page: for requests authd cannot send back to an app.
func (p *Pages) fail(w http.ResponseWriter, status int, title, msg string) {
	p.render(w, status, "error", view{Title: title, Error: msg})
}

func (p *Pages) static(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/static/")
	var body []byte
	var err error
	switch name {
	case "brand.css":
		body = p.brandCSS
	case "authd.css", "formpost.js":
		body, err = staticFS.ReadFile("static/" + name)
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ct := "text/css; charset=utf-8"
	if strings.HasSuffix(name, ".js") {
		ct = "text/javascript; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(body)
}

// newDecoder reads request parameters as zitadel/oidc's own provider does: unknown
// parameters are ignored (OpenID Connect Core 3.1.2.1).
func newDecoder() *schema.Decoder {
	d := schema.NewDecoder()
	d.IgnoreUnknownKeys(true)
	return d
}

// checkOverrides refuses an override folder that is missing, or that holds a file
// overriding no page: a misspelt name would leave the embedded page in place without a
// word. Dotfiles and the mail folder (package mail's overrides) are left alone.
func checkOverrides(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("page templates folder: %w", err)
	}
	known := map[string]bool{"layout.html": true}
	for _, n := range pageNames {
		known[n+".html"] = true
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || (e.IsDir() && name == "mail") {
			continue
		}
		if e.IsDir() || !known[name] {
			return fmt.Errorf("page templates folder %s: %s overrides no page (the pages are layout.html and %s.html; mail/ holds the emails)",
				dir, name, strings.Join(pageNames, ".html, "))
		}
	}
	return nil
}

func readTemplate(embedded fs.FS, dir, file string) ([]byte, error) {
	if dir != "" {
		body, err := os.ReadFile(filepath.Join(dir, file))
		if err == nil {
			return body, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("page template %s: %w", file, err)
		}
	}
	return fs.ReadFile(embedded, "templates/"+file)
}

// encoder encodes authorization responses as zitadel/oidc does.
var encoder = oidc.NewEncoder()

// contrast is WCAG 2.2's contrast ratio of two #rrggbb colours (1 to 21).
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// luminance is WCAG 2.2's relative luminance of a #rrggbb colour.
func luminance(hex string) float64 {
	var lum float64
	for i, weight := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8) // hexColour checked the digits
		c := float64(v) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		lum += weight * c
	}
	return lum
}
