-- Days off of the public service the province keeps (Labour Code
-- 45/2019/QH14 art. 112: Tết Dương lịch, Tết Nguyên đán, Giỗ Tổ Hùng
-- Vương, 30/4, 1/5, 2/9 and a day next to it; a holiday on a weekend is
-- made up on the next working day). Weekends are never listed: they are
-- skipped by the code. Only weekdays off are seeded.
--
-- 2026 follows the Prime Minister's schedule for the public service: Tết
-- Bính Ngọ from Saturday 14/2 to Sunday 22/2 (so 16–20/2); Giỗ Tổ (10/3
-- lunar) falls on Sunday 26/4, made up on Monday 27/4; 30/4 (Thursday)
-- and 1/5 (Friday); Quốc khánh five days from 29/8 to 2/9 as the Ministry
-- of Home Affairs proposed (31/8 swapped, 1/9 the day next to 2/9).
-- 2027 is provisional, from the rules alone (the schedule is decided each
-- year): the province corrects it on the calendar page when it is out.
CREATE TABLE holidays (
    -- YYYY-MM-DD
    day TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    added_at TEXT NOT NULL,
    added_by BIGINT
);
INSERT INTO holidays (day, name, added_at) VALUES
    ('2026-01-01', 'Tết Dương lịch', '2026-01-01T00:00:00.000000Z'),
    ('2026-02-16', 'Tết Nguyên đán', '2026-01-01T00:00:00.000000Z'),
    ('2026-02-17', 'Tết Nguyên đán', '2026-01-01T00:00:00.000000Z'),
    ('2026-02-18', 'Tết Nguyên đán', '2026-01-01T00:00:00.000000Z'),
    ('2026-02-19', 'Tết Nguyên đán', '2026-01-01T00:00:00.000000Z'),
    ('2026-02-20', 'Tết Nguyên đán', '2026-01-01T00:00:00.000000Z'),
    ('2026-04-27', 'Giỗ Tổ Hùng Vương (nghỉ bù)', '2026-01-01T00:00:00.000000Z'),
    ('2026-04-30', 'Ngày Giải phóng miền Nam, thống nhất đất nước', '2026-01-01T00:00:00.000000Z'),
    ('2026-05-01', 'Ngày Quốc tế Lao động', '2026-01-01T00:00:00.000000Z'),
    ('2026-08-31', 'Quốc khánh (hoán đổi)', '2026-01-01T00:00:00.000000Z'),
    ('2026-09-01', 'Quốc khánh', '2026-01-01T00:00:00.000000Z'),
    ('2026-09-02', 'Quốc khánh', '2026-01-01T00:00:00.000000Z'),
    ('2027-01-01', 'Tết Dương lịch', '2026-01-01T00:00:00.000000Z'),
    ('2027-02-05', 'Tết Nguyên đán', '2026-01-01T00:00:00.000000Z'),
    ('2027-02-08', 'Tết Nguyên đán', '2026-01-01T00:00:00.000000Z'),
    ('2027-02-09', 'Tết Nguyên đán', '2026-01-01T00:00:00.000000Z'),
    ('2027-02-10', 'Tết Nguyên đán (nghỉ bù)', '2026-01-01T00:00:00.000000Z'),
    ('2027-02-11', 'Tết Nguyên đán (nghỉ bù)', '2026-01-01T00:00:00.000000Z'),
    ('2027-04-16', 'Giỗ Tổ Hùng Vương', '2026-01-01T00:00:00.000000Z'),
    ('2027-04-30', 'Ngày Giải phóng miền Nam, thống nhất đất nước', '2026-01-01T00:00:00.000000Z'),
    ('2027-05-03', 'Ngày Quốc tế Lao động (nghỉ bù)', '2026-01-01T00:00:00.000000Z'),
    ('2027-09-02', 'Quốc khánh', '2026-01-01T00:00:00.000000Z'),
    ('2027-09-03', 'Quốc khánh', '2026-01-01T00:00:00.000000Z');

-- Data-subject requests (issue 23 §5; Law 91/2025/QH15 on personal data
-- protection, Decree 356/2025/NĐ-CP): what the person asked, the tracking
-- number, the state, the deadlines (days, computed in working days from
-- the calendar above when the request was received) and the officer's
-- answer the person reads.
CREATE TABLE portal_requests (
    id INTEGER PRIMARY KEY,
    -- "YC-2026-000123": the year received and the id.
    number TEXT UNIQUE,
    account_id BIGINT NOT NULL REFERENCES portal_accounts(id),
    person_id BIGINT NOT NULL REFERENCES persons(id),
    -- access, correction, deletion, restriction, objection, withdrawal
    kind TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '',
    -- received, acknowledged, in_progress, done, refused
    status TEXT NOT NULL DEFAULT 'received',
    received_at TEXT NOT NULL,
    -- YYYY-MM-DD: the last day to acknowledge, and to complete.
    acknowledge_by TEXT NOT NULL,
    complete_by TEXT NOT NULL,
    acknowledged_at TEXT,
    started_at TEXT,
    closed_at TEXT,
    -- The officer's answer (required for a refusal), shown to the person.
    answer TEXT NOT NULL DEFAULT '',
    handled_by BIGINT REFERENCES users(id)
);
CREATE INDEX portal_requests_open ON portal_requests(status, complete_by);
CREATE INDEX portal_requests_account ON portal_requests(account_id, id);
CREATE INDEX portal_requests_person ON portal_requests(person_id);

-- Petitions and feedback (issue 23 §7: kiến nghị, phản ánh, góp ý) from a
-- person abroad with a portal account: category, text, tracking number
-- ("KN-2026-000045"), the officer it is assigned to, the answer the person
-- reads (and receives by e-mail), and the deadline in working days of the
-- category (settings). Attachments are not kept yet.
CREATE TABLE portal_petitions (
    id INTEGER PRIMARY KEY,
    number TEXT UNIQUE,
    account_id BIGINT NOT NULL REFERENCES portal_accounts(id),
    -- The record linked to the account when it was sent (none: the
    -- province's officers only).
    person_id BIGINT REFERENCES persons(id),
    -- petition, report, suggestion
    category TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    -- received, assigned, answered, closed
    status TEXT NOT NULL DEFAULT 'received',
    received_at TEXT NOT NULL,
    -- YYYY-MM-DD: the last day to answer.
    answer_by TEXT NOT NULL,
    assigned_to BIGINT REFERENCES users(id),
    assigned_at TEXT,
    answer TEXT NOT NULL DEFAULT '',
    answered_at TEXT,
    closed_at TEXT
);
CREATE INDEX portal_petitions_open ON portal_petitions(status, answer_by);
CREATE INDEX portal_petitions_account ON portal_petitions(account_id, id);
