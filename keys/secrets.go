package keys

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// sealKeyID names the derived key that seals; a new version is added, never changed,
// so older sealed values stay readable during a rotation.
const sealKeyID = "v1"

// Secrets derives every server secret from one 32-byte key-encryption key (KEK), so an
// operator manages a single secret.
type Secrets struct {
	kek  []byte
	aead cipher.AEAD
}

// NewSecrets takes the KEK; it must be exactly 32 bytes.
func NewSecrets(kek []byte) (*Secrets, error) {
	if len(kek) != 32 {
		return nil, errors.New("key-encryption key must be 32 bytes")
	}
	s := &Secrets{kek: bytes.Clone(kek)}
	block, err := aes.NewCipher(s.Derive("seal/" + sealKeyID))
	if err != nil {
		return nil, err
	}
	if s.aead, err = cipher.NewGCM(block); err != nil {
		return nil, err
	}
	return s, nil
}

// Derive returns the 32-byte secret for label, e.g. "code-pepper/v1".
func (s *Secrets) Derive(label string) []byte {
	k, err := hkdf.Key(sha256.New, s.kek, nil, "authd/"+label, 32)
	if err != nil {
		panic(err) // only for lengths HKDF-SHA256 cannot produce; 32 always works
	}
	return k
}

// Seal encrypts plaintext bound to aad; the result starts with its random nonce.
func (s *Secrets) Seal(plaintext, aad []byte) (sealed []byte, keyID string, err error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, "", err
	}
	return s.aead.Seal(nonce, nonce, plaintext, aad), sealKeyID, nil
}

// Open decrypts what Seal produced under keyID with the same aad.
func (s *Secrets) Open(sealed []byte, keyID string, aad []byte) ([]byte, error) {
	if keyID != sealKeyID {
		return nil, fmt.Errorf("unknown seal key %q", keyID)
	}
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, errors.New("sealed value too short")
	}
	out, err := s.aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, errors.New("sealed value does not open: wrong key or tampered")
	}
	return out, nil
}

// LoadOrCreateKEKFile reads a base64 KEK from path, or creates one there (0600, in a
// 0700 folder, created exclusively so two starting processes cannot both write).
// created reports a new file, which the caller announces. r nil means crypto/rand.
func LoadOrCreateKEKFile(path string, r io.Reader) (kek []byte, created bool, err error) {
	if r == nil {
		r = rand.Reader
	}
	if kek, err := readKEKFile(path); err == nil || !errors.Is(err, os.ErrNotExist) {
		return kek, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, err
	}
	kek = make([]byte, 32)
	if _, err := io.ReadFull(r, kek); err != nil {
		return nil, false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		kek, err := readKEKFile(path) // another process won the race
		return kek, false, err
	}
	if err != nil {
		return nil, false, err
	}
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(kek) + "\n")
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		return nil, false, err
	}
	return kek, true, nil
}

func readKEKFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	kek, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(raw)))
	if err != nil || len(kek) != 32 {
		return nil, fmt.Errorf("%s does not hold base64 of 32 bytes", path)
	}
	return kek, nil
}
