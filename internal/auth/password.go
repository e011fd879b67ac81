package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// argonParams are the argon2id cost parameters.
type argonParams struct {
	memory  uint32 // KiB
	time    uint32 // passes
	threads uint8
}

// owaspParams is OWASP's first argon2id configuration: 19 MiB, 2 passes,
// 1 lane.
var owaspParams = argonParams{memory: 19456, time: 2, threads: 1}

// hashParams are the parameters new hashes are made with, owaspParams. Tests
// lower them so the suite stays fast; a hash made with other parameters still
// verifies (they are read from the hash) and is re-made with these at the
// next successful login.
var hashParams = owaspParams

const (
	saltLen = 16
	keyLen  = 32
	// Bounds on the parameters read from a stored hash, so that a corrupt
	// hash cannot make a login allocate gigabytes.
	maxMemory = 1 << 20 // 1 GiB
	maxTime   = 16
)

var b64 = base64.RawStdEncoding

// hashPassword returns the PHC string of password:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, salt and hash in unpadded
// standard base64.
func hashPassword(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	p := hashParams
	key := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, keyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

var errBadHash = errors.New("auth: stored password hash is not a valid argon2id PHC string")

// checkPassword reports whether password matches the PHC string encoded,
// comparing in constant time, and whether the hash should be re-made because
// its parameters are not the current ones.
func checkPassword(encoded, password string) (ok, rehash bool, err error) {
	p, salt, want, err := parseHash(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.time, p.memory, p.threads, uint32(len(want)))
	ok = subtle.ConstantTimeCompare(got, want) == 1
	return ok, p != hashParams || len(salt) != saltLen || len(want) != keyLen, nil
}

// dummySalt feeds burnPassword.
var dummySalt = make([]byte, saltLen)

// burnPassword spends the time a password check takes, for logins naming an
// unknown e-mail: the answer and its delay must not tell whether an account
// exists.
func burnPassword(password string) {
	p := hashParams
	key := argon2.IDKey([]byte(password), dummySalt, p.time, p.memory, p.threads, keyLen)
	subtle.ConstantTimeCompare(key, dummySalt)
}

func parseHash(encoded string) (p argonParams, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, errBadHash
	}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, _ := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, nil, nil, errBadHash
		}
		switch k {
		case "m":
			p.memory = uint32(n)
		case "t":
			p.time = uint32(n)
		case "p":
			if n > 255 {
				return p, nil, nil, errBadHash
			}
			p.threads = uint8(n)
		default:
			return p, nil, nil, errBadHash
		}
	}
	if p.memory == 0 || p.memory > maxMemory || p.time == 0 || p.time > maxTime || p.threads == 0 || p.memory < 8*uint32(p.threads) {
		return p, nil, nil, errBadHash
	}
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, errBadHash
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 {
		return p, nil, nil, errBadHash
	}
	return p, salt, key, nil
}
