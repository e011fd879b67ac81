-- M57 accounts that take entries (domain.md §7, checked against the DGFiP's M57
-- nomenclature, TOTEM edition 2018: in M57 an account takes a titre or a
-- mandat only when it belongs to a budget chapter).
--
-- 7474 « Communes » and 65734 « Communes » are parent accounts without a
-- chapter: participations received go to 74741 (from member communes of the
-- GFP), 74748 (from other communes) or 74751 (from the GFP); subsidies paid
-- to 657341, 657348 or 657351. Only rows still holding the seeded number are
-- changed: an account a platform administrator set by hand is kept.
-- split
UPDATE ledger_accounts SET account = '74748', label = 'Participations — autres communes'
	WHERE account = '7474' AND counterparty = '*' AND side = 'titre';
-- split
UPDATE ledger_accounts SET account = '657348', label = 'Subventions de fonctionnement — autres communes'
	WHERE account = '65734' AND counterparty = '*' AND side = 'mandat';
-- split
INSERT INTO ledger_accounts (year, instrument, counterparty, side, account, label)
	SELECT a.year, a.instrument, 'commune_membre', 'titre', '74741', 'Participations — communes membres du GFP'
	FROM ledger_accounts a WHERE a.account = '74748' AND a.counterparty = '*' AND a.side = 'titre'
	AND NOT EXISTS (SELECT 1 FROM ledger_accounts b WHERE b.year = a.year AND b.instrument = a.instrument
		AND b.counterparty = 'commune_membre' AND b.side = 'titre');
-- split
INSERT INTO ledger_accounts (year, instrument, counterparty, side, account, label)
	SELECT a.year, a.instrument, 'gfp_rattachement', 'titre', '74751', 'Participations — GFP de rattachement'
	FROM ledger_accounts a WHERE a.account = '74748' AND a.counterparty = '*' AND a.side = 'titre'
	AND NOT EXISTS (SELECT 1 FROM ledger_accounts b WHERE b.year = a.year AND b.instrument = a.instrument
		AND b.counterparty = 'gfp_rattachement' AND b.side = 'titre');
-- split
INSERT INTO ledger_accounts (year, instrument, counterparty, side, account, label)
	SELECT a.year, a.instrument, 'commune_membre', 'mandat', '657341', 'Subventions de fonctionnement — communes membres du GFP'
	FROM ledger_accounts a WHERE a.account = '657348' AND a.counterparty = '*' AND a.side = 'mandat'
	AND NOT EXISTS (SELECT 1 FROM ledger_accounts b WHERE b.year = a.year AND b.instrument = a.instrument
		AND b.counterparty = 'commune_membre' AND b.side = 'mandat');
-- split
INSERT INTO ledger_accounts (year, instrument, counterparty, side, account, label)
	SELECT a.year, a.instrument, 'gfp_rattachement', 'mandat', '657351', 'Subventions de fonctionnement — GFP de rattachement'
	FROM ledger_accounts a WHERE a.account = '657348' AND a.counterparty = '*' AND a.side = 'mandat'
	AND NOT EXISTS (SELECT 1 FROM ledger_accounts b WHERE b.year = a.year AND b.instrument = a.instrument
		AND b.counterparty = 'gfp_rattachement' AND b.side = 'mandat');
-- split
-- The M57 labels of 70878 and 62878 (the M14 ones were kept by mistake).
UPDATE ledger_accounts SET label = 'Remboursements de frais par des tiers'
	WHERE account = '70878' AND label = 'Remboursements de frais par d''autres redevables';
-- split
UPDATE ledger_accounts SET label = 'Remboursements de frais à des tiers'
	WHERE account = '62878' AND label = 'Remboursements de frais à d''autres organismes';
