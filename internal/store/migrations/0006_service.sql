-- Shared services (issue 6): a service one organisation runs for others
-- under a convention of mise à disposition de services (CGCT L5211-4-1,
-- D5211-16), of L5111-1-1 (R5111-1, service unifié included) or of service
-- commun (L5211-4-2); its unit of work and act weights, its cost lines per
-- year (the D5211-16 unit cost), and each notification of that unit cost
-- with its recipients. Usage itself is in usage_records (source 'service'
-- or 'import'); statements and flows are the ledger's. Type words in {{…}}
-- are spelled per engine by store.typeWords; statements are separated by
-- "-- split" lines. Civil dates are ISO text; amounts are integer cents;
-- exact quantities and unit costs are money.Rat strings ("531/2").

-- One service per convention: its provider (the party holding the creditor
-- role of the convention's kind), its unit of work (hour, weighted act, km,
-- intervention) and, for acts, the weight table as JSON
-- ([{"type":"PC","label":"Permis de construire","weight":"1"}…]); how the
-- convention rounds (each line, and the unit cost first or not); and
-- whether it is charged against the attribution de compensation (service
-- commun of an EPCI with FPU). version guards against lost updates.
CREATE TABLE services (
	id {{id}},
	agreement_id BIGINT NOT NULL UNIQUE REFERENCES agreements (id),
	provider_org_id BIGINT NOT NULL REFERENCES organisations (id),
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	unit TEXT NOT NULL CHECK (unit IN ('hour', 'act', 'km', 'intervention')),
	weights TEXT NOT NULL DEFAULT '[]',
	rounding TEXT NOT NULL,
	round_unit_cost_first {{bool}} NOT NULL,
	charge_against_ac {{bool}} NOT NULL,
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);
-- split
CREATE INDEX services_provider ON services (provider_org_id);
-- split
-- A service's year: where its cost lines come from (the compte
-- administratif of year N-1), the update for the budget primitif of year N
-- (may be negative, with its reason) and the forecast units; the unit cost
-- is computed from them when read, never stored.
CREATE TABLE service_years (
	service_id BIGINT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	year INTEGER NOT NULL,
	source TEXT NOT NULL,
	budget_update BIGINT NOT NULL DEFAULT 0,
	budget_update_reason TEXT NOT NULL DEFAULT '',
	forecast_units TEXT NOT NULL,
	version BIGINT NOT NULL DEFAULT 1,
	updated_at {{timestamp}} NOT NULL,
	updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	PRIMARY KEY (service_id, year)
);
-- split
-- The cost lines of a service's year, in order, each eligible or excluded
-- with its reason (D5211-16 excludes what is "non strictement liée au
-- fonctionnement du service"). Replaced as a whole when the year is saved.
CREATE TABLE service_cost_lines (
	service_id BIGINT NOT NULL,
	year INTEGER NOT NULL,
	position INTEGER NOT NULL,
	category TEXT NOT NULL CHECK (category IN ('personnel', 'fournitures', 'renouvellement', 'contrats', 'autre')),
	label TEXT NOT NULL,
	amount BIGINT NOT NULL CHECK (amount >= 0),
	eligible {{bool}} NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (service_id, year, position),
	FOREIGN KEY (service_id, year) REFERENCES service_years (service_id, year) ON DELETE CASCADE
);
-- split
-- Each notification of a year's unit cost to the beneficiaries: the day,
-- the unit cost notified (exact, and as applied when the convention rounds
-- it to the cent first), the legal deadline it was measured against (NULL
-- for a service commun, to which D5211-16 does not formally apply) and
-- whether it was late. The convention keeps its own record of the day
-- (agreement.UnitCostNotice); the recipients are kept here. Never updated.
CREATE TABLE service_notices (
	id {{id}},
	service_id BIGINT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
	year INTEGER NOT NULL,
	notified_on TEXT NOT NULL,
	unit_cost TEXT NOT NULL,
	applied_unit_cost TEXT NOT NULL,
	deadline TEXT,
	late {{bool}} NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	recorded_at {{timestamp}} NOT NULL,
	recorded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	recorded_by_name TEXT NOT NULL
);
-- split
CREATE INDEX service_notices_service ON service_notices (service_id, year, notified_on);
-- split
-- The beneficiaries a notification was sent to.
CREATE TABLE service_notice_recipients (
	notice_id BIGINT NOT NULL REFERENCES service_notices (id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	PRIMARY KEY (notice_id, org_id)
);
