package api

// The access rule the read routes share (README, « Accounts, roles and the
// audit log »): a record belonging to others that the caller may not see (a
// booking, an agent, a secondment, a statement…) answers 404, so that its
// existence does not leak; a list scoped to an organisation, which is
// public, answers 403 to a caller who is not a member of it, with a French
// message saying so.

import (
	"errors"
	"net/http"

	"voisines/internal/auth"
	"voisines/internal/server/problem"
)

// orgListAllowed authorises a list scoped to organisation orgID: it
// answers 404 for an organisation that does not exist and 403 for a caller
// who is not a member of it (any role) nor a platform admin, naming what
// the list shows (what, e.g. "ses agents"). It reports whether the handler
// may go on.
func (h *Handler) orgListAllowed(w http.ResponseWriter, r *http.Request, a auth.Actor, orgID int64, what string) bool {
	if _, err := h.orgs.Get(r.Context(), orgID); err != nil {
		h.Fail(w, r, err)
		return false
	}
	err := auth.Authorize(a, auth.ReadPrivate, orgID)
	switch {
	case err == nil:
		return true
	case errors.Is(err, auth.ErrForbidden):
		h.WriteProblem(w, r, problem.Problem{Status: http.StatusForbidden, Code: "forbidden", Message: notMemberMessage(what)})
	default:
		h.Fail(w, r, err)
	}
	return false
}

// notMemberMessage is the French message of a list of an organisation
// refused to a non-member; what is what the list shows ("ses agents").
func notMemberMessage(what string) string {
	return "Vous n'êtes pas membre de cette organisation : seuls ses membres peuvent consulter " + what + "."
}
