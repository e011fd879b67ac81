package staff

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"voisines/internal/audit"
	"voisines/internal/auth"
	"voisines/internal/civil"
	"voisines/internal/csvin"
	"voisines/internal/store"
	"voisines/internal/validate"
)

// TimeColumns are the columns of a CSV file of time worked, in the order
// of the template. Each line names its secondment by its number
// (secondment) or by its convention's reference (agreement, "2026-0012");
// date is 2026-05-31 or 31/05/2026; duration is 7:30, 7 h 30, 45 min or
// decimal hours 7,5 (ParseDuration); activity is required, note optional.
var TimeColumns = []string{"secondment", "agreement", "date", "duration", "activity", "note"}

// MaxTimeRows caps one file of time worked.
const MaxTimeRows = 10000

// ImportReport says what an import wrote.
type ImportReport struct {
	Records int   `json:"records"`
	Minutes int64 `json:"minutes"`
}

// timeRow is a line of a file of time worked, parsed but not yet checked
// against its secondment.
type timeRow struct {
	line       int
	secondment int64
	agreement  string
	date       civil.Date
	minutes    int64
	activity   string
	note       string
}

// MaxTimeBytes caps the size of one file of time worked.
const MaxTimeBytes = 8 << 20

// parseTimeCSV reads a file of time worked (comma- or semicolon-separated,
// UTF-8 or Windows-1252, with a header naming TimeColumns) into rows,
// collecting every error with its line and column.
func parseTimeCSV(r io.Reader) ([]timeRow, csvin.Errors) {
	var errs csvin.Errors
	fail := errs.Add
	body, err := csvin.Read(r, MaxTimeBytes)
	if es, ok := csvin.AsErrors(err); ok {
		return nil, es
	} else if err != nil {
		return nil, csvin.Fail("lecture impossible du fichier")
	}
	cr := csvin.Open(body)
	header, err := cr.Read()
	if err != nil {
		return nil, csvin.Errors{{Line: 1, Message: "l'en-tête est illisible ou le fichier est vide"}}
	}
	col := csvin.Columns(header, TimeColumns, []string{"date", "duration", "activity"}, func(column, format string, args ...any) {
		fail(1, column, format, args...)
	})
	if col["secondment"] == 0 && col["agreement"] == 0 {
		fail(1, "secondment", "nommez la mise à disposition de chaque ligne : colonne secondment (son numéro) ou agreement (la référence de sa convention)")
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var rows []timeRow
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			fail(line, "", "ligne CSV mal formée : %v", err)
			break
		}
		line, _ := cr.FieldPos(0)
		get := func(c string) string { return csvin.Cell(rec, col, c) }
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue // a blank line
		}
		if len(rows)+1 > MaxTimeRows {
			fail(line, "", "un fichier compte au plus %d lignes", MaxTimeRows)
			break
		}
		row := timeRow{line: line, agreement: get("agreement"), activity: get("activity"), note: get("note")}
		if v := get("secondment"); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				fail(line, "secondment", "%s n'est pas un numéro de mise à disposition", validate.Quote(v))
			}
			row.secondment = id
		} else if row.agreement == "" {
			fail(line, "secondment", "indiquez le numéro de la mise à disposition ou la référence de sa convention")
		}
		if v := get("date"); v == "" {
			fail(line, "date", "la date est obligatoire")
		} else if row.date, err = civil.ParseFrench(v); err != nil {
			fail(line, "date", "%s n'est pas une date (2026-05-31 ou 31/05/2026)", validate.Quote(v))
		}
		if v := get("duration"); v == "" {
			fail(line, "duration", "la durée est obligatoire")
		} else if row.minutes, err = ParseDuration(v); err != nil {
			fail(line, "duration", "%s", err.Error())
		}
		rows = append(rows, row)
	}
	return rows, errs
}

// ImportTimeCSV records the time worked a CSV file lists (TimeColumns),
// all or nothing: any error in any line (csvin.Errors, every one with its
// line and column) writes nothing. Each line is checked as RecordTime
// checks it, for the host (or, for a user of the employer only, the
// employer); a line identical to time already recorded (same secondment,
// day, duration and activity) is an error, so that importing a file twice
// records it once.
func (s *Service) ImportTimeCSV(ctx context.Context, actor auth.Actor, r io.Reader) (ImportReport, error) {
	if err := checkActor(actor); err != nil {
		return ImportReport{}, fail("import time", err)
	}
	rows, errs := parseTimeCSV(r)
	if len(errs) > 0 {
		return ImportReport{}, errs
	}
	if len(rows) == 0 {
		return ImportReport{}, csvin.Errors{{Line: 2, Message: "le fichier ne contient aucune ligne de temps"}}
	}
	type secInfo struct {
		sec      Secondment
		by       int64
		guard    guard
		existing map[string]int64
		err      string
	}
	q := s.db.Reader()
	byID := map[int64]*secInfo{}
	byRef := map[string]int64{}
	resolve := func(row timeRow) (*secInfo, string, string) {
		id := row.secondment
		if id == 0 {
			ref := row.agreement
			found, ok := byRef[ref]
			if !ok {
				rec, err := s.agreements.ByReference(ctx, actor, ref)
				if err == nil {
					found, err = secondmentOf(ctx, q, rec.ID)
				}
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return nil, "agreement", "lecture impossible de la convention"
				}
				byRef[ref] = found
			}
			if found == 0 {
				return nil, "agreement", fmt.Sprintf("aucune mise à disposition de vos organisations n'est attachée à la convention %s", validate.Quote(ref))
			}
			id = found
		}
		if info, ok := byID[id]; ok {
			return info, "secondment", info.err
		}
		info := &secInfo{}
		byID[id] = info
		sec, err := s.readSecondment(ctx, q, actor, id)
		if err != nil {
			info.err = fmt.Sprintf("la mise à disposition n° %d est introuvable parmi celles de vos organisations", id)
			return info, "secondment", info.err
		}
		info.sec = sec
		if info.by, err = enteredFor(actor, sec, 0); err != nil {
			info.err = fmt.Sprintf("vous ne pouvez saisir du temps ni pour l'organisme d'accueil ni pour l'employeur de la mise à disposition n° %d", id)
			return info, "secondment", info.err
		}
		if info.guard, err = s.guardOf(ctx, actor, sec); err != nil {
			info.err = "lecture impossible des états de la convention"
			return info, "secondment", info.err
		}
		ts, err := listTimes(ctx, q, id, civil.Date{}, civil.Date{})
		if err != nil {
			info.err = "lecture impossible des relevés de temps"
			return info, "secondment", info.err
		}
		info.existing = map[string]int64{}
		for _, t := range ts {
			info.existing[timeKey(t.Date, t.Minutes, t.Activity)] = t.ID
		}
		return info, "", ""
	}
	today := s.today()
	type pending struct {
		info *secInfo
		t    TimeRecord
	}
	var out []pending
	seen := map[string]int{}
	for _, row := range rows {
		info, column, msg := resolve(row)
		if msg != "" {
			errs = append(errs, csvin.Error{Line: row.line, Column: column, Message: msg})
			continue
		}
		in, err := checkTime(TimeInput{Date: row.date, Minutes: row.minutes, Activity: row.activity, Note: row.note}, info.sec, today)
		if err == nil {
			err = info.guard.check(row.date, "date")
		}
		if fes, ok := validate.As(err); ok {
			for _, fe := range fes {
				errs = append(errs, csvin.Error{Line: row.line, Column: timeColumn(fe.Field), Message: fe.Message})
			}
			continue
		}
		key := timeKey(in.Date, in.Minutes, in.Activity)
		if id, dup := info.existing[key]; dup {
			errs = append(errs, csvin.Error{Line: row.line, Message: fmt.Sprintf("ce temps est déjà saisi (relevé n° %d) : le fichier a-t-il déjà été importé ?", id)})
			continue
		}
		if first, dup := seen[id64(info.sec.ID)+"|"+key]; dup {
			errs = append(errs, csvin.Error{Line: row.line, Message: fmt.Sprintf("même temps que la ligne %d", first)})
			continue
		}
		seen[id64(info.sec.ID)+"|"+key] = row.line
		out = append(out, pending{info: info, t: TimeRecord{SecondmentID: info.sec.ID, Date: in.Date, Minutes: in.Minutes,
			Activity: in.Activity, Note: in.Note, EnteredByOrgID: info.by, Version: 1}})
	}
	if len(errs) > 0 {
		return ImportReport{}, errs
	}
	var rep ImportReport
	t0 := s.clock()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		ids := map[int64][]int64{}
		for i := range out {
			p := &out[i]
			p.t.CreatedAt, p.t.UpdatedAt, p.t.CreatedBy = t0, t0, actor.String()
			if err := insertTime(ctx, tx, &p.t); err != nil {
				return err
			}
			if err := writeUsage(ctx, tx, p.info.sec, p.t); err != nil {
				return err
			}
			ids[p.info.sec.ID] = append(ids[p.info.sec.ID], p.t.ID)
			rep.Records++
			rep.Minutes += p.t.Minutes
		}
		for id, recs := range ids {
			info := byID[id]
			if err := audit.Record(ctx, tx, actor.Audit(info.by, "staff.time.import", "staff_secondment", id64(id),
				map[string]any{"time_records": recs})); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return ImportReport{}, fail("import time", err)
	}
	days := map[int64][]civil.Date{}
	for _, p := range out {
		if p.info.guard.drafted(p.t.Date) {
			days[p.info.sec.ID] = append(days[p.info.sec.ID], p.t.Date)
		}
	}
	for id, ds := range days {
		if err := s.refreshDrafts(ctx, actor, byID[id].sec, coversDay(ds...)); err != nil {
			return rep, fail("import time", err)
		}
	}
	return rep, nil
}

func timeKey(d civil.Date, minutes int64, activity string) string {
	return d.String() + "|" + strconv.FormatInt(minutes, 10) + "|" + strings.ToLower(activity)
}

// timeColumn names the file column of a TimeInput field.
func timeColumn(field string) string {
	switch field {
	case "minutes":
		return "duration"
	case "billing":
		return "secondment"
	}
	return field
}
