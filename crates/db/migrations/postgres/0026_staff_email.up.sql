-- A staff account's own e-mail address (optional) and the language of the
-- messages sent to it: reminders of petitions near their deadline and
-- escalations of overdue ones (issue 23 §7).
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN mail_lang TEXT NOT NULL DEFAULT 'vi';
