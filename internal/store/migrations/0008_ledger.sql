-- The financial engine's faces (issue 4, session 2): settlement of a
-- service commun against the attribution de compensation, and the
-- cancellation (titre d'annulation or de réduction, and the mandat's
-- cancellation) of documents already recorded for a flow whose statement
-- was corrected. Type words in {{…}} are spelled per engine by
-- store.typeWords; statements are separated by "-- split" lines.

-- How a flow is settled: '' by titre de recettes and mandat (the default),
-- 'attribution_compensation' by a reduction of the attribution de
-- compensation the EPCI à FPU pays the commune (CGCT L5211-4-2, CGI 1609
-- nonies C): no titre, no mandat, accounts 73211 / 739211.
ALTER TABLE ledger_flows ADD COLUMN settlement TEXT NOT NULL DEFAULT ''
	CHECK (settlement IN ('', 'attribution_compensation'));
-- split
-- ledger_flow_documents again, with two more sides: 'annulation_titre' (the
-- creditor's titre d'annulation or de réduction of a titre recorded for a
-- flow that a correction replaced) and 'annulation_mandat' (the debtor's
-- cancellation of its mandat). The table is rebuilt because SQLite cannot
-- change a CHECK constraint in place; every row is kept.
CREATE TABLE ledger_flow_documents_v2 (
	flow_id BIGINT NOT NULL REFERENCES ledger_flows (id),
	side TEXT NOT NULL CHECK (side IN ('titre', 'mandat', 'annulation_titre', 'annulation_mandat')),
	reference TEXT NOT NULL,
	issued_on TEXT,
	account TEXT NOT NULL DEFAULT '',
	recorded_at {{timestamp}} NOT NULL,
	recorded_by_name TEXT NOT NULL,
	PRIMARY KEY (flow_id, side)
);
-- split
INSERT INTO ledger_flow_documents_v2 (flow_id, side, reference, issued_on, account, recorded_at, recorded_by_name)
	SELECT flow_id, side, reference, issued_on, account, recorded_at, recorded_by_name FROM ledger_flow_documents;
-- split
DROP TABLE ledger_flow_documents;
-- split
ALTER TABLE ledger_flow_documents_v2 RENAME TO ledger_flow_documents;
-- split
-- The accounts of a service commun charged against the attribution de
-- compensation, keyed by the settlement in place of an instrument: the
-- commune's side is always 73211 (attribution de compensation received,
-- reduced), the EPCI's always 739211 (reversal of attribution de
-- compensation, reduced). domain.md §7, marked [U] there.
INSERT INTO ledger_accounts (year, instrument, counterparty, side, account, label) VALUES
	(2026, 'attribution_compensation', 'commune_membre', 'titre', '739211', 'Reversements d''attribution de compensation (réduits du coût du service commun)'),
	(2026, 'attribution_compensation', 'commune_membre', 'mandat', '739211', 'Reversements d''attribution de compensation (réduits du coût du service commun)'),
	(2026, 'attribution_compensation', 'gfp_rattachement', 'titre', '73211', 'Attribution de compensation (reçue, réduite du coût du service commun)'),
	(2026, 'attribution_compensation', 'gfp_rattachement', 'mandat', '73211', 'Attribution de compensation (reçue, réduite du coût du service commun)');
-- split
-- The history of a statement (who drafted, issued, corrected it) is read
-- from the audit log by entity.
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
