-- Staff secondment (issue 6, mise à disposition individuelle de personnel,
-- CGFP L512-6 ff., décret 2008-580): the agents an organisation employs
-- (only the HR data the secondment needs), each agent's annual cost per
-- year, the secondments under their conventions, the time worked at the
-- host when a secondment is billed in real time, and the reimbursements
-- computed through the financial engine. Type words in {{…}} are spelled
-- per engine by store.typeWords; statements are separated by "-- split"
-- lines. Civil dates are ISO text ("2026-04-30") on both engines; amounts
-- are integer cents. Every row is personal data: internal/staff lets only
-- the employer's users, and the host's for the agents seconded to it, read
-- it.

-- An agent of an employer organisation. status: 'titulaire' and
-- 'stagiaire' (fonctionnaires), 'cdi' and 'cdd' (contract staff; only
-- 'cdi' may be seconded). version guards against lost updates.
CREATE TABLE staff_agents (
	id {{id}},
	employer_org_id BIGINT NOT NULL REFERENCES organisations (id),
	family_name TEXT NOT NULL,
	given_name TEXT NOT NULL,
	grade TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('titulaire', 'stagiaire', 'cdi', 'cdd')),
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	created_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);
-- split
CREATE INDEX staff_agents_employer ON staff_agents (employer_org_id, family_name);
-- split
-- An agent's annual cost to its employer for one civil year: gross pay
-- (traitement and bonuses), employer contributions, and other lines (a
-- JSON list of money.CostLine, each repaid or not), with the source of the
-- figures ("DSN décembre 2025").
CREATE TABLE staff_agent_costs (
	agent_id BIGINT NOT NULL REFERENCES staff_agents (id) ON DELETE CASCADE,
	year INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
	gross_pay BIGINT NOT NULL CHECK (gross_pay >= 0),
	employer_contributions BIGINT NOT NULL CHECK (employer_contributions >= 0),
	other_lines TEXT NOT NULL DEFAULT '[]',
	source TEXT NOT NULL,
	version BIGINT NOT NULL DEFAULT 1,
	updated_at {{timestamp}} NOT NULL,
	updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	PRIMARY KEY (agent_id, year)
);
-- split
-- A secondment: one agent, under one convention of kind
-- mise_a_disposition_personnel (agreement_id is unique: the financial
-- engine keeps one set of terms per convention, so a collective
-- convention carries one billed secondment), from the employer (the
-- convention's administration d'origine) to a host party, at a quotité
-- kept as an exact fraction. billing: 'prorata' (annual cost × quotité ×
-- months / 12) or 'temps_reel' (time records × annual cost / annual_hours).
CREATE TABLE staff_secondments (
	id {{id}},
	agreement_id BIGINT NOT NULL UNIQUE REFERENCES agreements (id),
	agent_id BIGINT NOT NULL REFERENCES staff_agents (id),
	employer_org_id BIGINT NOT NULL REFERENCES organisations (id),
	host_org_id BIGINT NOT NULL REFERENCES organisations (id),
	quotite_num BIGINT NOT NULL CHECK (quotite_num > 0),
	quotite_den BIGINT NOT NULL CHECK (quotite_den >= quotite_num),
	start_date TEXT NOT NULL,
	end_date TEXT NOT NULL,
	activities TEXT NOT NULL,
	arrete_reference TEXT NOT NULL DEFAULT '',
	arrete_date TEXT,
	billing TEXT NOT NULL CHECK (billing IN ('prorata', 'temps_reel')),
	annual_hours BIGINT NOT NULL CHECK (annual_hours > 0),
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	CHECK (start_date <= end_date),
	CHECK (employer_org_id <> host_org_id)
);
-- split
CREATE INDEX staff_secondments_agent ON staff_secondments (agent_id);
-- split
CREATE INDEX staff_secondments_host ON staff_secondments (host_org_id, end_date);
-- split
CREATE INDEX staff_secondments_employer ON staff_secondments (employer_org_id, end_date);
-- split
-- Time worked at the host under a secondment billed in real time, in whole
-- minutes, entered by a user of the host or of the employer
-- (entered_by_org_id). Each row has its usage record (usage_records,
-- source 'service', source_ref 'staff-time/<id>', unit 'minute'), written
-- in the same transaction.
CREATE TABLE staff_time_records (
	id {{id}},
	secondment_id BIGINT NOT NULL REFERENCES staff_secondments (id),
	worked_on TEXT NOT NULL,
	minutes BIGINT NOT NULL CHECK (minutes > 0 AND minutes <= 1440),
	activity TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	entered_by_org_id BIGINT NOT NULL REFERENCES organisations (id),
	version BIGINT NOT NULL DEFAULT 1,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	created_by_name TEXT NOT NULL
);
-- split
CREATE INDEX staff_time_records_secondment ON staff_time_records (secondment_id, worked_on);
-- split
-- A reimbursement computed for a secondment and a period: the ledger
-- statement drafted from it (deleted with the statement when a draft is
-- deleted) and the basis used — the cost year and annual cost, the quotité
-- (the convention's, or for real time the effective one, as a fraction
-- "num/den"), the minutes worked and the annual hours.
CREATE TABLE staff_reimbursements (
	id {{id}},
	secondment_id BIGINT NOT NULL REFERENCES staff_secondments (id),
	statement_id BIGINT NOT NULL UNIQUE REFERENCES ledger_statements (id) ON DELETE CASCADE,
	period_from TEXT NOT NULL,
	period_to TEXT NOT NULL,
	label TEXT NOT NULL DEFAULT '',
	billing TEXT NOT NULL CHECK (billing IN ('prorata', 'temps_reel')),
	cost_year INTEGER NOT NULL,
	annual_cost BIGINT NOT NULL,
	quotite TEXT NOT NULL,
	minutes BIGINT NOT NULL DEFAULT 0,
	annual_hours BIGINT NOT NULL,
	amount BIGINT NOT NULL,
	computed_at {{timestamp}} NOT NULL,
	computed_by_name TEXT NOT NULL,
	CHECK (period_from <= period_to)
);
-- split
CREATE INDEX staff_reimbursements_secondment ON staff_reimbursements (secondment_id, period_from);
