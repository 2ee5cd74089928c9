package issuer

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/authd/authd/claims"
)

// The prepared signer makes the tokens jws.Sign made: the same protected header and
// payload segments, and a signature jws.Verify accepts under the key's algorithm, for
// every algorithm the key manager can generate.
func TestSignerMatchesJWSSign(t *testing.T) {
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	rs, _ := rsa.GenerateKey(rand.Reader, 2048)
	for _, tc := range []struct {
		alg  jwa.SignatureAlgorithm
		priv any
		pub  any
	}{
		{jwa.ES256, ec, &ec.PublicKey},
		{jwa.EdDSA, ed, ed.Public()},
		{jwa.RS256, rs, &rs.PublicKey},
	} {
		t.Run(tc.alg.String(), func(t *testing.T) {
			priv, err := jwk.FromRaw(tc.priv)
			if err != nil {
				t.Fatal(err)
			}
			pub, _ := jwk.FromRaw(tc.pub)
			for _, k := range []jwk.Key{priv, pub} {
				_ = k.Set(jwk.KeyIDKey, "kid-"+tc.alg.String())
				_ = k.Set(jwk.AlgorithmKey, tc.alg)
			}
			payload := []byte(`{"iss":"https://auth.example.com","sub":"u","roles":["user"]}`)

			hdr := jws.NewHeaders()
			_ = hdr.Set(jws.TypeKey, claims.Type)
			_ = hdr.Set(jws.KeyIDKey, priv.KeyID())
			want, err := jws.Sign(payload, jws.WithKey(tc.alg, priv, jws.WithProtectedHeaders(hdr)))
			if err != nil {
				t.Fatal(err)
			}
			s, err := newSigner(priv, claims.Type)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.compact(payload)
			if err != nil {
				t.Fatal(err)
			}
			w, g := strings.Split(string(want), "."), strings.Split(got, ".")
			if len(g) != 3 || g[0] != w[0] || g[1] != w[1] {
				t.Fatalf("header or payload differ from jws.Sign:\n got %s\nwant %s", got, want)
			}
			if tc.alg != jwa.ES256 && g[2] != w[2] { // deterministic algorithms: the same signature
				t.Fatalf("signature differs from jws.Sign's")
			}
			if len(g[2]) != len(w[2]) {
				t.Fatalf("signature of %d characters, jws.Sign's has %d", len(g[2]), len(w[2]))
			}
			out, err := jws.Verify([]byte(got), jws.WithKey(tc.alg, pub))
			if err != nil || string(out) != string(payload) {
				t.Fatalf("jws.Verify: %v", err)
			}
		})
	}
}

// A new signing key (a rotation) is picked up at once, and a key changed in place
// (another kid) is not signed with a stale header.
func TestSignerFollowsTheKey(t *testing.T) {
	f := newFixture(t)
	tok := f.mint(t)
	if _, err := f.iss.VerifyAccess(tok); err != nil {
		t.Fatal(err)
	}
	first := f.iss.signer.Load()
	f.mint(t)
	if f.iss.signer.Load() != first {
		t.Fatal("the signer was made again for the same key")
	}
	other := newStaticKeys(t)
	f.keys.private = other.private // SigningKey now answers another key with the same kid
	f.keys.public = other.public
	tok = f.mint(t)
	if _, err := f.iss.VerifyAccess(tok); err != nil {
		t.Fatalf("token of the new key: %v", err)
	}
	_ = f.keys.private.Set(jwk.KeyIDKey, "kid-2")
	tok = f.mint(t)
	h, err := claims.ParseHeader(tok)
	if err != nil || *h.Kid != "kid-2" {
		t.Fatalf("header after the kid changed: %+v, %v", h, err)
	}
}

// An RSA signature lets work that became runnable just before it run first: with one
// core, a goroutine woken right before the signature (as one handed SQLite's only
// connection is) runs before the signature is made, not after it. Yielding is a hint:
// Go's scheduler sometimes picks the yielding goroutine straight back (it looks at its
// global queue first on one schedule in 61), so this counts over many signatures.
// Without the yield the woken work ran first in none of them.
func TestRSASigningLetsWokenWorkRunFirst(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	rs, _ := rsa.GenerateKey(rand.Reader, 2048)
	priv, _ := jwk.FromRaw(rs)
	_ = priv.Set(jwk.KeyIDKey, "kid-rs")
	_ = priv.Set(jwk.AlgorithmKey, jwa.RS256)
	s, err := newSigner(priv, claims.Type)
	if err != nil {
		t.Fatal(err)
	}
	const rounds = 40
	first := 0
	for range rounds {
		var woken atomic.Bool
		wake, parked, ran := make(chan struct{}), make(chan struct{}), make(chan struct{})
		go func() {
			close(parked)
			<-wake
			woken.Store(true)
			close(ran)
		}()
		<-parked
		runtime.Gosched() // let it block on wake
		close(wake)       // runnable now, on this one core
		if _, err := s.compact([]byte(`{"sub":"u"}`)); err != nil {
			t.Fatal(err)
		}
		if woken.Load() {
			first++
		}
		<-ran
	}
	if first < rounds/2 {
		t.Fatalf("the woken work ran before the signature in %d of %d rounds", first, rounds)
	}
}
