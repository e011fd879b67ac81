package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestImportCommands(t *testing.T) {
	fixture := filepath.Join("..", "territory", "testdata", "cog")
	dir := t.TempDir()
	db := filepath.Join(dir, "v.db")
	coords := filepath.Join(dir, "coords.csv")
	adjacency := filepath.Join(dir, "adjacency.csv")
	if err := os.WriteFile(coords, []byte("code,lat,lon\n12202,44.359,2.567\n12174,44.339,2.547\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(adjacency, []byte("code_a,code_b,border_km\n12174,12202,3.8\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("code,lat,lon\n12202,north,2.5\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string // a part of the standard output
		stderr   string // a part of the standard error
		noStdout bool
	}{
		{"import cog reads an unpacked package and reports what it imported",
			[]string{"import", "cog", "--db", db, fixture}, 0,
			"imported decoupage-administratif 6.0.0-test in", "communes: 6/6", false},
		{"import cog given the data folder still finds the package's version",
			[]string{"import", "cog", "--db", db, filepath.Join(fixture, "data")}, 0,
			"6 communes, 3 EPCI (6 member communes), 3 départements, 3 régions, 18 population figures, 9 organisations", "", false},
		{"import geo reports the points and pairs",
			[]string{"import", "geo", "--db", db, "--coords", coords, "--adjacency", adjacency}, 0,
			"2 commune points, 1 pairs of adjacent communes", "adjacency: 1/1", false},
		{"import geo names the file, line and column of a bad value",
			[]string{"import", "geo", "--db", db, "--coords", bad}, 1,
			"", `bad.csv: line 2, column "lat": got "north", want a number`, true},
		{"import geo without a file is a usage error",
			[]string{"import", "geo", "--db", db}, 2, "", "give --coords, --adjacency or both", true},
		{"import cog takes at most one directory",
			[]string{"import", "cog", "--db", db, fixture, fixture}, 2, "", "at most one DIR", true},
		{"import cog refuses a directory without the files",
			[]string{"import", "cog", "--db", db, dir}, 1, "", "regions.json", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, out, errOut := testEnv(nil)
			code := run(context.Background(), env, tt.args)
			if code != tt.code {
				t.Fatalf("exit code: got %d, want %d\nstdout: %s\nstderr: %s", code, tt.code, out, errOut)
			}
			if !strings.Contains(out.String(), tt.stdout) {
				t.Errorf("stdout: got %q, want it to contain %q", out, tt.stdout)
			}
			if tt.noStdout && out.Len() > 0 {
				t.Errorf("stdout: got %q, want nothing", out)
			}
			if !strings.Contains(errOut.String(), tt.stderr) {
				t.Errorf("stderr: got %q, want it to contain %q", errOut, tt.stderr)
			}
		})
	}
}

func TestProgress(t *testing.T) {
	t.Run("without a terminal, one plain line per finished stage", func(t *testing.T) {
		var b bytes.Buffer
		p := newProgress(&b)
		for _, step := range []struct {
			stage       string
			done, total int
		}{{"read", 0, 4}, {"read", 4, 4}, {"communes", 0, 1000}, {"communes", 500, 1000}, {"communes", 1000, 1000}} {
			p.update(step.stage, step.done, step.total)
		}
		p.finish()
		if got, want := b.String(), "read: 4/4\ncommunes: 1000/1000\n"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("on a terminal, a bar redrawn in place", func(t *testing.T) {
		var b bytes.Buffer
		p := &progress{w: &b, tty: true}
		p.update("communes", 0, 10)
		p.update("communes", 10, 10)
		p.update("populations", 3, 6)
		p.finish()
		got := b.String()
		for _, want := range []string{"\r\033[K", "communes              [..............................]   0% 0/10",
			"[##############################] 100% 10/10\n", "populations           [###############...............]  50% 3/6\n"} {
			if !strings.Contains(got, want) {
				t.Errorf("got %q, want it to contain %q", got, want)
			}
		}
	})
}
