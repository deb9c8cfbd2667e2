DROP TRIGGER auth_epoch_tokens_delete ON api_tokens;
DROP TRIGGER auth_epoch_tokens_update ON api_tokens;
DROP TRIGGER auth_epoch_sessions_delete ON sessions;
DROP TRIGGER auth_epoch_sessions_update ON sessions;
DROP TRIGGER auth_epoch_scopes ON user_scopes;
DROP TRIGGER auth_epoch_users_delete ON users;
DROP TRIGGER auth_epoch_users_update ON users;
DROP FUNCTION auth_epoch_bump();
DROP TABLE auth_epoch;
