package pdf

import (
	"fmt"
	"io"
	"strings"

	"voisines/internal/civil"
	"voisines/internal/ledger"
)

// StatementOptions are the details of a statement's PDF that are not in
// the statement.
type StatementOptions struct {
	// Flows are the statement's stored flows, with their accounts and the
	// titres and mandats recorded; empty for a draft.
	Flows []ledger.Flow
	// GeneratedOn is the date printed in the footer; zero means today.
	GeneratedOn civil.Date
}

// Statement writes the PDF of a statement (état) in French: the convention
// and period, the rule applied, every figure of the computation line by
// line, each party's amount, and the titres and mandats to issue.
func Statement(w io.Writer, st ledger.Statement, opts StatementOptions) error {
	o := Options{Reference: st.Inputs.Agreement.Reference, GeneratedOn: opts.GeneratedOn}
	if o.GeneratedOn.IsZero() {
		o.GeneratedOn = civil.Today()
	}
	if err := render(w, statementDocument(st, opts.Flows), o); err != nil {
		return fmt.Errorf("pdf: statement %d: %w", st.ID, err)
	}
	return nil
}

// statementDocument builds the état as a document of numbered sections.
func statementDocument(st ledger.Statement, flows []ledger.Flow) document {
	in := st.Inputs
	kicker, what := "ÉTAT DES SOMMES DUES", fmt.Sprintf("État n° %d", st.Number)
	switch in.Kind {
	case ledger.CallKind:
		kicker, what = "APPEL DE FONDS", fmt.Sprintf("Appel de fonds n° %d (état n° %d)", in.Call, st.Number)
	case ledger.Final:
		kicker, what = "DÉCOMPTE FINAL", fmt.Sprintf("Décompte final (état n° %d)", st.Number)
	}
	if st.Version > 1 {
		what += fmt.Sprintf(", version %d", st.Version)
	}
	d := document{
		header:  fmt.Sprintf("%s — convention n° %s", what, in.Agreement.Reference),
		kicker:  kicker,
		heading: what,
		title:   fmt.Sprintf("Convention n° %s : %s", in.Agreement.Reference, in.Agreement.Title),
	}
	switch {
	case st.Status != ledger.Issued:
		d.notes = append(d.notes, "Projet — état non émis, susceptible d'être recalculé")
	default:
		d.notes = append(d.notes, fmt.Sprintf("Émis le %s par %s", civil.In(st.IssuedAt, civil.Paris).French(), st.IssuedBy))
	}
	if st.Corrects != 0 {
		d.notes = append(d.notes, fmt.Sprintf("Cette version corrige et remplace la version %d : %s", st.Version-1, st.Reason))
	}
	if st.SupersededBy != 0 {
		d.notes = append(d.notes, "Version remplacée par une version corrigée : elle ne donne plus lieu à titre ni à mandat")
	}
	parties := []block{para("Créancier : %s.", partyLine(in.Creditor))}
	for _, p := range in.Parties {
		if p.OrgID != in.Creditor.OrgID {
			parties = append(parties, para("Débiteur : %s.", partyLine(p)))
		}
	}

	period := "Période : " + periodFrench(in)
	if in.Label != "" {
		period += " (" + in.Label + ")"
	}
	object := []block{para("%s.", period), para("Objet : %s.", in.Object),
		para("Nature de la convention : %s.", in.Agreement.Kind.Label()), para("Mode financier : %s.", in.Mode.Label())}
	d.articles = append(d.articles, article{title: "1 — Objet et période", blocks: object},
		article{title: "2 — Parties", blocks: parties})

	// The first lines of Explain restate the convention, the period and
	// the creditor; the rule and the computation follow.
	var rule, computation []block
	inAmounts := false
	for _, line := range st.Result.Explain {
		switch {
		case strings.HasPrefix(line, "Règle appliquée : "):
			rule = append(rule, para("%s", strings.TrimPrefix(line, "Règle appliquée : ")))
		case line == "Montants dus :":
			inAmounts = true
		case inAmounts:
		case strings.HasPrefix(line, "État —"), strings.HasPrefix(line, "Appel de fonds n°"), strings.HasPrefix(line, "Décompte final —"),
			strings.HasPrefix(line, "Période : "), strings.HasPrefix(line, "Créancier : "):
		case strings.HasPrefix(line, "  "):
			computation = append(computation, block{kind: bullet, text: strings.TrimSpace(line)})
		default:
			computation = append(computation, para("%s", line))
		}
	}
	d.articles = append(d.articles, article{title: "3 — Règle appliquée", blocks: rule})
	d.articles = append(d.articles, article{title: "4 — Données et calcul", blocks: computation})

	var amounts []block
	for _, l := range st.Result.Lines {
		switch {
		case l.Own:
			amounts = append(amounts, block{kind: bullet, text: fmt.Sprintf("%s : %s, part supportée par le créancier lui-même (aucun titre).", l.Name, l.Amount)})
		case l.Amount > 0:
			amounts = append(amounts, block{kind: bullet, text: fmt.Sprintf("%s doit %s à %s.", l.Name, l.Amount, in.Creditor.Label)})
		case l.Amount < 0:
			amounts = append(amounts, block{kind: bullet, text: fmt.Sprintf("%s doit %s à %s.", in.Creditor.Label, -l.Amount, l.Name)})
		default:
			amounts = append(amounts, block{kind: bullet, text: fmt.Sprintf("%s : rien à payer pour la période.", l.Name)})
		}
	}
	amounts = append(amounts, block{kind: label, text: fmt.Sprintf("Total de l'état : %s", st.Result.Total)})
	d.articles = append(d.articles, article{title: "5 — Montants dus", blocks: amounts})

	var docs []block
	if len(flows) == 0 {
		docs = append(docs, para("Les titres de recettes et les mandats seront établis à l'émission de l'état."))
	} else {
		docs = append(docs, para("Chaque somme due donne lieu, pour son montant brut, à un titre de recettes du créancier et à un mandat du débiteur (principe de non-contraction) ; aucune compensation n'est opérée dans les budgets."))
	}
	for i, f := range flows {
		docs = append(docs, block{kind: label, text: fmt.Sprintf("Flux %d : %s → %s, %s", i+1, f.Debtor.Name, f.Creditor.Name, f.Amount)})
		docs = append(docs, block{kind: bullet, text: fmt.Sprintf("Titre de recettes %s%s%s.", deName(f.Creditor.Name),
			account(f.TitreAccount), recorded(f.Titre))})
		docs = append(docs, block{kind: bullet, text: fmt.Sprintf("Mandat %s%s%s.", deName(f.Debtor.Name),
			account(f.MandatAccount), recorded(f.Mandat))})
	}
	d.articles = append(d.articles, article{title: "6 — Titres de recettes et mandats", blocks: docs})

	var proof []block
	proof = append(proof, para("Les données de cet état (conditions financières, usages, clés et chiffres utilisés) sont conservées telles qu'elles étaient lors de son calcul. Leur empreinte SHA-256 est :"))
	proof = append(proof, block{kind: quoted, text: st.InputsSHA256})
	for _, n := range in.Notes {
		proof = append(proof, block{kind: caption, text: n})
	}
	d.articles = append(d.articles, article{title: "7 — Conservation des données", blocks: proof})
	d.closing = []string{fmt.Sprintf("Certifié exact par l'ordonnateur de %s.", in.Creditor.Name)}
	return d
}

func partyLine(p ledger.PartyRef) string {
	s := p.Name
	if p.SIREN != "" {
		s += " (SIREN " + p.SIREN + ")"
	}
	return s
}

func periodFrench(in ledger.Inputs) string {
	if in.From == in.To {
		return "le " + in.From.French()
	}
	return fmt.Sprintf("du %s au %s", in.From.French(), in.To.French())
}

func account(a string) string {
	if a == "" {
		return ", compte à déterminer avec le comptable"
	}
	return ", compte suggéré " + a
}

func recorded(d *ledger.Document) string {
	if d == nil {
		return ""
	}
	s := " — émis sous le n° " + d.Reference
	if !d.Date.IsZero() {
		s += " le " + d.Date.French()
	}
	if d.Account != "" {
		s += " (compte " + d.Account + ")"
	}
	return s
}
