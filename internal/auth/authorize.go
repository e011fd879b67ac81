package auth

// Authorize is the one authorisation check: it returns nil when actor may
// perform action for organisation orgID, ErrUnauthenticated for an anonymous
// actor (or a disabled user), and ErrForbidden otherwise. Platform admins and the system actor may
// do everything; any other user needs a membership of orgID whose role
// allows the action (see Role.Allows). It reads only the actor, whose
// memberships Resume loaded from the database for this request.
func Authorize(actor Actor, action Action, orgID int64) error {
	switch {
	case actor.IsSystem():
		return nil
	case actor.User == nil, actor.User.Disabled:
		return ErrUnauthenticated
	case actor.User.PlatformAdmin:
		return nil
	}
	for _, m := range actor.User.Memberships {
		if m.OrgID == orgID && m.Role.Allows(action) {
			return nil
		}
	}
	return ErrForbidden
}

// RequirePlatformAdmin returns nil for a platform admin or the system actor,
// ErrUnauthenticated for an anonymous actor and ErrForbidden otherwise.
func RequirePlatformAdmin(actor Actor) error {
	switch {
	case actor.IsSystem():
		return nil
	case actor.User == nil, actor.User.Disabled:
		return ErrUnauthenticated
	case actor.User.PlatformAdmin:
		return nil
	}
	return ErrForbidden
}

// ActsFor returns the organisations for which actor may perform action, for
// lists and menus; all is true for platform admins and the system actor, who
// may act for every organisation (ids is then nil).
func ActsFor(actor Actor, action Action) (ids []int64, all bool) {
	if actor.PlatformAdmin() {
		return nil, true
	}
	if actor.User == nil || actor.User.Disabled {
		return nil, false
	}
	for _, m := range actor.User.Memberships {
		if m.Role.Allows(action) {
			ids = append(ids, m.OrgID)
		}
	}
	return ids, false
}
