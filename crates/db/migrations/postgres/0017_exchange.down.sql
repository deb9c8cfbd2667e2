DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
ALTER TABLE api_tokens DROP COLUMN rotated_from;
ALTER TABLE users DROP COLUMN system_account;
DROP TRIGGER persons_change_event ON persons;
DROP FUNCTION persons_change_event();
DROP TABLE change_events;
