package agreement

import "slices"

// Needed is one approval a convention needs: a requirement of its kind and
// the party that must record it (OrgID 0 for an act made once, by no party).
type Needed struct {
	Requirement
	OrgID     int64  `json:"org_id,omitempty"`
	PartyName string `json:"party_name,omitempty"`
}

// Requirements returns the approvals the convention needs before signature:
// its kind's, plus those its own terms add (the accountant's approval when
// an event's ticketing is entrusted under L1611-7-1).
func Requirements(a Agreement) []Requirement {
	spec, ok := Lookup(a.Kind)
	if !ok {
		return nil
	}
	reqs := spec.Approvals
	if a.Kind == PartenariatEvenement && a.Event.Ticketing {
		reqs = append(reqs, Requirement{Kind: AccountantApproval, Roles: []Role{RolePartner}, PublicOnly: true,
			Title: "Avis conforme du comptable public sur le mandat d'encaissement des recettes", Basis: cgct("L1611-7-1")})
	}
	return reqs
}

// RequiredApprovals returns every approval the convention needs, one per
// party concerned, in party order.
func RequiredApprovals(a Agreement) []Needed {
	var out []Needed
	for _, r := range Requirements(a) {
		if r.Once {
			out = append(out, Needed{Requirement: r})
			continue
		}
		for _, p := range a.Parties {
			if r.applies(p) {
				out = append(out, Needed{Requirement: r, OrgID: p.OrgID, PartyName: p.Name})
			}
		}
	}
	return out
}

// MissingApprovals returns the required approvals not yet recorded, or
// recorded as unfavourable (a rejected deliberation, a refused consent).
func MissingApprovals(a Agreement) []Needed {
	var out []Needed
	for _, n := range RequiredApprovals(a) {
		if _, ok := a.approval(n.OrgID, n.Kind); !ok {
			out = append(out, n)
		}
	}
	return out
}

// approval returns the earliest approval of that party and kind that
// counts (the convention's, before any avenant's).
func (a Agreement) approval(orgID int64, kind ApprovalKind) (Approval, bool) {
	var found Approval
	ok := false
	for _, ap := range a.allApprovals() {
		if ap.OrgID == orgID && ap.Kind == kind && ap.Decision == "" && ap.counts() {
			if !ok || ap.Date.Before(found.Date) {
				found, ok = ap, true
			}
		}
	}
	return found, ok
}

// DefaultBody returns the usual name of the body that makes an approval of
// kind k for an organisation of kind o: "Conseil municipal" for a commune's
// deliberation. Forms use it as the default of Approval.Body.
func DefaultBody(o OrgKind, k ApprovalKind) string {
	switch k {
	case Deliberation, Ratification:
		switch o {
		case Commune:
			return "Conseil municipal"
		case EPCI:
			return "Conseil communautaire"
		case SyndicatCommunes, SyndicatMixte:
			return "Comité syndical"
		case CommissionSyndicale:
			return "Commission syndicale"
		case Departement:
			return "Conseil départemental"
		case Region:
			return "Conseil régional"
		case EPARattache, Association, OrganismePrive:
			return "Conseil d'administration"
		}
	case CouncilInformation:
		return DefaultBody(o, Deliberation)
	case CSTOpinion:
		return "Comité social territorial"
	case AgentConsent:
		return "Agent"
	case Arrete:
		if o == Commune {
			return "Maire"
		}
		return "Président"
	case PrefectOrder:
		return "Préfet"
	case AccountantApproval:
		return "Comptable public"
	}
	return ""
}

// allApprovals returns the convention's approvals and those of its
// avenants (a party an avenant adds approves through the avenant).
func (a Agreement) allApprovals() []Approval {
	out := slices.Clip(a.Approvals)
	for _, am := range a.Amendments {
		out = append(out, am.Approvals...)
	}
	return out
}
