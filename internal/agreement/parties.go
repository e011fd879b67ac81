package agreement

import (
	"context"
	"fmt"
	"strings"

	"voisines/internal/org"
	"voisines/internal/territory"
	"voisines/internal/validate"
)

// Organisations finds the organisations a convention names, by id or by
// the code (INSEE code, SIREN) an import file gives; *org.Service is one.
type Organisations interface {
	Get(ctx context.Context, id int64) (org.Organisation, error)
	Resolve(ctx context.Context, ref string) (org.Organisation, error)
}

// Territory gives the official data of communes and EPCI a party snapshot
// needs; *territory.Service is one.
type Territory interface {
	Commune(ctx context.Context, code string) (territory.Commune, error)
	EPCI(ctx context.Context, siren string) (territory.EPCI, error)
}

// PartyInput names an organisation party to a convention, the role it holds
// and who signs for it. The service turns it into a Party snapshot from the
// organisation and the territory, so that the rules check real data.
type PartyInput struct {
	OrgID int64 `json:"org_id"`
	Role  Role  `json:"role"`
	// Representative defaults to the organisation's representative (its
	// public profile) with the usual title ("Maire", "Président").
	Representative Representative `json:"representative,omitzero"`
	// AttachedCommune (INSEE code) or AttachedEPCI (SIREN) is, for an
	// établissement public rattaché (CCAS, caisse des écoles), the authority
	// it belongs to; organisations do not record it, so the drafter states
	// it. Ignored for other kinds of organisation.
	AttachedCommune string `json:"attached_commune,omitempty"`
	AttachedEPCI    string `json:"attached_epci,omitempty"`
}

// Input is the content of a convention as a form, the API or an import
// gives it: what Create, UpdateDraft and Amend take. Content.Parties is
// ignored: the parties are built from Parties.
type Input struct {
	Kind    Kind         `json:"kind"`
	Content Content      `json:"content"`
	Parties []PartyInput `json:"parties"`
}

// buildParties makes the Party snapshots of inputs, in order (see
// snapshot). Unknown organisations, communes or EPCI are validate.Errors
// naming parties[i].
func buildParties(ctx context.Context, orgs Organisations, terr Territory, inputs []PartyInput) ([]Party, error) {
	var errs validate.Errors
	parties := make([]Party, 0, len(inputs))
	for i, in := range inputs {
		field := func(sub string) string { return fmt.Sprintf("parties[%d].%s", i, sub) }
		if in.OrgID <= 0 {
			errs.Add(field("org_id"), "l'organisation de la partie n° %d n'est pas choisie", i+1)
			continue
		}
		o, err := orgs.Get(ctx, in.OrgID)
		if isNotFound(err) {
			errs.Add(field("org_id"), "l'organisation n° %d n'existe pas", in.OrgID)
			continue
		} else if err != nil {
			return nil, err
		}
		p, perrs, err := snapshot(ctx, terr, o, in, field)
		if err != nil {
			return nil, err
		}
		errs = append(errs, perrs...)
		parties = append(parties, p)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return parties, nil
}

// snapshot makes the Party of organisation o as in names it: the
// organisation's kind, name, SIREN, INSEE code and département; for a
// commune its EPCI à fiscalité propre and the Alsace-Moselle flag from the
// territory; for an EPCI whether it levies the FPU; for an établissement
// rattaché the authority it belongs to. Problems are returned as field
// errors named by field.
func snapshot(ctx context.Context, terr Territory, o org.Organisation, in PartyInput, field func(string) string) (Party, validate.Errors, error) {
	var errs validate.Errors
	p := Party{
		OrgID:           o.ID,
		Kind:            o.Kind,
		Name:            o.Name,
		SIREN:           o.SIREN,
		CommuneCode:     o.CommuneCode,
		DepartementCode: o.DepartementCode,
		Role:            Role(strings.TrimSpace(string(in.Role))),
		Representative:  representative(in.Representative, o),
	}
	switch p.Kind {
	case Commune:
		c, err := terr.Commune(ctx, o.CommuneCode)
		if isNotFound(err) {
			errs.Add(field("org_id"), "la commune %s de « %s » est absente du territoire importé", validate.Quote(o.CommuneCode), o.Name)
			break
		} else if err != nil {
			return Party{}, nil, err
		}
		p.EPCISIREN = c.EPCISIREN
		p.AlsaceMoselle = c.AlsaceMoselle
		if p.SIREN == "" {
			p.SIREN = c.SIREN
		}
		if p.DepartementCode == "" {
			p.DepartementCode = c.DepartementCode
		}
	case EPCI:
		if p.SIREN == "" {
			p.SIREN = o.EPCISIREN
		}
		e, err := terr.EPCI(ctx, p.SIREN)
		if isNotFound(err) {
			errs.Add(field("org_id"), "l'EPCI %s de « %s » est absent du territoire importé", validate.Quote(p.SIREN), o.Name)
			break
		} else if err != nil {
			return Party{}, nil, err
		}
		p.FPU = e.FPU()
	case EPARattache:
		p.AttachedCommune = strings.TrimSpace(in.AttachedCommune)
		p.AttachedEPCI = strings.TrimSpace(in.AttachedEPCI)
		if p.AttachedCommune != "" {
			if _, err := terr.Commune(ctx, p.AttachedCommune); isNotFound(err) {
				errs.Add(field("attached_commune"), "%s n'est pas le code INSEE d'une commune", validate.Quote(p.AttachedCommune))
			} else if err != nil {
				return Party{}, nil, err
			}
		}
		if p.AttachedEPCI != "" {
			if _, err := terr.EPCI(ctx, p.AttachedEPCI); isNotFound(err) {
				errs.Add(field("attached_epci"), "%s n'est pas le SIREN d'un EPCI à fiscalité propre", validate.Quote(p.AttachedEPCI))
			} else if err != nil {
				return Party{}, nil, err
			}
		}
	}
	errs.Check(validate.MaxLen(field("representative.name"), p.Representative.Name, 200))
	errs.Check(validate.MaxLen(field("representative.title"), p.Representative.Title, 200))
	errs.Check(validate.MaxLen(field("representative.authority"), p.Representative.Authority, 500))
	return p, errs, nil
}

// Party resolves the code of an organisation found in an import file — an
// INSEE commune code or a SIREN — into its Party snapshot, without role:
// the service is the Resolver ParseImport needs. An unknown code wraps
// ErrUnknownParty.
func (s *Service) Party(ctx context.Context, code string) (Party, error) {
	o, err := s.orgs.Resolve(ctx, code)
	if isNotFound(err) {
		return Party{}, fmt.Errorf("%w: %s", ErrUnknownParty, code)
	} else if err != nil {
		return Party{}, err
	}
	p, errs, err := snapshot(ctx, s.terr, o, PartyInput{OrgID: o.ID}, func(sub string) string { return sub })
	if err != nil {
		return Party{}, err
	}
	if len(errs) > 0 {
		return Party{}, fmt.Errorf("%w: %s (%s)", ErrUnknownParty, code, errs.Error())
	}
	return p, nil
}

// representative completes in from the organisation's profile: its
// representative's name, and the usual title of the head of such a body.
func representative(in Representative, o org.Organisation) Representative {
	in.Name = strings.TrimSpace(in.Name)
	in.Title = strings.TrimSpace(in.Title)
	in.Authority = strings.TrimSpace(in.Authority)
	if in.Name == "" {
		in.Name = o.Profile.Representative
	}
	if in.Title == "" && in.Name != "" {
		switch o.Kind {
		case org.Commune:
			in.Title = "Maire"
		case org.CommissionSyndicale:
			in.Title = "Syndic"
		default:
			in.Title = "Président"
		}
	}
	return in
}
