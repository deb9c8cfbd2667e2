//! The change feed (issue 25 §3): every create, update, delete, merge,
//! unmerge and restore of a person, in commit order, from a resumable
//! cursor, within the reader's jurisdiction.
//!
//! The events are written by the database itself (the triggers of
//! migration 0017) inside the transaction that changes the record, so every
//! write path — the registry's forms and API, imports (one event per
//! imported row), merges and unmerges, the portal's corrections — records
//! them, and an event exists if and only if its change committed.
//!
//! Commit order with several servers on one PostgreSQL: an event's number
//! is drawn under the registry's transaction lock, held until commit, so a
//! number becomes visible only after every smaller one has committed (or
//! rolled back, leaving a gap that is never filled). A reader therefore
//! reads `seq > after`, bounded by the largest number it sees, and resumes
//! from the last number it was given without skipping or repeating an
//! event. SQLite has one writer at a time: the same holds.
//!
//! An event names the record, not its content: a consumer reads the record
//! through `GET /api/v1/people/{id}` (masked and audited like any read).
//! The jurisdiction is the record's as it was after the change (its
//! hometown and country are copied into the event), through
//! [`access::person_scope`]; a record moved out of a commune's reach leaves
//! that commune's feed with its last change before the move.

use base64::Engine as _;
use db::Row;
use serde::{Deserialize, Serialize};

use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError};

/// Events per page unless asked otherwise.
pub const DEFAULT_LIMIT: i64 = 100;
/// The largest page.
pub const MAX_LIMIT: i64 = 5_000;

/// One change, as the feed gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChangeEvent {
    /// Resume after this event: pass it as `after`. Opaque.
    pub cursor: String,
    /// `create`, `update`, `delete`, `merge`, `unmerge` or `restore`.
    pub kind: String,
    /// What changed: `person`.
    pub entity: String,
    /// The record's id (`/api/v1/people/{id}`).
    pub id: i64,
    /// The record's version after the change.
    pub version: i64,
    /// For a merge: the record this one was merged into (read that one instead).
    pub merged_into: Option<i64>,
    /// When the change was written (UTC, RFC 3339).
    pub at: String,
}

/// A page of the feed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChangePage {
    /// The changes after the cursor, oldest first.
    pub events: Vec<ChangeEvent>,
    /// Pass as `after` to read on: the last event's cursor, or, when the
    /// page is short, the end of the feed as far as this answer saw (so a
    /// reader whose jurisdiction sees few changes does not read the others
    /// again). Never moves backwards.
    pub next: String,
    /// True when more changes were waiting (read again at once).
    pub more: bool,
}

const PREFIX: &str = "kbc1.";

/// The opaque cursor of a feed position.
pub fn cursor(seq: i64) -> String {
    format!(
        "{PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(seq.to_be_bytes())
    )
}

/// Reads a cursor back; `None` for anything this server did not give out.
pub fn parse_cursor(s: &str) -> Option<i64> {
    let body = s.strip_prefix(PREFIX)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(body)
        .ok()?;
    let arr: [u8; 8] = bytes.try_into().ok()?;
    let seq = i64::from_be_bytes(arr);
    (seq >= 0).then_some(seq)
}

fn invalid(field: &str, code: &str) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, code)])
}

/// A page of changes after `after` (the feed's beginning when `None`), at
/// most `limit` (1 to [`MAX_LIMIT`]). A page that returns events is
/// audited (who, from where to where, how many).
pub async fn changes(
    app: &App,
    actor: &Actor,
    after: Option<&str>,
    limit: Option<i64>,
) -> AppResult<ChangePage> {
    access::authorize(actor, Action::ChangeFeedRead)?;
    let from = match after.map(str::trim).filter(|s| !s.is_empty()) {
        None => 0,
        Some(s) => parse_cursor(s).ok_or_else(|| invalid("after", "invalid_cursor"))?,
    };
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(invalid("limit", "out_of_range"));
    }
    let (events, next, more) = read(app, actor, from, limit).await?;
    let last = events
        .last()
        .and_then(|e| parse_cursor(&e.cursor))
        .unwrap_or(from);
    if !events.is_empty() {
        audit::record(
            app,
            actor,
            Event::new("changes.read", "change_feed", &last).with(serde_json::json!({
                "after": from,
                "to": last,
                "events": events.len(),
            })),
        )
        .await?;
    }
    Ok(ChangePage {
        events,
        next: cursor(next),
        more,
    })
}

/// The events after `from` the actor may see, at most `limit`, with the
/// position to read on from and whether more were waiting. No
/// authorisation and no audit: [`changes`] and the webhooks' fan-out
/// (which acts for a subscription's account) do both.
pub(crate) async fn read(
    app: &App,
    actor: &Actor,
    from: i64,
    limit: i64,
) -> AppResult<(Vec<ChangeEvent>, i64, bool)> {
    // The end of the feed now: every number up to it has committed or
    // never will (see the module's documentation), so the rows read below
    // it are final whatever commits meanwhile.
    let head: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM change_events")
        .fetch_one(&app.db.pool)
        .await?;
    let scope = access::person_scope(actor, 3);
    let sql = format!(
        "SELECT p.seq, p.kind, p.entity, p.id, p.version, p.merged_into, p.at FROM \
         (SELECT e.seq, e.kind, e.entity, e.entity_id AS id, e.version, e.merged_into, e.at, \
          e.hometown_new_code, e.hometown_legacy_code, e.hometown_legacy_district, e.country \
          FROM change_events e WHERE e.seq > $1 AND e.seq <= $2) p \
         WHERE {} ORDER BY p.seq LIMIT {}",
        scope.sql,
        limit + 1
    );
    let mut q = sqlx::query(&sql).bind(from).bind(head);
    for a in &scope.args {
        q = q.bind(a.clone());
    }
    let rows = q.fetch_all(&app.db.pool).await?;
    let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
    let mut events = Vec::with_capacity(rows.len());
    let mut last = from;
    for r in rows.into_iter().take(usize::try_from(limit).unwrap_or(0)) {
        let seq: i64 = r.try_get(0)?;
        last = seq;
        events.push(ChangeEvent {
            cursor: cursor(seq),
            kind: r.try_get(1)?,
            entity: r.try_get(2)?,
            id: r.try_get(3)?,
            version: r.try_get(4)?,
            merged_into: r.try_get(5)?,
            at: r.try_get(6)?,
        });
    }
    let next = if more { last } else { head.max(from) };
    Ok((events, next, more))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_what_was_not_given() {
        for n in [0, 1, 255, 1 << 40, i64::MAX] {
            assert_eq!(parse_cursor(&cursor(n)), Some(n));
        }
        assert_eq!(parse_cursor("12"), None);
        assert_eq!(parse_cursor("kbc1.!!"), None);
        assert_eq!(parse_cursor(&format!("kbc1.{}", "A".repeat(40))), None);
        assert_eq!(parse_cursor(&cursor(-1)), None);
    }
}
