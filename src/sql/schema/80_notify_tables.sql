
-- agingos install script, part 80: carer notifications (contract.md section
-- 10, docs/notifications.md).  contacts: who is told; notifications: the
-- outbox the relay agingos-notify delivers from.  Both keyed by home first
-- (contract.md section 14).

-- agingos_relay: the role agingos-notify's login role (agingos_notify,
-- created by `make up`) is a member of; EXECUTE on the relay functions only
-- (granted in src/sql/code/80_notify.sql).
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'agingos_relay') THEN
		CREATE ROLE agingos_relay NOLOGIN;
	END IF;
END
$$;

-- contacts: one row per person or system told about a home's deviations.
-- escalation_level 0 is told at open; level L after L x
-- notify.escalate_after_minutes without ACK.  active = false after
-- agingos_remove_contact (rows stay for the sent history).
CREATE TABLE agingos.contacts (
	contact_id	bigint GENERATED ALWAYS AS IDENTITY,
	home_id		text NOT NULL REFERENCES agingos.homes (home_id),
	name		text NOT NULL,
	channel		text NOT NULL CHECK (channel IN ('webhook', 'apprise', 'alertmanager')),
	target		text NOT NULL,
	escalation_level integer NOT NULL DEFAULT 0 CHECK (escalation_level BETWEEN 0 AND 100),
	min_severity text NOT NULL DEFAULT 'LOW' CHECK (min_severity IN ('LOW', 'MEDIUM', 'HIGH')),
	quiet_hours text CHECK (quiet_hours ~ '^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$'),
	active		boolean NOT NULL DEFAULT true,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	removed_at	timestamptz,
	PRIMARY KEY (home_id, contact_id)
);
-- The lookups by id alone: agingos_remove_contact(contact_id) and an ACK-link
-- token (it names the contact, whose home is then the key of the deviation).
-- Not unique: contact_id is unique as a value (one identity sequence) and the
-- key is (home_id, contact_id) (docs/scale.md).
CREATE INDEX contacts_contact_id_idx ON agingos.contacts (contact_id);
COMMENT ON TABLE agingos.contacts IS 'Who is told about a home''s deviations, on which channel and escalation level (contract section 10).';

-- notifications: the outbox, written in the same transaction as the
-- lifecycle change (or tick) that causes the message.  kind: opened |
-- escalated | reminder | severity_changed | acked | closed.  status: pending
-- -> sent | dead.  next_attempt_at: not before (quiet hours, back-off).
-- severity and escalation_level: as they were when the row was written.
CREATE TABLE agingos.notifications (
	notification_id bigint GENERATED ALWAYS AS IDENTITY,
	home_id		text NOT NULL,
	deviation_id bigint NOT NULL,	-- no foreign key: retention and reset delete both (agingos_retention)
	contact_id	bigint NOT NULL,
	kind		text NOT NULL CHECK (kind IN ('opened', 'escalated', 'reminder', 'severity_changed', 'acked', 'closed')),
	status		text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'dead')),
	attempts	integer NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL,
	created_at	timestamptz NOT NULL,
	sent_at		timestamptz,
	last_error	text,
	severity	text NOT NULL CHECK (severity IN ('LOW', 'MEDIUM', 'HIGH')),
	escalation_level integer NOT NULL,
	held		boolean NOT NULL DEFAULT false,
	PRIMARY KEY (home_id, notification_id),
	FOREIGN KEY (home_id, contact_id) REFERENCES agingos.contacts (home_id, contact_id)
);
-- "already told" and reminder checks: one probe per (deviation, contact).
CREATE INDEX notifications_deviation_contact_idx ON agingos.notifications (home_id, deviation_id, contact_id, created_at);
-- the relay's queue: pending rows per contact (of its home) in created_at order.
CREATE INDEX notifications_pending_idx ON agingos.notifications (home_id, contact_id, created_at, notification_id)
	WHERE status = 'pending';
COMMENT ON TABLE agingos.notifications IS 'Outbox of carer notifications, delivered at least once by agingos-notify (contract section 10).';

-- The ACK-link signing key (docs/notifications.md "ACK links"): 32 random
-- bytes made on first use by agingos_notify_secret(), readable only by the
-- extension owner (no grant).  Not filled here, so pg_dump/restore keeps the
-- dumped key.
CREATE TABLE agingos.notify_secret (
	id			boolean PRIMARY KEY DEFAULT true CHECK (id),
	secret		bytea NOT NULL
);
COMMENT ON TABLE agingos.notify_secret IS 'HMAC key of the ACK-link tokens; owner only.';

SELECT pg_catalog.pg_extension_config_dump('agingos.contacts', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.notifications', '');
SELECT pg_catalog.pg_extension_config_dump('agingos.notify_secret', '');
