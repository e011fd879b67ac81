-- Purchasing groups (groupements de commandes, CCP L2113-6 to L2113-8;
-- issue 6): one group per convention constitutive, its lots, each member's
-- needs per lot, the procedure decided on launch and each lot's award. The
-- members are the convention's current parties (agreement_parties), not
-- copied here. Civil dates are ISO text; amounts are integer cents excl.
-- VAT over the contract's whole duration.

-- A group. status 'preparing' while lots and needs are gathered;
-- 'launched' once the consultation is launched, when launch_date and
-- procedure_json (the purchasing.Procedure computed that day, as JSON, with the
-- thresholds it applied) are set and the needs are frozen. main_nature is
-- the nature of the main object chosen by the coordinator ('' lets the
-- values decide). version guards against lost updates; it also moves when a
-- need changes, so that a launch names the needs it saw.
CREATE TABLE purchasing_groups (
	id {{id}},
	agreement_id BIGINT NOT NULL UNIQUE REFERENCES agreements (id),
	title TEXT NOT NULL,
	main_nature TEXT NOT NULL DEFAULT '' CHECK (main_nature IN ('', 'supplies', 'services', 'works')),
	status TEXT NOT NULL CHECK (status IN ('preparing', 'launched')),
	launch_date TEXT,
	procedure_json TEXT,
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	CHECK ((status = 'launched') = (launch_date IS NOT NULL AND procedure_json IS NOT NULL))
);
-- split
-- A lot: label, main CPV code, nature, the contract's whole duration in
-- months (renewals included) and whether it is a framework agreement.
CREATE TABLE purchasing_lots (
	id {{id}},
	group_id BIGINT NOT NULL REFERENCES purchasing_groups (id) ON DELETE CASCADE,
	number INTEGER NOT NULL CHECK (number > 0),
	label TEXT NOT NULL,
	cpv TEXT NOT NULL,
	nature TEXT NOT NULL CHECK (nature IN ('supplies', 'services', 'works')),
	duration_months INTEGER NOT NULL CHECK (duration_months > 0),
	framework {{bool}} NOT NULL,
	UNIQUE (group_id, number)
);
-- split
-- A member's need in a lot over the whole duration (amount > 0; no row
-- means no need), entered as a total or as yearly × years. previous_cost is
-- what the member states it paid before for the same needs, private to the
-- member and the coordinator. version guards each line.
CREATE TABLE purchasing_needs (
	lot_id BIGINT NOT NULL REFERENCES purchasing_lots (id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	amount BIGINT NOT NULL CHECK (amount > 0),
	yearly BIGINT,
	years INTEGER,
	previous_cost BIGINT CHECK (previous_cost IS NULL OR previous_cost >= 0),
	version BIGINT NOT NULL DEFAULT 1,
	updated_at {{timestamp}} NOT NULL,
	updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	updated_by_name TEXT NOT NULL,
	PRIMARY KEY (lot_id, org_id),
	CHECK ((yearly IS NULL) = (years IS NULL))
);
-- split
CREATE INDEX purchasing_needs_org ON purchasing_needs (org_id);
-- split
-- A lot's award: the supplier, the date, and the unit prices (JSON list of
-- purchasing.UnitPrice, '[]' when prices are amounts).
CREATE TABLE purchasing_awards (
	lot_id BIGINT PRIMARY KEY REFERENCES purchasing_lots (id) ON DELETE CASCADE,
	supplier TEXT NOT NULL,
	supplier_siren TEXT NOT NULL DEFAULT '',
	awarded_on TEXT NOT NULL,
	unit_prices TEXT NOT NULL DEFAULT '[]',
	version BIGINT NOT NULL DEFAULT 1,
	updated_at {{timestamp}} NOT NULL,
	updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);
-- split
-- Each member's awarded price for its needs in the lot, and the quantities
-- it was priced from (JSON list of purchasing.Quantity, '[]' for an amount).
CREATE TABLE purchasing_award_prices (
	lot_id BIGINT NOT NULL REFERENCES purchasing_awards (lot_id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	amount BIGINT NOT NULL CHECK (amount >= 0),
	quantities TEXT NOT NULL DEFAULT '[]',
	PRIMARY KEY (lot_id, org_id)
);
