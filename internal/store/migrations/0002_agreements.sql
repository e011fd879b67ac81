-- Conventions (issue 3): each convention is kept as one JSON document (the
-- agreement.Agreement value, which is the truth), with the columns lists,
-- filters and authorisation need copied beside it and kept in step by
-- internal/agreement/store.go in the same transaction. Type words in {{…}}
-- are spelled per engine by store.typeWords; dates are ISO text
-- ("2026-04-30") on both engines, so that they compare as strings.

-- The last number given to a convention created in each year: references
-- are "2026-0001", "2026-0002"… across the whole platform, so that a
-- reference names one convention in the open data too.
CREATE TABLE agreement_numbers (
	year INTEGER PRIMARY KEY,
	last_number BIGINT NOT NULL
);
-- split
-- version increases on every write; a write naming an older version is
-- refused (optimistic concurrency). It is not the number of avenants, which
-- the document keeps. end_date is the last day the convention applies: its
-- term after renewals, or the day before a termination takes effect.
-- external_reference is the number the parties knew the convention by
-- before Voisines (from an import), unique per lead organisation; notes are
-- the import's free notes, private like the document.
CREATE TABLE agreements (
	id {{id}},
	reference TEXT NOT NULL UNIQUE,
	external_reference TEXT NOT NULL DEFAULT '',
	notes TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('brouillon', 'soumise', 'approuvee', 'signee', 'en_vigueur', 'expiree', 'resiliee')),
	title TEXT NOT NULL,
	lead_org_id BIGINT NOT NULL REFERENCES organisations (id),
	start_date TEXT,
	end_date TEXT,
	signed_on TEXT,
	version BIGINT NOT NULL DEFAULT 1,
	document TEXT NOT NULL,
	created_at {{timestamp}} NOT NULL,
	updated_at {{timestamp}} NOT NULL,
	created_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);
-- split
CREATE INDEX agreements_status_end ON agreements (status, end_date);
-- split
CREATE INDEX agreements_kind ON agreements (kind);
-- split
CREATE INDEX agreements_lead ON agreements (lead_org_id);
-- split
CREATE UNIQUE INDEX agreements_external_reference ON agreements (lead_org_id, external_reference)
	WHERE external_reference <> '';
-- split
-- Every organisation that is or was party to a convention, with its role:
-- what authorisation and the register's filters read. is_current is false for
-- a party an avenant removed; it keeps read access to what it signed.
CREATE TABLE agreement_parties (
	agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	role TEXT NOT NULL,
	is_current {{bool}} NOT NULL DEFAULT TRUE,
	PRIMARY KEY (agreement_id, org_id, role)
);
-- split
CREATE INDEX agreement_parties_org ON agreement_parties (org_id, agreement_id);
-- split
-- The content of every version of a convention: number 0 is the initial
-- convention (rewritten while it is a draft), number n the content after
-- avenant n, with the avenant's date, purpose and what it changed (a JSON
-- list of agreement.Change).
CREATE TABLE agreement_versions (
	agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
	number INTEGER NOT NULL,
	content TEXT NOT NULL,
	amended_on TEXT,
	reason TEXT NOT NULL DEFAULT '',
	changes TEXT NOT NULL DEFAULT '[]',
	created_at {{timestamp}} NOT NULL,
	created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	PRIMARY KEY (agreement_id, number)
);
-- split
-- Signed scans, deliberations and annexes. The bytes live in the database so
-- that every serve instance can answer a download; sha256 (hex) and size are
-- those of data, checked when it is stored.
CREATE TABLE agreement_attachments (
	id {{id}},
	agreement_id BIGINT NOT NULL REFERENCES agreements (id) ON DELETE CASCADE,
	org_id BIGINT NOT NULL REFERENCES organisations (id),
	uploaded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
	filename TEXT NOT NULL,
	content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
	size BIGINT NOT NULL CHECK (size > 0),
	sha256 TEXT NOT NULL,
	kind TEXT NOT NULL,
	data {{blob}} NOT NULL,
	created_at {{timestamp}} NOT NULL
);
-- split
CREATE INDEX agreement_attachments_agreement ON agreement_attachments (agreement_id, id);
