package api

// The files of the conventions: generated PDF documents, attachments,
// spreadsheet import and the open data.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"voisines/internal/agreement"
	"voisines/internal/export/pdf"
	"voisines/internal/server/problem"
	"voisines/internal/store"
)

// maxAttachmentBody caps an attachment upload: the file and a multipart
// envelope.
const maxAttachmentBody = agreement.MaxAttachmentSize + 64<<10

// writeFile sends a file for download, never cached by shared caches.
func writeFile(w http.ResponseWriter, contentType, filename string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	disposition := mime.FormatMediaType("attachment", map[string]string{"filename": filename})
	if disposition == "" {
		disposition = "attachment"
	}
	h.Set("Content-Disposition", disposition)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// fileStem is the part of a download's name that names the convention.
func fileStem(rec agreement.Record) string {
	if rec.Reference != "" {
		return rec.Reference
	}
	return strconv.FormatInt(rec.ID, 10)
}

// agreementPDF generates the convention's document as it stands after its
// last avenant.
func (h *Handler) agreementPDF(w http.ResponseWriter, r *http.Request) {
	_, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := pdf.Convention(&buf, rec.Agreement, pdf.Options{Reference: rec.Reference}); err != nil {
		h.Fail(w, r, err)
		return
	}
	writeFile(w, "application/pdf", "convention-"+fileStem(rec)+".pdf", buf.Bytes())
}

// amendmentPDF generates the document of avenant n.
func (h *Handler) amendmentPDF(w http.ResponseWriter, r *http.Request) {
	_, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	n, err := pathInt(r, "n")
	if err != nil || n > int64(len(rec.Agreement.Amendments)) {
		h.Fail(w, r, fmt.Errorf("api: avenant %q: %w", r.PathValue("n"), store.ErrNotFound))
		return
	}
	var buf bytes.Buffer
	if err := pdf.Avenant(&buf, rec.Agreement, int(n), pdf.Options{Reference: rec.Reference}); err != nil {
		if errors.Is(err, pdf.ErrNoAmendment) {
			err = fmt.Errorf("%w: %w", store.ErrNotFound, err)
		}
		h.Fail(w, r, err)
		return
	}
	writeFile(w, "application/pdf", fmt.Sprintf("avenant-%d-%s.pdf", n, fileStem(rec)), buf.Bytes())
}

// attachmentList lists the files attached to a convention.
func (h *Handler) attachmentList(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	list, err := h.agreement.Attachments(r.Context(), a, rec.ID)
	if err != nil {
		h.agreementFail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, struct {
		Attachments []agreement.Attachment `json:"attachments"`
	}{append([]agreement.Attachment{}, list...)})
}

// attachmentUpload attaches a PDF, PNG or JPEG file of at most 10 MiB,
// sent either as a multipart form (fields file, kind, org) or as the raw
// body with kind, filename and org in the query.
func (h *Handler) attachmentUpload(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxAttachmentBody)
	in := agreement.AttachmentInput{}
	var orgRef string
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			h.Fail(w, r, uploadProblem(err))
			return
		}
		in.Kind = agreement.AttachmentKind(strings.TrimSpace(r.PostFormValue("kind")))
		orgRef = r.PostFormValue("org")
		f, hdr, err := r.FormFile("file")
		if err == nil {
			defer f.Close()
			in.Filename, in.Data = hdr.Filename, f
		}
	} else {
		q := r.URL.Query()
		in.Kind = agreement.AttachmentKind(strings.TrimSpace(q.Get("kind")))
		in.Filename = q.Get("filename")
		orgRef = q.Get("org")
		if r.Body != nil && r.Body != http.NoBody {
			in.Data = r.Body
		}
	}
	var orgID int64
	if ref := strings.TrimSpace(orgRef); ref != "" {
		o, err := h.orgs.Resolve(r.Context(), ref)
		if err != nil {
			h.Fail(w, r, problem.Invalid("L'organisation pour laquelle vous déposez la pièce est inconnue.",
				problem.Field{Name: "org", Message: "numéro, code Insee ou SIREN d'une partie attendu"}))
			return
		}
		orgID = o.ID
	}
	at, err := h.agreement.Attach(r.Context(), a, rec.ID, orgID, in)
	if err != nil {
		h.agreementFail(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/agreements/%d/attachments/%d", rec.ID, at.ID))
	h.writeJSON(w, http.StatusCreated, at)
}

// uploadProblem keeps a body over the limit a 413, and makes any other
// failure to read a multipart form a 400.
func uploadProblem(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return problem.Invalid("Le formulaire envoyé n'a pas pu être lu : envoyez le fichier dans le champ « file » d'un formulaire multipart.")
}

// attachmentDownload sends an attached file to a user of a party.
func (h *Handler) attachmentDownload(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	aid, err := pathInt(r, "aid")
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	at, data, err := h.agreement.OpenAttachment(r.Context(), a, rec.ID, aid)
	if err != nil {
		h.agreementFail(w, r, err)
		return
	}
	w.Header().Set("ETag", `"`+at.SHA256+`"`)
	writeFile(w, at.ContentType, at.Filename, data)
}

// attachmentDelete removes an attached file; only its uploader's users may.
func (h *Handler) attachmentDelete(w http.ResponseWriter, r *http.Request) {
	a, rec, ok := h.agreementRecord(w, r)
	if !ok {
		return
	}
	aid, err := pathInt(r, "aid")
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	if err := h.agreement.DeleteAttachment(r.Context(), a, rec.ID, aid); err != nil {
		h.agreementFail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// xlsxType is the media type of an XLSX workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// importFormat returns the format of an import file from what the client
// said (a format parameter, the media type, the file's name) or, failing
// that, from its first bytes: an XLSX workbook is a ZIP archive.
func importFormat(param, contentType, filename string, head []byte) string {
	switch strings.ToLower(strings.TrimSpace(param)) {
	case agreement.FormatCSV:
		return agreement.FormatCSV
	case agreement.FormatXLSX:
		return agreement.FormatXLSX
	}
	ct, _, _ := mime.ParseMediaType(contentType)
	switch {
	case ct == xlsxType:
		return agreement.FormatXLSX
	case ct == "text/csv" || ct == "application/csv":
		return agreement.FormatCSV
	}
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

// agreementImport imports conventions from a CSV or XLSX file sent as the
// body (or as the "file" field of a multipart form): all of them or none,
// every error named by line and column.
func (h *Handler) agreementImport(w http.ResponseWriter, r *http.Request) {
	a, err := actor(r)
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, agreement.MaxImportBytes+64<<10)
	var data []byte
	filename := ""
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		f, hdr, err := r.FormFile("file")
		if err != nil {
			h.Fail(w, r, uploadProblem(err))
			return
		}
		defer f.Close()
		filename = hdr.Filename
		data, err = io.ReadAll(f)
		if err != nil {
			h.Fail(w, r, err)
			return
		}
	} else if data, err = io.ReadAll(r.Body); err != nil {
		h.Fail(w, r, err)
		return
	}
	if len(data) == 0 {
		h.Fail(w, r, problem.Invalid("Le fichier à importer est vide : envoyez un fichier CSV ou XLSX.",
			problem.Field{Name: "file", Message: "fichier CSV ou XLSX attendu"}))
		return
	}
	format := importFormat(r.URL.Query().Get("format"), r.Header.Get("Content-Type"), filename, data)
	fail := h.importFail(h.agreementFail, "aucune convention n'a été importée")
	rows, err := agreement.ParseImport(r.Context(), bytes.NewReader(data), format, h.agreement)
	if err != nil {
		fail(w, r, err)
		return
	}
	records, err := h.agreement.Import(r.Context(), a, rows)
	if err != nil {
		fail(w, r, err)
		return
	}
	type warning struct {
		Line       int                   `json:"line"`
		Reference  string                `json:"reference"`
		Violations []agreement.Violation `json:"violations"`
	}
	out := struct {
		Imported   int                 `json:"imported"`
		Agreements []agreement.Summary `json:"agreements"`
		Warnings   []warning           `json:"warnings"`
	}{Imported: len(records), Agreements: []agreement.Summary{}, Warnings: []warning{}}
	for i, rec := range records {
		out.Agreements = append(out.Agreements, agreement.Summarize(rec))
		if len(rows[i].Warnings) > 0 {
			out.Warnings = append(out.Warnings, warning{Line: rows[i].Line, Reference: rows[i].Reference, Violations: rows[i].Warnings})
		}
	}
	h.writeJSON(w, http.StatusCreated, out)
}

// openDataCSV publishes the conventions in force, without private fields.
func (h *Handler) openDataCSV(w http.ResponseWriter, r *http.Request) {
	items, err := h.agreement.OpenData(r.Context())
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := agreement.WriteOpenDataCSV(&buf, items); err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="conventions-en-vigueur.csv"`)
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(buf.Bytes())
}

// openDataJSON publishes the conventions in force as a JSON array.
func (h *Handler) openDataJSON(w http.ResponseWriter, r *http.Request) {
	items, err := h.agreement.OpenData(r.Context())
	if err != nil {
		h.Fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := agreement.WriteOpenDataJSON(&buf, items); err != nil {
		h.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(buf.Bytes())
}
