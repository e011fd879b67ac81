package agreement_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"voisines/internal/agreement"
	"voisines/internal/auth"
	"voisines/internal/store"
	"voisines/internal/store/storetest"
	"voisines/internal/validate"
)

func TestAttachments(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := setup(t, db)
		r := w.create(t, w.input(agreement.Entente)) // Rodez, Onet, Olemps
		rodez := w.org["rodez"]

		pdf := append([]byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n"), bytes.Repeat([]byte{0xA0}, 1000)...)
		accepted := []struct {
			name, filename, contentType string
			data                        []byte
		}{
			{"a PDF is accepted as a PDF", "convention-signee.pdf", "application/pdf", pdf},
			{"a PNG is accepted whatever its name says", "scan.pdf", "image/png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")},
			{"a JPEG is accepted", "photo.jpg", "image/jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00")},
			{"a file of exactly the maximum size is accepted", "gros.pdf", "application/pdf",
				append([]byte("%PDF-1.7\n"), make([]byte, agreement.MaxAttachmentSize-9)...)},
		}
		var stored []agreement.Attachment
		for _, tt := range accepted {
			t.Run(tt.name, func(t *testing.T) {
				at, err := w.svc.Attach(ctx, w.clerk["rodez"], r.ID, rodez, agreement.AttachmentInput{
					Filename: tt.filename, Kind: agreement.SignedScan, Data: bytes.NewReader(tt.data)})
				if err != nil {
					t.Fatal(err)
				}
				sum := sha256.Sum256(tt.data)
				if at.ContentType != tt.contentType || at.Size != int64(len(tt.data)) || at.SHA256 != hex.EncodeToString(sum[:]) ||
					at.OrgID != rodez || at.Filename != tt.filename || at.UploadedBy != w.clerk["rodez"].UserID() {
					t.Errorf("got %+v, want %s, %d bytes, SHA-256 %x, uploaded by Rodez's clerk", at, tt.contentType, len(tt.data), sum)
				}
				stored = append(stored, at)
			})
		}

		refused := []struct {
			name, field string
			in          agreement.AttachmentInput
		}{
			{"a text file named .pdf is refused by its content", "file",
				agreement.AttachmentInput{Filename: "faux.pdf", Kind: agreement.SignedScan, Data: strings.NewReader("ceci n'est pas un PDF")}},
			{"an HTML page is refused", "file",
				agreement.AttachmentInput{Filename: "page.pdf", Kind: agreement.OtherFile, Data: strings.NewReader("<html><script>alert(1)</script>")}},
			{"a file one byte over the maximum is refused", "file",
				agreement.AttachmentInput{Filename: "trop-gros.pdf", Kind: agreement.SignedScan,
					Data: bytes.NewReader(append([]byte("%PDF-1.7\n"), make([]byte, agreement.MaxAttachmentSize-8)...))}},
			{"an empty file is refused", "file",
				agreement.AttachmentInput{Filename: "vide.pdf", Kind: agreement.SignedScan, Data: strings.NewReader("")}},
			{"an unknown kind of attachment is refused", "kind",
				agreement.AttachmentInput{Filename: "a.pdf", Kind: "facture", Data: bytes.NewReader(pdf)}},
		}
		for _, tt := range refused {
			t.Run(tt.name, func(t *testing.T) {
				_, err := w.svc.Attach(ctx, w.clerk["rodez"], r.ID, rodez, tt.in)
				if errs, ok := validate.As(err); !ok || errs.For(tt.field) == "" {
					t.Fatalf("got %v, want a validation error on %q", err, tt.field)
				}
			})
		}

		t.Run("a path in the file name is dropped", func(t *testing.T) {
			at, err := w.svc.Attach(ctx, w.clerk["onet"], r.ID, 0, agreement.AttachmentInput{
				Filename: `..\..\etc/deliberation-onet.pdf`, Kind: agreement.DeliberationScan, Data: bytes.NewReader(pdf)})
			if err != nil {
				t.Fatal(err)
			}
			if at.Filename != "deliberation-onet.pdf" || at.OrgID != w.org["onet"] {
				t.Errorf("got %q for organisation %d, want deliberation-onet.pdf for Onet (the clerk's party)", at.Filename, at.OrgID)
			}
			stored = append(stored, at)
		})
		t.Run("nobody, not even an admin, uploads for an organisation that is not a party", func(t *testing.T) {
			_, err := w.svc.Attach(ctx, w.admin, r.ID, w.org["millau"], agreement.AttachmentInput{
				Filename: "a.pdf", Kind: agreement.OtherFile, Data: bytes.NewReader(pdf)})
			if !errors.Is(err, auth.ErrForbidden) {
				t.Fatalf("got %v, want auth.ErrForbidden", err)
			}
		})
		t.Run("a read-only user cannot upload", func(t *testing.T) {
			_, err := w.svc.Attach(ctx, w.readonly, r.ID, rodez, agreement.AttachmentInput{
				Filename: "a.pdf", Kind: agreement.OtherFile, Data: bytes.NewReader(pdf)})
			if !errors.Is(err, auth.ErrForbidden) {
				t.Fatalf("got %v, want auth.ErrForbidden", err)
			}
		})
		t.Run("every party's user lists the attachments, oldest first", func(t *testing.T) {
			list, err := w.svc.Attachments(ctx, w.clerk["olemps"], r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(list, stored) {
				t.Errorf("got %+v\nwant %+v", list, stored)
			}
		})
		t.Run("another party's user downloads the very bytes uploaded", func(t *testing.T) {
			at, data, err := w.svc.OpenAttachment(ctx, w.clerk["olemps"], r.ID, stored[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			if !bytes.Equal(data, pdf) || hex.EncodeToString(sum[:]) != at.SHA256 {
				t.Errorf("got %d bytes with SHA-256 %x, want the %d bytes uploaded (%s)", len(data), sum, len(pdf), at.SHA256)
			}
		})
		t.Run("an attachment is not found through another convention", func(t *testing.T) {
			other := w.create(t, w.input(agreement.Prestation))
			if _, _, err := w.svc.OpenAttachment(ctx, w.clerk["rodez"], other.ID, stored[0].ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("got %v, want store.ErrNotFound", err)
			}
		})
		t.Run("only the uploader's organisation deletes it", func(t *testing.T) {
			if err := w.svc.DeleteAttachment(ctx, w.clerk["olemps"], r.ID, stored[0].ID); !errors.Is(err, auth.ErrForbidden) {
				t.Fatalf("got %v, want auth.ErrForbidden", err)
			}
			if err := w.svc.DeleteAttachment(ctx, w.clerk["rodez"], r.ID, stored[0].ID); err != nil {
				t.Fatalf("got %v, want nil", err)
			}
			if _, _, err := w.svc.OpenAttachment(ctx, w.clerk["rodez"], r.ID, stored[0].ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("got %v after deletion, want store.ErrNotFound", err)
			}
		})
		t.Run("uploads, downloads and deletions are audited", func(t *testing.T) {
			rows, err := db.Reader().QueryContext(ctx, `SELECT action, COUNT(*) FROM audit_log WHERE entity = 'agreement_attachment' GROUP BY action ORDER BY action`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			got := map[string]int{}
			for rows.Next() {
				var a string
				var n int
				if err := rows.Scan(&a, &n); err != nil {
					t.Fatal(err)
				}
				got[a] = n
			}
			want := map[string]int{"agreement.attachment.upload": len(accepted) + 1, "agreement.attachment.download": 1, "agreement.attachment.delete": 1}
			for k, n := range want {
				if got[k] != n {
					t.Errorf("got %v, want %v", got, want)
					break
				}
			}
		})
	})
}
