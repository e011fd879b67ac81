-- The financial engine (issue 4): each convention's financial terms as the
-- ledger needs them, statements (états) computed from them and frozen when
-- issued, the gross flows each issued statement yields, the titre and
-- mandat references the finance officers record, the per-year M57 account
-- mapping, and each party's stated cost of doing alone what a convention
-- does. Type words in {{…}} are spelled per engine by store.typeWords;
-- statements are separated by "-- split" lines. Civil dates are ISO text
-- ("2026-04-30") on both engines; amounts are integer cents.

-- The structured financial terms of a convention (ledger.Terms as JSON):
-- the key, unit price, secondment pay or calls for funds that the
-- convention's financial article describes in words. Written by the
-- creditor party (creditor_org_id: who invoices), read by every party.
-- version guards against lost updates.
CREATE TABLE ledger_terms (
	agreement_id BIGINT PRIMARY KEY REFERENCES agreements (id) ON DELETE CASCADE,
	creditor_org_id BIGINT NOT NULL REFERENCES organisations (id),
	mode TEXT NOT NULL,
	terms TEXT NOT NULL,
	version BIGINT NOT NULL DEFAULT 1,
	updated_at {{timestamp}} NOT NULL,
	updated_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);
-- split
-- Statements (états). A draft may be recomputed or deleted; an issued
-- statement is never updated nor deleted: its inputs (the terms, usage
-- totals and key data it used, as JSON) are hashed (SHA-256, hex) and its
-- result kept beside them. A correction is a new row with the same number,
-- version + 1, and corrects_id naming the version it replaces; a statement
-- is current while no issued statement corrects it. kind: 'periodic' (a
-- period's état), 'call' (an appel de fonds, call_number ≥ 1), 'final' (the
-- décompte final of calls for funds). fiscal_year is the exercice the flows
-- belong to: the year of period_to.
CREATE TABLE ledger_statements (
	id {{id}},
	agreement_id BIGINT NOT NULL REFERENCES agreements (id),
	number INTEGER NOT NULL,
	version INTEGER NOT NULL,
	corrects_id BIGINT REFERENCES ledger_statements (id),
	status TEXT NOT NULL CHECK (status IN ('draft', 'issued')),
	kind TEXT NOT NULL CHECK (kind IN ('periodic', 'call', 'final')),
	call_number INTEGER NOT NULL DEFAULT 0,
	label TEXT NOT NULL DEFAULT '',
	period_from TEXT NOT NULL,
	period_to TEXT NOT NULL,
	fiscal_year INTEGER NOT NULL,
	creditor_org_id BIGINT NOT NULL REFERENCES organisations (id),
	mode TEXT NOT NULL,
	total BIGINT NOT NULL,
	inputs TEXT NOT NULL,
	inputs_sha256 TEXT NOT NULL,
	result TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	created_at {{timestamp}} NOT NULL,
	created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	created_by_name TEXT NOT NULL,
	issued_at {{timestamp}},
	issued_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	issued_by_name TEXT NOT NULL DEFAULT '',
	CHECK (period_from <= period_to),
	CHECK ((status = 'issued') = (issued_at IS NOT NULL)),
	UNIQUE (agreement_id, number, version)
);
-- split
CREATE INDEX ledger_statements_agreement ON ledger_statements (agreement_id, period_from);
-- split
CREATE INDEX ledger_statements_corrects ON ledger_statements (corrects_id);
-- split
-- Gross flows: one per debtor of an issued statement, from the debtor to
-- the creditor, for a positive amount. There is no net column and no
-- netting: reciprocal debts between two organisations are two rows. The
-- suggested M57 accounts are copied from ledger_accounts when the statement
-- is issued. Rows are never updated; a flow is current while its statement
-- is.
CREATE TABLE ledger_flows (
	id {{id}},
	statement_id BIGINT NOT NULL REFERENCES ledger_statements (id),
	agreement_id BIGINT NOT NULL REFERENCES agreements (id),
	creditor_org_id BIGINT NOT NULL REFERENCES organisations (id),
	debtor_org_id BIGINT NOT NULL REFERENCES organisations (id),
	amount BIGINT NOT NULL CHECK (amount > 0),
	fiscal_year INTEGER NOT NULL,
	titre_account TEXT NOT NULL DEFAULT '',
	mandat_account TEXT NOT NULL DEFAULT '',
	object TEXT NOT NULL,
	period_from TEXT NOT NULL,
	period_to TEXT NOT NULL,
	CHECK (creditor_org_id <> debtor_org_id)
);
-- split
CREATE INDEX ledger_flows_statement ON ledger_flows (statement_id);
-- split
CREATE INDEX ledger_flows_creditor ON ledger_flows (creditor_org_id, fiscal_year);
-- split
CREATE INDEX ledger_flows_debtor ON ledger_flows (debtor_org_id, fiscal_year);
-- split
-- The titre de recettes (side 'titre', recorded by the creditor's finance
-- officer) and the mandat (side 'mandat', by the debtor's) of a flow: their
-- number, date and the account actually used. Recording again replaces the
-- row; every recording is in the audit log.
CREATE TABLE ledger_flow_documents (
	flow_id BIGINT NOT NULL REFERENCES ledger_flows (id),
	side TEXT NOT NULL CHECK (side IN ('titre', 'mandat')),
	reference TEXT NOT NULL,
	issued_on TEXT,
	account TEXT NOT NULL DEFAULT '',
	recorded_at {{timestamp}} NOT NULL,
	recorded_by_name TEXT NOT NULL,
	PRIMARY KEY (flow_id, side)
);
-- split
-- Suggested M57 accounts, as data per fiscal year (domain.md §7): for an
-- instrument (agreement kind, or '*' for any), the relation of the
-- counterparty ('gfp_rattachement': the EPCI à FP the organisation belongs
-- to; 'commune_membre': a member commune of the EPCI; 'autre'; '*' for any)
-- and the side (the creditor's 'titre', the debtor's 'mandat'). The most
-- specific row wins; a year without rows uses the latest earlier year (or
-- the first year mapped, for a year before it). An empty account means "no
-- suggestion" and stops the fall-back. Edited by
-- platform admins (ledger.Service.SetAccount). Every account below is
-- domain.md §7's expectation, marked [U] there: to be checked against the
-- M57 chart of accounts in force on 1 January 2026.
CREATE TABLE ledger_accounts (
	year INTEGER NOT NULL,
	instrument TEXT NOT NULL,
	counterparty TEXT NOT NULL CHECK (counterparty IN ('gfp_rattachement', 'commune_membre', 'autre', '*')),
	side TEXT NOT NULL CHECK (side IN ('titre', 'mandat')),
	account TEXT NOT NULL,
	label TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (year, instrument, counterparty, side)
);
-- split
INSERT INTO ledger_accounts (year, instrument, counterparty, side, account, label) VALUES
	(2026, '*', 'commune_membre', 'titre', '70875', 'Remboursements de frais par les communes membres du GFP'),
	(2026, '*', 'gfp_rattachement', 'titre', '70876', 'Remboursements de frais par le GFP de rattachement'),
	(2026, '*', 'autre', 'titre', '70878', 'Remboursements de frais par d''autres redevables'),
	(2026, '*', 'commune_membre', 'mandat', '62875', 'Remboursements de frais aux communes membres du GFP'),
	(2026, '*', 'gfp_rattachement', 'mandat', '62876', 'Remboursements de frais au GFP de rattachement'),
	(2026, '*', 'autre', 'mandat', '62878', 'Remboursements de frais à d''autres organismes'),
	(2026, 'mise_a_disposition_personnel', 'commune_membre', 'titre', '70845', 'Mise à disposition de personnel facturée aux communes membres du GFP'),
	(2026, 'mise_a_disposition_personnel', 'gfp_rattachement', 'titre', '70846', 'Mise à disposition de personnel facturée au GFP de rattachement'),
	(2026, 'mise_a_disposition_personnel', 'autre', 'titre', '70848', 'Mise à disposition de personnel facturée aux autres organismes'),
	(2026, 'mise_a_disposition_personnel', 'gfp_rattachement', 'mandat', '6216', 'Personnel affecté par le GFP de rattachement'),
	(2026, 'mise_a_disposition_personnel', 'commune_membre', 'mandat', '6217', 'Personnel affecté par les communes membres du GFP'),
	(2026, 'mise_a_disposition_personnel', 'autre', 'mandat', '6218', 'Autre personnel extérieur'),
	(2026, 'equipement_partage', '*', 'titre', '7474', 'Participations — communes'),
	(2026, 'equipement_partage', '*', 'mandat', '65734', 'Subventions de fonctionnement aux communes'),
	(2026, 'partenariat_evenement', '*', 'titre', '7474', 'Participations — communes'),
	(2026, 'partenariat_evenement', '*', 'mandat', '65734', 'Subventions de fonctionnement aux communes'),
	(2026, 'frais_scolarite', '*', 'titre', '7474', 'Participations — communes'),
	(2026, 'frais_scolarite', '*', 'mandat', '6558', 'Autres contributions obligatoires'),
	(2026, 'biens_indivis', '*', 'titre', '7474', 'Participations — communes'),
	(2026, 'biens_indivis', '*', 'mandat', '6558', 'Autres contributions obligatoires'),
	(2026, 'mandat_maitrise_ouvrage', '*', 'titre', '4582', 'Opérations sous mandat — recettes'),
	(2026, 'mandat_maitrise_ouvrage', '*', 'mandat', '', 'À déterminer avec le comptable (dépense d''investissement du maître d''ouvrage)'),
	(2026, 'co_maitrise_ouvrage', '*', 'titre', '4582', 'Opérations sous mandat — recettes (à confirmer pour la co-maîtrise d''ouvrage)'),
	(2026, 'co_maitrise_ouvrage', '*', 'mandat', '', 'À déterminer avec le comptable (dépense d''investissement)');
-- split
-- What doing alone what a convention does would cost a party in a year, as
-- the party states it (standalone_cost), and what the party itself spends
-- on the cooperation outside the flows (own_cost: the provider's running
-- costs), for the per-commune year's comparison. Information only.
CREATE TABLE ledger_standalone_costs (
	agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	year INTEGER NOT NULL,
	standalone_cost BIGINT NOT NULL CHECK (standalone_cost >= 0),
	own_cost BIGINT NOT NULL DEFAULT 0 CHECK (own_cost >= 0),
	note TEXT NOT NULL DEFAULT '',
	recorded_at {{timestamp}} NOT NULL,
	recorded_by_name TEXT NOT NULL,
	PRIMARY KEY (agreement_id, org_id, year)
);
