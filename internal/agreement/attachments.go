package agreement

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// MaxAttachmentSize is the largest file Attach accepts: 10 MiB, enough for
// a scanned convention of a few dozen pages.
const MaxAttachmentSize = 10 << 20

// AttachmentKind is what an attached file is.
type AttachmentKind string

// The kinds of attachment.
const (
	SignedScan       AttachmentKind = "signed_scan"  // the signed convention or avenant, scanned
	DeliberationScan AttachmentKind = "deliberation" // a party's deliberation
	AnnexFile        AttachmentKind = "annex"        // an annex: impact statement, règlement…
	OtherFile        AttachmentKind = "other"
)

// Label returns the French name of the kind of attachment.
func (k AttachmentKind) Label() string {
	switch k {
	case SignedScan:
		return "convention signée"
	case DeliberationScan:
		return "délibération"
	case AnnexFile:
		return "annexe"
	case OtherFile:
		return "autre pièce"
	}
	return string(k)
}

// Attachment is a file attached to a convention, without its bytes.
type Attachment struct {
	ID          int64 `json:"id"`
	AgreementID int64 `json:"agreement_id"`
	// OrgID is the party that uploaded it; its users may delete it.
	OrgID       int64          `json:"org_id"`
	UploadedBy  int64          `json:"uploaded_by,omitempty"` // user id; 0 for the system
	Filename    string         `json:"filename"`
	ContentType string         `json:"content_type"` // as sniffed from the bytes
	Size        int64          `json:"size"`
	SHA256      string         `json:"sha256"` // lowercase hex
	Kind        AttachmentKind `json:"kind"`
	CreatedAt   time.Time      `json:"created_at"`
}

// AttachmentInput is a file to attach.
type AttachmentInput struct {
	Filename string
	Kind     AttachmentKind
	// Data is read up to MaxAttachmentSize + 1 bytes.
	Data io.Reader
}

// sniff returns the content type of data from its first bytes — PDF, PNG
// or JPEG, the only types accepted — or "" for anything else, whatever the
// file's name says.
func sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return "image/jpeg"
	}
	return ""
}

// cleanFilename keeps the last element of a path, without control
// characters, at most 200 characters; "piece-jointe" when nothing is left.
func cleanFilename(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(strings.TrimSpace(name))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 200 {
		name = string(r[len(r)-200:])
	}
	if name == "" || name == "." || name == "/" || name == ".." {
		return "piece-jointe"
	}
	return name
}

// readAttachment reads and checks an upload: kind, size, type.
func readAttachment(in AttachmentInput) (data []byte, contentType string, err error) {
	var errs validate.Errors
	switch in.Kind {
	case SignedScan, DeliberationScan, AnnexFile, OtherFile:
	default:
		errs.Add("kind", "%s n'est pas une nature de pièce (signed_scan, deliberation, annex ou other)", validate.Quote(string(in.Kind)))
	}
	if in.Data == nil {
		errs.Add("file", "aucun fichier n'est joint")
		return nil, "", errs
	}
	data, err = io.ReadAll(io.LimitReader(in.Data, MaxAttachmentSize+1))
	if err != nil {
		return nil, "", fmt.Errorf("read upload: %w", err)
	}
	switch {
	case len(data) == 0:
		errs.Add("file", "le fichier est vide")
	case len(data) > MaxAttachmentSize:
		errs.Add("file", "le fichier dépasse la taille maximale de %d Mio", MaxAttachmentSize>>20)
	default:
		if contentType = sniff(data); contentType == "" {
			errs.Add("file", "seuls les fichiers PDF, PNG et JPEG sont acceptés : le contenu de %s n'en est pas un",
				validate.Quote(cleanFilename(in.Filename)))
		}
	}
	return data, contentType, errs.Err()
}

// Attach stores a file for convention agreementID, uploaded for party
// orgID (0: the first party the actor may write for). The file is checked
// by its content, not its name — PDF, PNG or JPEG only — and must not
// exceed MaxAttachmentSize; faults are validate.Errors on "file" or "kind".
// The actor needs auth.Write on orgID, which must be a current party.
// SHA-256 and size are stored with the bytes.
func (s *Service) Attach(ctx context.Context, actor auth.Actor, agreementID, orgID int64, in AttachmentInput) (Attachment, error) {
	if err := checkActor(actor); err != nil {
		return Attachment{}, fail("attach", agreementID, err)
	}
	// Read before the transaction: an upload may be slow, and SQLite has
	// one writer.
	data, contentType, err := readAttachment(in)
	if err != nil {
		return Attachment{}, fail("attach", agreementID, err)
	}
	sum := sha256.Sum256(data)
	at := Attachment{AgreementID: agreementID, OrgID: orgID, UploadedBy: actor.UserID(), Filename: cleanFilename(in.Filename),
		ContentType: contentType, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Kind: in.Kind, CreatedAt: s.clock()}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.readOn(ctx, tx, actor, agreementID)
		if err != nil {
			return err
		}
		if at.OrgID == 0 {
			for _, p := range r.Agreement.Parties {
				if auth.Authorize(actor, auth.Write, p.OrgID) == nil {
					at.OrgID = p.OrgID
					break
				}
			}
			if at.OrgID == 0 {
				return auth.ErrForbidden
			}
		}
		if err := auth.Authorize(actor, auth.Write, at.OrgID); err != nil {
			return err
		}
		if _, ok := r.Agreement.Party(at.OrgID); !ok {
			return fmt.Errorf("%w: l'organisation %d n'est pas partie à la convention %s", auth.ErrForbidden, at.OrgID, r.Reference)
		}
		if err := insertAttachment(ctx, tx, &at, data); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(at.OrgID, "agreement.attachment.upload", "agreement_attachment",
			strconv.FormatInt(at.ID, 10), map[string]any{"agreement_id": agreementID, "reference": r.Reference,
				"filename": at.Filename, "kind": at.Kind, "content_type": at.ContentType, "size": at.Size, "sha256": at.SHA256}))
	})
	if err != nil {
		return Attachment{}, fail("attach", agreementID, err)
	}
	return at, nil
}

// Attachments lists the files of convention agreementID, oldest first,
// for the users of its parties (store.ErrNotFound for anyone else).
func (s *Service) Attachments(ctx context.Context, actor auth.Actor, agreementID int64) ([]Attachment, error) {
	if _, err := s.read(ctx, actor, agreementID); err != nil {
		return nil, fail("attachments", agreementID, err)
	}
	list, err := listAttachments(ctx, s.db.Reader(), agreementID)
	if err != nil {
		return nil, fail("attachments", agreementID, err)
	}
	return list, nil
}

// OpenAttachment returns attachment id of convention agreementID with its
// bytes, for the users of the convention's parties (store.ErrNotFound for
// anyone else). Each download is recorded in the audit log: these are
// private documents.
func (s *Service) OpenAttachment(ctx context.Context, actor auth.Actor, agreementID, id int64) (Attachment, []byte, error) {
	if err := checkActor(actor); err != nil {
		return Attachment{}, nil, fail("open attachment", agreementID, err)
	}
	var at Attachment
	var data []byte
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.readOn(ctx, tx, actor, agreementID)
		if err != nil {
			return err
		}
		if at, data, err = loadAttachment(ctx, tx, agreementID, id, true); err != nil {
			return err
		}
		org := at.OrgID
		if actor.User != nil {
			for _, m := range actor.User.Memberships {
				if _, ok := r.Agreement.Party(m.OrgID); ok {
					org = m.OrgID
					break
				}
			}
		}
		return audit.Record(ctx, tx, actor.Audit(org, "agreement.attachment.download", "agreement_attachment",
			strconv.FormatInt(at.ID, 10), map[string]any{"agreement_id": agreementID, "reference": r.Reference,
				"filename": at.Filename, "sha256": at.SHA256}))
	})
	if err != nil {
		return Attachment{}, nil, fail("open attachment", agreementID, err)
	}
	return at, data, nil
}

// DeleteAttachment removes attachment id of convention agreementID. Only
// the users of the organisation that uploaded it may (auth.Write on it):
// another party's user gets auth.ErrForbidden, anyone else
// store.ErrNotFound.
func (s *Service) DeleteAttachment(ctx context.Context, actor auth.Actor, agreementID, id int64) error {
	if err := checkActor(actor); err != nil {
		return fail("delete attachment", agreementID, err)
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.readOn(ctx, tx, actor, agreementID)
		if err != nil {
			return err
		}
		at, _, err := loadAttachment(ctx, tx, agreementID, id, false)
		if err != nil {
			return err
		}
		if err := auth.Authorize(actor, auth.Write, at.OrgID); err != nil {
			return err
		}
		if err := deleteAttachment(ctx, tx, agreementID, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, actor.Audit(at.OrgID, "agreement.attachment.delete", "agreement_attachment",
			strconv.FormatInt(at.ID, 10), map[string]any{"agreement_id": agreementID, "reference": r.Reference,
				"filename": at.Filename, "kind": at.Kind, "size": at.Size, "sha256": at.SHA256}))
	})
	if err != nil {
		return fail("delete attachment", agreementID, err)
	}
	return nil
}
