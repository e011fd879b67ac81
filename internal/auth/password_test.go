package auth

import (
	"regexp"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	t.Run("new hashes use the OWASP parameters in PHC format", func(t *testing.T) {
		saved := hashParams
		hashParams = owaspParams
		defer func() { hashParams = saved }()
		h, err := hashPassword("un mot de passe assez long")
		if err != nil {
			t.Fatal(err)
		}
		phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
		if !phc.MatchString(h) {
			t.Fatalf("got %s want a PHC argon2id string with m=19456,t=2,p=1", h)
		}
		ok, rehash, err := checkPassword(h, "un mot de passe assez long")
		if err != nil || !ok || rehash {
			t.Fatalf("got ok=%v rehash=%v err=%v want ok, no rehash", ok, rehash, err)
		}
	})

	h, err := hashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := hashPassword("correct horse battery")
	t.Run("the same password hashes differently each time (random salt)", func(t *testing.T) {
		if h == again {
			t.Fatalf("got the same hash twice: %s", h)
		}
	})

	tests := []struct {
		name       string
		hash, pass string
		ok, rehash bool
		bad        bool
	}{
		{name: "the right password matches", hash: h, pass: "correct horse battery", ok: true},
		{name: "a wrong password does not match", hash: h, pass: "correct horse batterY"},
		{name: "an empty password does not match", hash: h, pass: ""},
		{name: "a hash with other parameters matches and asks to be re-made",
			hash: mustHashWith(t, argonParams{memory: 128, time: 2, threads: 2}, "pw"), pass: "pw", ok: true, rehash: true},
		{name: "a bcrypt hash is refused", hash: "$2a$10$abcdefghijklmnopqrstuu", pass: "x", bad: true},
		{name: "argon2i is refused", hash: "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", pass: "x", bad: true},
		{name: "a huge memory parameter is refused", hash: "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", pass: "x", bad: true},
		{name: "bad base64 is refused", hash: "$argon2id$v=19$m=64,t=1,p=1$!!!$aGFzaGhhc2hoYXNoaGFzaA", pass: "x", bad: true},
		{name: "an unknown parameter is refused", hash: "$argon2id$v=19$m=64,t=1,x=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", pass: "x", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := checkPassword(tt.hash, tt.pass)
			if (err != nil) != tt.bad {
				t.Fatalf("error: got %v want error=%v", err, tt.bad)
			}
			if ok != tt.ok || rehash != tt.rehash {
				t.Fatalf("got ok=%v rehash=%v want ok=%v rehash=%v", ok, rehash, tt.ok, tt.rehash)
			}
		})
	}
}

func mustHashWith(t *testing.T, p argonParams, pw string) string {
	t.Helper()
	saved := hashParams
	hashParams = p
	defer func() { hashParams = saved }()
	h, err := hashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
