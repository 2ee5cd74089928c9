package issuer

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
)

// The numbers that matter are ratios within one run: VerifyAccess against
// RawECDSAVerify (the floor any verifier pays), so the overhead of parsing and
// claim checks stays visible whatever the machine.

func BenchmarkMintAccess(b *testing.B) {
	f := newFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		f.mint(b)
	}
}

func BenchmarkVerifyAccess(b *testing.B) {
	f := newFixture(b)
	tok := f.mint(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.iss.VerifyAccess(tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawECDSAVerify verifies the same token's signature with crypto/ecdsa alone.
func BenchmarkRawECDSAVerify(b *testing.B) {
	f := newFixture(b)
	tok := f.mint(b)
	i := strings.LastIndexByte(tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil {
		b.Fatal(err)
	}
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	input := []byte(tok[:i])
	pub := &f.keys.priv.PublicKey
	b.ReportAllocs()
	for b.Loop() {
		d := sha256.Sum256(input)
		if !ecdsa.Verify(pub, d[:], r, s) {
			b.Fatal("signature does not verify")
		}
	}
}
