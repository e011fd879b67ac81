// Command gencog writes the official geographic code (COG) that Voisines ships
// inside its binary, so that a fresh machine imports the French territory
// without network access.
//
// It reads the JSON files of the npm package @etalab/decoupage-administratif
// (data: Licence Ouverte 2.0, code: MIT, © Etalab), keeps the current communes
// and only the fields Voisines reads, and writes them as a deterministic zip of
// package.json, LICENSE and data/{regions,departements,communes,epci}.json. The
// files keep the package's own shape, so `voisines import cog` (shipped) and
// `voisines import cog DIR` (a package unpacked on disk) go through the same
// parser.
//
// To ship a later vintage:
//
//	cd /tmp/cog && npm pack @etalab/decoupage-administratif@VERSION && tar xzf etalab-decoupage-administratif-VERSION.tgz
//	go run ./tools/gencog -src /tmp/cog/package -out internal/territory/cogdata/cog.zip
//	go test ./internal/territory/...   # then update the expected counts in the tests
package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

func main() {
	src := flag.String("src", "/tmp/cog/package", "the unpacked package: its root (package.json, data/) or its data folder")
	out := flag.String("out", "internal/territory/cogdata/cog.zip", "the zip file to write")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gencog:", err)
		os.Exit(1)
	}
}

// Only the fields that internal/territory reads are kept.
type (
	region struct {
		Code     string `json:"code"`
		Name     string `json:"nom"`
		ChefLieu string `json:"chefLieu,omitempty"`
		Zone     string `json:"zone,omitempty"`
	}
	departement struct {
		Code     string `json:"code"`
		Name     string `json:"nom"`
		Region   string `json:"region"`
		ChefLieu string `json:"chefLieu,omitempty"`
		Zone     string `json:"zone,omitempty"`
	}
	commune struct {
		Code           string   `json:"code"`
		Name           string   `json:"nom"`
		Type           string   `json:"type"`
		Zone           string   `json:"zone,omitempty"`
		Arrondissement string   `json:"arrondissement,omitempty"`
		Departement    string   `json:"departement"`
		Region         string   `json:"region"`
		SIREN          string   `json:"siren,omitempty"`
		PostalCodes    []string `json:"codesPostaux,omitempty"`
		Population     *int64   `json:"population,omitempty"`
	}
	member struct {
		Code                 string `json:"code"`
		PopulationMunicipale *int64 `json:"populationMunicipale"`
		PopulationTotale     *int64 `json:"populationTotale"`
	}
	epci struct {
		Code                 string   `json:"code"`
		Name                 string   `json:"nom"`
		Type                 string   `json:"type"`
		Financing            string   `json:"modeFinancement"`
		PopulationMunicipale *int64   `json:"populationMunicipale"`
		PopulationTotale     *int64   `json:"populationTotale"`
		Members              []member `json:"membres"`
	}
)

func run(src, out string) error {
	root, data := src, filepath.Join(src, "data")
	if _, err := os.Stat(filepath.Join(src, "communes.json")); err == nil {
		root, data = filepath.Dir(src), src
	}

	var regions []region
	var departements []departement
	var communes []commune
	var epcis []epci
	for name, v := range map[string]any{
		"regions.json": &regions, "departements.json": &departements,
		"communes.json": &communes, "epci.json": &epcis,
	} {
		b, err := os.ReadFile(filepath.Join(data, name))
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	current := communes[:0]
	for _, c := range communes {
		if c.Type == "commune-actuelle" {
			current = append(current, c)
		}
	}
	communes = current

	var pkg struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		License string `json:"license"`
	}
	b, err := os.ReadFile(filepath.Join(root, "package.json"))
	if err != nil {
		return fmt.Errorf("package.json (needed for the vintage): %w", err)
	}
	if err := json.Unmarshal(b, &pkg); err != nil || pkg.Name == "" || pkg.Version == "" {
		return errors.New("package.json: no name and version")
	}
	license, err := os.ReadFile(filepath.Join(root, "LICENSE"))
	if err != nil {
		return err
	}

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	// A fixed date keeps the output byte-identical across runs.
	date := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	add := func(name string, content []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: date})
		if err != nil {
			return err
		}
		_, err = w.Write(content)
		return err
	}
	pkgJSON, _ := json.MarshalIndent(map[string]any{
		"name": pkg.Name, "version": pkg.Version, "license": pkg.License,
		"description": "Reduced copy made by voisines/tools/gencog; data under Licence Ouverte 2.0 (Etalab), code MIT.",
	}, "", "  ")
	if err := add("package.json", pkgJSON); err != nil {
		return err
	}
	if err := add("LICENSE", license); err != nil {
		return err
	}
	for _, f := range []struct {
		name    string
		content func() ([]byte, error)
	}{
		{"data/regions.json", func() ([]byte, error) { return jsonLines(regions) }},
		{"data/departements.json", func() ([]byte, error) { return jsonLines(departements) }},
		{"data/communes.json", func() ([]byte, error) { return jsonLines(communes) }},
		{"data/epci.json", func() ([]byte, error) { return jsonLines(epcis) }},
	} {
		content, err := f.content()
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if err := add(f.name, content); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	members := 0
	for _, e := range epcis {
		members += len(e.Members)
	}
	fmt.Printf("%s: %s %s, %d régions, %d départements, %d communes, %d EPCI (%d members), %d bytes\n",
		out, pkg.Name, pkg.Version, len(regions), len(departements), len(communes), len(epcis), members, buf.Len())
	return nil
}

// jsonLines writes recs as a JSON array with one record per line, which keeps
// the files readable and diffable once unzipped.
func jsonLines[T any](recs []T) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, r := range recs {
		line, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		b.Write(line)
		if i < len(recs)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]\n")
	return b.Bytes(), nil
}
