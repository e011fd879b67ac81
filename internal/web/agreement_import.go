package web

// Importing conventions from a spreadsheet: the documented format, its
// template in CSV and XLSX, and the upload, all rows or none.

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"path"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/csvin"
	"voisines/internal/server/problem"
)

// importData is what agreement_import.html shows.
type importData struct {
	Columns  []agreement.ImportColumn
	Kinds    []agreement.Spec
	Filename string
	// Errors are the problems of a refused file, by line and column.
	Errors csvin.Errors
	// Imported are the conventions of an accepted file, with the warnings
	// of each line.
	Imported []importedRow
	Invalid  string // the file field's error
}

type importedRow struct {
	agreement.Summary
	Line     int
	Warnings []agreement.Violation
}

func newImportData() importData {
	return importData{Columns: agreement.ImportColumns(), Kinds: agreement.Catalogue()}
}

// agreementImportForm shows the import page.
func (h *Handler) agreementImportForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.signedInActor(w, r); !ok {
		return
	}
	h.render(w, r, http.StatusOK, "agreement_import", newPage(r, "Importer des conventions", "conventions", newImportData()))
}

// agreementImportTemplate sends the import template, in CSV or XLSX by the
// path's extension. It documents a format: no login.
func (h *Handler) agreementImportTemplate(w http.ResponseWriter, r *http.Request) {
	format, contentType := agreement.FormatCSV, "text/csv; charset=utf-8"
	if path.Ext(r.URL.Path) == ".xlsx" {
		format, contentType = agreement.FormatXLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	var buf bytes.Buffer
	if err := agreement.Template(&buf, format); err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="modele-import-conventions.`+format+`"`)
	w.Write(buf.Bytes())
}

// importFormat tells the format of an uploaded file from its name or, for
// want of one, its first bytes (an XLSX workbook is a ZIP archive).
func importFormat(filename string, head []byte) string {
	switch strings.ToLower(path.Ext(filename)) {
	case ".xlsx":
		return agreement.FormatXLSX
	case ".csv", ".txt":
		return agreement.FormatCSV
	}
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return agreement.FormatXLSX
	}
	return agreement.FormatCSV
}

// agreementImport reads the uploaded file and imports every convention in
// it, or none: a refused file comes back with every error by line and
// column, in French.
func (h *Handler) agreementImport(w http.ResponseWriter, r *http.Request) {
	a, ok := h.signedInActor(w, r)
	if !ok {
		return
	}
	data := newImportData()
	fail := func(status int, p problem.Problem) {
		pg := newPage(r, "Importer des conventions", "conventions", data)
		pg.Problem = &p
		h.render(w, r, status, "agreement_import", pg)
	}
	r.Body = http.MaxBytesReader(w, r.Body, agreement.MaxImportBytes+64<<10)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.Fail(w, r, err)
			return
		}
		data.Invalid = "choisissez le fichier CSV ou XLSX à importer"
		fail(http.StatusUnprocessableEntity, problem.Problem{Message: "Aucun fichier n'a été envoyé.",
			Fields: []problem.Field{{Name: "file", Message: data.Invalid}}})
		return
	}
	defer f.Close()
	data.Filename = hdr.Filename
	body, err := io.ReadAll(io.LimitReader(f, agreement.MaxImportBytes+1))
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	rows, err := agreement.ParseImport(r.Context(), bytes.NewReader(body), importFormat(hdr.Filename, body), h.agreement)
	var records []agreement.Record
	if err == nil {
		records, err = h.agreement.Import(r.Context(), a, rows)
	}
	var ies csvin.Errors
	switch {
	case errors.As(err, &ies):
		data.Errors = ies
		fail(http.StatusUnprocessableEntity, problem.Problem{Message: "Le fichier « " + hdr.Filename +
			"» est refusé en entier : aucune convention n'a été importée. Corrigez les erreurs ci-dessous, puis envoyez-le de nouveau."})
		return
	case err != nil:
		p := problem.From(err)
		if p.Internal() || p.Code == "unauthenticated" {
			h.Fail(w, r, err)
			return
		}
		if i := strings.Index(err.Error(), ": ligne "); i >= 0 && p.Code == "conflict" {
			// The domain names, in French, the line already imported.
			p.Message = "Le fichier est refusé en entier : " + err.Error()[i+2:] + "."
		} else if p.Code == "forbidden" {
			p.Message = "Le fichier est refusé en entier : vous n'agissez pas pour la partie principale d'une des conventions. " + p.Message
		}
		for _, fe := range p.Fields {
			data.Errors = append(data.Errors, csvin.Error{Column: fe.Name, Message: fe.Message})
		}
		fail(p.Status, p)
		return
	}
	for i, rec := range records {
		data.Imported = append(data.Imported, importedRow{Summary: agreement.Summarize(rec), Line: rows[i].Line, Warnings: rows[i].Warnings})
	}
	pg := newPage(r, "Importer des conventions", "conventions", data)
	pg.Flash = plural(len(records), "convention importée", "conventions importées") + " depuis « " + hdr.Filename + " »."
	h.render(w, r, http.StatusOK, "agreement_import", pg)
}

// plural writes "1 convention importée", "3 conventions importées".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return itoa(n) + " " + many
}

func itoa(n int) string { return strings.TrimSpace(formatNumber(int64(n))) }
