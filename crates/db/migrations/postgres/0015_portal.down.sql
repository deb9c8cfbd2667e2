DROP TABLE portal_consents;
DROP TABLE portal_change_fields;
DROP TABLE portal_changes;
DROP TABLE portal_claims;
DROP TABLE portal_sessions;
DROP TABLE portal_tokens;
DROP TABLE portal_accounts;
