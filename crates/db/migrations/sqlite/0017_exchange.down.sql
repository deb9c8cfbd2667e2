DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
ALTER TABLE api_tokens DROP COLUMN rotated_from;
ALTER TABLE users DROP COLUMN system_account;
DROP TRIGGER persons_change_event_update;
DROP TRIGGER persons_change_event_insert;
DROP TABLE change_events;
