-- One counter that every change able to end or narrow someone's access
-- moves, in the same transaction: a session ended, a token revoked or
-- changed, an account disabled or deleted, its role, password, second
-- factor, linked person or scopes changed. Each server caches resolved
-- sessions and tokens, reads this one row per request, and drops what it
-- cached under an older value, so a revocation from any server or from the
-- command line takes effect at once.
CREATE TABLE auth_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO auth_epoch (id, n) VALUES (1, 0);

CREATE TRIGGER auth_epoch_users_update
AFTER UPDATE OF role, disabled, password_hash, totp_enabled, person_id ON users
BEGIN UPDATE auth_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_users_delete AFTER DELETE ON users
BEGIN UPDATE auth_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_scopes_insert AFTER INSERT ON user_scopes
BEGIN UPDATE auth_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_scopes_update AFTER UPDATE ON user_scopes
BEGIN UPDATE auth_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_scopes_delete AFTER DELETE ON user_scopes
BEGIN UPDATE auth_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_sessions_update
AFTER UPDATE OF user_id, csrf_token, expires_at, mfa_pending ON sessions
BEGIN UPDATE auth_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_sessions_delete AFTER DELETE ON sessions
BEGIN UPDATE auth_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_tokens_update
AFTER UPDATE OF user_id, scopes, expires_at, revoked_at ON api_tokens
BEGIN UPDATE auth_epoch SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER auth_epoch_tokens_delete AFTER DELETE ON api_tokens
BEGIN UPDATE auth_epoch SET n = n + 1 WHERE id = 1; END;
