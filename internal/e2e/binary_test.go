package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles cmd/voisines once per test binary.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "voisines")
	cmd := exec.Command("go", "build", "-o", bin, "voisines/cmd/voisines")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build voisines: %v", err)
	}
	return bin
}

func runBin(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("voisines %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if v != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: decode %s: %v", url, body, err)
		}
	}
	return resp.StatusCode
}

// TestBinaryImportsTheTerritoryAndServesIt drives the real binary the way the
// README does: migrate, import the shipped territory (twice: same counts),
// serve, answer the acceptance questions over HTTP, stop cleanly on SIGTERM.
// It runs on SQLite and, when VOISINES_TEST_POSTGRES is set, on PostgreSQL.
func TestBinaryImportsTheTerritoryAndServesIt(t *testing.T) {
	bin := buildBinary(t)
	dbs := map[string]string{"sqlite": filepath.Join(t.TempDir(), "v.db")}
	if base := os.Getenv("VOISINES_TEST_POSTGRES"); base != "" {
		dbs["postgres"] = pgDatabase(t, base)
	}
	for engine, dsn := range dbs {
		t.Run(engine, func(t *testing.T) {
			runBin(t, bin, "migrate", "--db", dsn)
			first := runBin(t, bin, "import", "cog", "--db", dsn)
			for _, want := range []string{"34969 communes", "1255 EPCI"} {
				if !strings.Contains(first, want) {
					t.Fatalf("import cog said %q: want %q in it", first, want)
				}
			}
			second := runBin(t, bin, "import", "cog", "--db", dsn)
			if !strings.Contains(second, "34969 communes") || !strings.Contains(second, "1255 EPCI") {
				t.Fatalf("second import said %q: want the same counts", second)
			}

			addr := freeAddr(t)
			srv := exec.Command(bin, "serve", "--db", dsn, "--addr", addr)
			var logs strings.Builder
			srv.Stdout, srv.Stderr = &logs, &logs
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			base := "http://" + addr
			waitReady(t, base, srv, &logs)

			var commune struct {
				Code, Name, SIREN, Departement, EPCISIREN string
			}
			var c map[string]any
			if code := getJSON(t, base+"/api/v1/communes/12202", &c); code != http.StatusOK {
				t.Fatalf("GET commune 12202: status %d", code)
			}
			commune.Name, _ = c["name"].(string)
			commune.SIREN, _ = c["siren"].(string)
			commune.Departement, _ = c["departement"].(string)
			commune.EPCISIREN, _ = c["epci_siren"].(string)
			if commune.Name != "Rodez" || commune.SIREN != "211202023" || commune.Departement != "12" || commune.EPCISIREN != "241200187" {
				t.Fatalf("commune 12202: got %+v want Rodez 211202023 dép 12 EPCI 241200187", commune)
			}
			var epci struct {
				Name    string `json:"name"`
				Members []struct {
					Code string `json:"code"`
				} `json:"members"`
			}
			if code := getJSON(t, base+"/api/v1/epci/241200187", &epci); code != http.StatusOK {
				t.Fatalf("GET epci: status %d", code)
			}
			if len(epci.Members) != 8 {
				t.Fatalf("CA Rodez Agglomération members: got %d want 8", len(epci.Members))
			}
			if code := getJSON(t, base+"/api/v1/communes/99999", nil); code != http.StatusNotFound {
				t.Fatalf("unknown commune: got status %d want 404", code)
			}

			srv.Process.Signal(syscall.SIGTERM)
			done := make(chan error, 1)
			go func() { done <- srv.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("serve did not stop cleanly on SIGTERM: %v\n%s", err, logs.String())
				}
			case <-time.After(15 * time.Second):
				srv.Process.Kill()
				t.Fatalf("serve did not stop within 15 s of SIGTERM\n%s", logs.String())
			}
		})
	}
}

func waitReady(t *testing.T, base string, srv *exec.Cmd, logs *strings.Builder) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	srv.Process.Kill()
	t.Fatalf("server at %s never became ready\n%s", base, logs.String())
}

// pgDatabase creates a throw-away database on the server at base (a schema is
// not enough here: the binary takes a plain URL) and returns its URL.
func pgDatabase(t *testing.T, base string) string {
	t.Helper()
	name := fmt.Sprintf("voisines_e2e_%d", time.Now().UnixNano())
	ctx := context.Background()
	if out, err := exec.CommandContext(ctx, "psql", base, "-c", "CREATE DATABASE "+name).CombinedOutput(); err != nil {
		t.Fatalf("create database: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		exec.Command("psql", base, "-c", "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)").Run()
	})
	return replaceDBName(base, name)
}

func replaceDBName(url, name string) string {
	scheme, rest, _ := strings.Cut(url, "://")
	host, tail, _ := strings.Cut(rest, "/")
	_, query, hasQuery := strings.Cut(tail, "?")
	out := scheme + "://" + host + "/" + name
	if hasQuery {
		out += "?" + query
	}
	return out
}
