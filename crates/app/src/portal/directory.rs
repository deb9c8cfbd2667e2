//! The directory of people abroad (*danh bạ kiều bào*, issue 23 §6): people
//! who opted in find each other by country, city, hometown and occupation.
//!
//! - Only a person linked to a record who gave the `directory` consent
//!   publishes an entry, and only such a person searches (the directory is
//!   for those who are in it: never for anonymous visitors).
//! - Each field is shown only when its owner chose it; nothing by default.
//!   Country, city, hometown and occupation are read from the record at the
//!   moment of reading (never copied), so a correction the officer accepts
//!   shows at once; the display name and introduction are the owner's own.
//!   A search matches a field only when it is shown (a hidden field is
//!   never a way to find someone).
//! - Nobody without the consent appears: the consent's last act is read in
//!   every query, and withdrawing it deletes the entry at once
//!   ([`remove_on_withdrawal`]). Staff-only fields (notes, verification,
//!   sources, passport, phone, e-mail) are never read here.
//! - Contact goes through a relay message sent by e-mail (no address shown
//!   to either side; the message links to the sender's entry so the
//!   recipient answers on the portal), limited per sender and day
//!   (`directory_messages_per_day`). A person blocks another: then neither
//!   sees the other and no message passes. Abuse is reported to the
//!   province's officers, who hide an entry (action `DirectoryModerate`).
//!
//! Entries are few (people who opted in), so the folded matching
//! ("Đức" = "Duc") is done here over the visible entries rather than in SQL.

use std::collections::BTreeSet;

use db::Row;
use serde::Serialize;

use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// The fields an owner may show, in the form's order.
pub const FIELDS: &[&str] = &["name", "country", "city", "hometown", "occupation", "intro"];

/// Entries a page of the search shows.
pub const PAGE_SIZE: usize = 20;

/// The longest display name, introduction, message and report reason.
pub const MAX_NAME: usize = 100;
pub const MAX_INTRO: usize = 500;
pub const MAX_MESSAGE: usize = 2000;
pub const MAX_REASON: usize = 1000;

/// Where a portal account stands towards the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Standing {
    /// No record linked yet: nothing to publish, no search.
    NotLinked,
    /// Linked, but the directory consent is not given.
    NoConsent,
    /// Linked and consenting: may publish and search.
    Ready,
}

/// An entry as another person reads it: only the fields its owner chose.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Entry {
    pub id: i64,
    pub display_name: Option<String>,
    /// ISO country code.
    pub country: Option<String>,
    pub city: Option<String>,
    /// New commune code, and the old commune's code when the record has it.
    pub hometown_new: Option<String>,
    pub hometown_legacy: Option<String>,
    pub occupation: Option<String>,
    pub intro: Option<String>,
}

/// The owner's own entry, with what the record holds (the preview).
#[derive(Debug, Clone, Default, Serialize)]
pub struct OwnEntry {
    pub id: Option<i64>,
    pub display_name: String,
    pub intro: String,
    /// The fields chosen to be shown.
    pub shown: BTreeSet<String>,
    /// Hidden by an officer after a report.
    pub hidden: bool,
    /// The entry as others read it (with the chosen fields only).
    pub preview: Entry,
}

/// What the owner typed.
#[derive(Debug, Clone, Default)]
pub struct EntryInput {
    pub display_name: String,
    pub intro: String,
    pub shown: BTreeSet<String>,
}

/// A search: each filter folded ("Đức" = "Duc"), every one must match.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub country: String,
    pub city: String,
    pub hometown: String,
    pub occupation: String,
    /// 1-based.
    pub page: usize,
}

/// One report of abuse as the officers read it.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub id: i64,
    pub entry_id: i64,
    pub person_id: i64,
    pub display_name: String,
    pub intro: String,
    pub reason: String,
    pub at: String,
    /// `open`, `hidden`, `dismissed`.
    pub status: String,
    pub entry_hidden: bool,
}

/// A relay message ready to go: the recipient's address and language (for
/// the e-mail only, never shown), the sender's entry (the link to answer)
/// and the sender's name if they show it.
#[derive(Debug, Clone)]
pub struct Relay {
    pub to_email: String,
    pub to_lang: String,
    pub sender_entry_id: i64,
    pub sender_name: Option<String>,
    pub body: String,
}

/// The last act of the account's directory consent is "given".
const CONSENTING: &str = "(SELECT c.action FROM portal_consents c WHERE c.account_id = e.account_id \
     AND c.purpose = 'directory' ORDER BY c.id DESC LIMIT 1) = 'given'";

/// Entries anyone in the directory may read (not hidden, still consenting,
/// the account still linked to the record, the record live), with the
/// record's values. `$1` is the reader's account: blocks either way hide.
fn visible_sql(extra: &str) -> String {
    format!(
        "SELECT e.id, e.account_id, e.display_name, e.intro, e.show_name, e.show_country, \
         e.show_city, e.show_hometown, e.show_occupation, e.show_intro, p.country, \
         p.city_abroad, p.hometown_new_code, p.hometown_legacy_code, p.occupation \
         FROM directory_entries e \
         JOIN portal_accounts a ON a.id = e.account_id AND a.person_id = e.person_id \
              AND a.disabled_at IS NULL \
         JOIN persons p ON p.id = e.person_id AND p.deleted_at IS NULL \
         WHERE e.hidden_at IS NULL AND {CONSENTING} \
         AND NOT EXISTS (SELECT 1 FROM directory_blocks b WHERE \
             (b.account_id = $1 AND b.blocked_account_id = e.account_id) OR \
             (b.account_id = e.account_id AND b.blocked_account_id = $1)) {extra}"
    )
}

fn shown(r: &db::AnyRow, i: usize) -> AppResult<bool> {
    Ok(r.try_get::<i64, _>(i)? != 0)
}

/// The entry of a row of [`visible_sql`] with the chosen fields only, and
/// the owner's account.
fn entry_of(r: &db::AnyRow) -> AppResult<(Entry, i64)> {
    let pick = |flag: usize, v: String| -> AppResult<Option<String>> {
        Ok((shown(r, flag)? && !v.trim().is_empty()).then_some(v))
    };
    let legacy: Option<String> = r.try_get(13)?;
    let new: Option<String> = r.try_get(12)?;
    // The new commune: the record's, else the one its old commune became.
    let new = new.filter(|c| !c.is_empty()).or_else(|| {
        legacy
            .as_deref()
            .and_then(domain::geo::default_successor)
            .map(|c| c.code.to_owned())
    });
    let hometown = shown(r, 7)?;
    Ok((
        Entry {
            id: r.try_get(0)?,
            display_name: pick(4, r.try_get(2)?)?,
            country: pick(5, r.try_get(10)?)?,
            city: pick(6, r.try_get(11)?)?,
            hometown_new: new.filter(|_| hometown),
            hometown_legacy: legacy.filter(|c| hometown && !c.is_empty()),
            occupation: pick(8, r.try_get(14)?)?,
            intro: pick(9, r.try_get(3)?)?,
        },
        r.try_get(1)?,
    ))
}

impl Entry {
    /// Whether the entry shows anything at all (an entry showing nothing
    /// is not listed).
    pub fn shows_anything(&self) -> bool {
        self.display_name.is_some()
            || self.country.is_some()
            || self.city.is_some()
            || self.hometown_new.is_some()
            || self.occupation.is_some()
            || self.intro.is_some()
    }

    fn matches(&self, q: &SearchQuery) -> bool {
        let has = |value: &[&str], wanted: &str| {
            let wanted = domain::text::fold(wanted);
            if wanted.is_empty() {
                return true;
            }
            value
                .iter()
                .any(|v| domain::text::fold(v).contains(&wanted))
        };
        let country: Vec<&str> = self
            .country
            .as_deref()
            .map(|c| match domain::geo::country(c) {
                Some(k) => vec![c, k.name_vi, k.name_en],
                None => vec![c],
            })
            .unwrap_or_default();
        let mut hometown = Vec::new();
        if let Some(c) = self
            .hometown_new
            .as_deref()
            .and_then(domain::geo::new_commune)
        {
            hometown.push(c.name);
        }
        if let Some(c) = self
            .hometown_legacy
            .as_deref()
            .and_then(domain::geo::legacy_commune)
        {
            hometown.push(c.name);
        }
        let city: Vec<&str> = self.city.iter().map(String::as_str).collect();
        let occupation: Vec<&str> = self.occupation.iter().map(String::as_str).collect();
        has(&country, &q.country)
            && has(&city, &q.city)
            && has(&hometown, &q.hometown)
            && has(&occupation, &q.occupation)
    }
}

async fn consent_given(app: &App, account_id: i64) -> AppResult<bool> {
    let last: Option<String> = sqlx::query_scalar(
        "SELECT action FROM portal_consents WHERE account_id = $1 AND purpose = 'directory' \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(account_id)
    .fetch_optional(&app.db.pool)
    .await?;
    Ok(last.as_deref() == Some("given"))
}

/// Where the account stands (its session's linked record).
pub async fn standing(app: &App, account_id: i64, person_id: Option<i64>) -> AppResult<Standing> {
    if person_id.is_none() {
        return Ok(Standing::NotLinked);
    }
    Ok(if consent_given(app, account_id).await? {
        Standing::Ready
    } else {
        Standing::NoConsent
    })
}

async fn ready(app: &App, account_id: i64, person_id: Option<i64>) -> AppResult<i64> {
    match (standing(app, account_id, person_id).await?, person_id) {
        (Standing::Ready, Some(pid)) => Ok(pid),
        _ => Err(AppError::Forbidden),
    }
}

fn check(field: &str, text: &str, max: usize, errs: &mut Vec<FieldError>) {
    if text.chars().count() > max || domain::text::has_forbidden_control(text) {
        errs.push(FieldError::new(field, "too_long"));
    }
}

/// An entry another person owns that the account may see, for acting on it
/// (message, block, report): anything else, the account's own included, is
/// not found. Answers the owner's account.
async fn someone_elses(
    app: &App,
    account_id: i64,
    person_id: Option<i64>,
    id: i64,
) -> AppResult<i64> {
    ready(app, account_id, person_id)
        .await
        .map_err(|_| AppError::NotFound)?;
    let (_, owner) = visible(app, account_id, id).await?;
    if owner == account_id {
        return Err(AppError::NotFound);
    }
    Ok(owner)
}

/// A text the person must write (a message, a report's reason), trimmed,
/// within `max` characters.
fn required_text<'a>(field: &str, text: &'a str, max: usize) -> AppResult<&'a str> {
    let text = text.trim();
    let mut errs = Vec::new();
    if text.is_empty() {
        errs.push(FieldError::new(field, "required"));
    }
    check(field, text, max, &mut errs);
    if errs.is_empty() {
        Ok(text)
    } else {
        Err(AppError::Invalid(errs))
    }
}

/// The account's own entry (none yet: an empty one showing nothing).
pub async fn own(app: &App, account_id: i64, person_id: Option<i64>) -> AppResult<OwnEntry> {
    let Some(pid) = person_id else {
        return Ok(OwnEntry::default());
    };
    let r = sqlx::query(
        "SELECT e.id, e.account_id, e.display_name, e.intro, e.show_name, e.show_country, \
         e.show_city, e.show_hometown, e.show_occupation, e.show_intro, p.country, \
         p.city_abroad, p.hometown_new_code, p.hometown_legacy_code, p.occupation, \
         e.hidden_at FROM directory_entries e JOIN persons p ON p.id = e.person_id \
         WHERE e.account_id = $1 AND e.person_id = $2",
    )
    .bind(account_id)
    .bind(pid)
    .fetch_optional(&app.db.pool)
    .await?;
    let Some(r) = r else {
        return Ok(OwnEntry::default());
    };
    let mut chosen = BTreeSet::new();
    for (i, f) in FIELDS.iter().enumerate() {
        if shown(&r, 4 + i)? {
            chosen.insert((*f).to_owned());
        }
    }
    let (preview, _) = entry_of(&r)?;
    Ok(OwnEntry {
        id: Some(r.try_get(0)?),
        display_name: r.try_get(2)?,
        intro: r.try_get(3)?,
        shown: chosen,
        hidden: r.try_get::<Option<String>, _>(15)?.is_some(),
        preview,
    })
}

/// Publishes or changes the account's entry (linked and consenting only).
/// Answers its id.
pub async fn save(
    app: &App,
    account_id: i64,
    person_id: Option<i64>,
    ip: &str,
    input: &EntryInput,
) -> AppResult<i64> {
    let pid = ready(app, account_id, person_id).await?;
    let name = input.display_name.trim();
    let intro = input.intro.trim();
    let mut errs = Vec::new();
    check("display_name", name, MAX_NAME, &mut errs);
    check("intro", intro, MAX_INTRO, &mut errs);
    if input.shown.contains("name") && name.is_empty() {
        errs.push(FieldError::new("display_name", "required"));
    }
    if input.shown.contains("intro") && intro.is_empty() {
        errs.push(FieldError::new("intro", "required"));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let flag = |f: &str| i64::from(input.shown.contains(f));
    let now = clock::fmt(app.clock.now_utc());
    let me = access::portal_actor(account_id, Some(pid), ip);
    let mut tx = app.db.begin_write().await?;
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT id FROM directory_entries WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(&mut *tx.tx)
            .await?;
    let id = if let Some(id) = existing {
        sqlx::query(
            "UPDATE directory_entries SET person_id = $1, display_name = $2, intro = $3, \
             show_name = $4, show_country = $5, show_city = $6, show_hometown = $7, \
             show_occupation = $8, show_intro = $9, updated_at = $10 WHERE id = $11",
        )
        .bind(pid)
        .bind(name)
        .bind(intro)
        .bind(flag("name"))
        .bind(flag("country"))
        .bind(flag("city"))
        .bind(flag("hometown"))
        .bind(flag("occupation"))
        .bind(flag("intro"))
        .bind(&now)
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        id
    } else {
        sqlx::query_scalar(
            "INSERT INTO directory_entries (account_id, person_id, display_name, intro, \
             show_name, show_country, show_city, show_hometown, show_occupation, show_intro, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) \
             RETURNING id",
        )
        .bind(account_id)
        .bind(pid)
        .bind(name)
        .bind(intro)
        .bind(flag("name"))
        .bind(flag("country"))
        .bind(flag("city"))
        .bind(flag("hometown"))
        .bind(flag("occupation"))
        .bind(flag("intro"))
        .bind(&now)
        .fetch_one(&mut *tx.tx)
        .await?
    };
    let fields: Vec<&str> = input.shown.iter().map(String::as_str).collect();
    audit::append(
        &mut tx,
        app,
        &me,
        Event::new("directory.entry_save", "directory_entry", &id)
            .with(serde_json::json!({"person_id": pid, "fields": fields.join(", ")})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Deletes the entry of an account and its reports inside a transaction
/// (the owner removing it, a withdrawn consent, a deletion request).
/// Answers whether there was one.
pub(crate) async fn delete_in(tx: &mut db::WriteTx, account_id: i64) -> AppResult<Option<i64>> {
    let id: Option<i64> =
        sqlx::query_scalar("SELECT id FROM directory_entries WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(&mut *tx.tx)
            .await?;
    if let Some(id) = id {
        sqlx::query("DELETE FROM directory_reports WHERE entry_id = $1")
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        sqlx::query("DELETE FROM directory_entries WHERE id = $1")
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
    }
    Ok(id)
}

/// The owner removes their entry.
pub async fn remove(app: &App, account_id: i64, person_id: Option<i64>, ip: &str) -> AppResult<()> {
    let mut tx = app.db.begin_write().await?;
    if let Some(id) = delete_in(&mut tx, account_id).await? {
        audit::append(
            &mut tx,
            app,
            &access::portal_actor(account_id, person_id, ip),
            Event::new("directory.entry_remove", "directory_entry", &id),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The directory consent was withdrawn: the entry goes at once, in the
/// withdrawal's own transaction (audited there).
pub(crate) async fn remove_on_withdrawal(
    tx: &mut db::WriteTx,
    app: &App,
    actor: &Actor,
    account_id: i64,
) -> AppResult<()> {
    if let Some(id) = delete_in(tx, account_id).await? {
        audit::append(
            tx,
            app,
            actor,
            Event::new("directory.entry_remove", "directory_entry", &id)
                .with(serde_json::json!({"purpose": "directory"})),
        )
        .await?;
    }
    Ok(())
}

/// Searches the directory (linked and consenting readers only): the
/// entries that show something and match, a page of them, and how many
/// match in all.
pub async fn search(
    app: &App,
    account_id: i64,
    person_id: Option<i64>,
    q: &SearchQuery,
) -> AppResult<(Vec<Entry>, usize)> {
    ready(app, account_id, person_id).await?;
    let sql = visible_sql("ORDER BY e.id DESC");
    let rows = sqlx::query(&sql)
        .bind(account_id)
        .fetch_all(&app.db.pool)
        .await?;
    let mut hits = Vec::new();
    for r in &rows {
        let (e, _) = entry_of(r)?;
        if e.shows_anything() && e.matches(q) {
            hits.push(e);
        }
    }
    let total = hits.len();
    let page = q.page.max(1);
    let out = hits
        .into_iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    Ok((out, total))
}

/// An entry the reader may read, and its owner's account (else not found).
async fn visible(app: &App, account_id: i64, id: i64) -> AppResult<(Entry, i64)> {
    let sql = visible_sql("AND e.id = $2");
    let r = sqlx::query(&sql)
        .bind(account_id)
        .bind(id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let (e, owner) = entry_of(&r)?;
    if !e.shows_anything() && owner != account_id {
        return Err(AppError::NotFound);
    }
    Ok((e, owner))
}

/// One entry (the reader linked and consenting; the entry visible to them,
/// else not found). Reading someone else's entry is audited.
pub async fn view(
    app: &App,
    account_id: i64,
    person_id: Option<i64>,
    ip: &str,
    id: i64,
) -> AppResult<(Entry, bool)> {
    ready(app, account_id, person_id)
        .await
        .map_err(|_| AppError::NotFound)?;
    let (e, owner) = visible(app, account_id, id).await?;
    let mine = owner == account_id;
    if !mine {
        audit::record(
            app,
            &access::portal_actor(account_id, person_id, ip),
            Event::new("directory.entry_view", "directory_entry", &id),
        )
        .await?;
    }
    Ok((e, mine))
}

/// Writes to an entry's owner: the sender must be able to read the entry,
/// have a visible entry of their own (the link the recipient answers on),
/// and be within the day's limit. Answers what the e-mail needs.
pub async fn message(
    app: &App,
    account_id: i64,
    person_id: Option<i64>,
    ip: &str,
    id: i64,
    body: &str,
) -> AppResult<Relay> {
    let owner = someone_elses(app, account_id, person_id, id).await?;
    let body = required_text("message", body, MAX_MESSAGE)?;
    let own = own(app, account_id, person_id).await?;
    let Some(sender_entry_id) = own
        .id
        .filter(|_| !own.hidden && own.preview.shows_anything())
    else {
        return Err(AppError::Conflict("directory_no_entry".into()));
    };
    let now = app.clock.now_utc();
    let since = clock::fmt(now - time::Duration::days(1));
    let sent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM directory_messages WHERE sender_account_id = $1 AND sent_at > $2",
    )
    .bind(account_id)
    .bind(&since)
    .fetch_one(&app.db.pool)
    .await?;
    if sent >= app.settings.directory_messages_per_day.max(0) {
        return Err(AppError::RateLimited {
            retry_after_secs: 3600,
        });
    }
    let (to_email, to_lang) = super::accounts::contact(app, owner).await?;
    let mut tx = app.db.begin_write().await?;
    let mid: i64 = sqlx::query_scalar(
        "INSERT INTO directory_messages (sender_account_id, recipient_account_id, body, sent_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(account_id)
    .bind(owner)
    .bind(body)
    .bind(clock::fmt(now))
    .fetch_one(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        &access::portal_actor(account_id, person_id, ip),
        Event::new("directory.message", "directory_entry", &id)
            .with(serde_json::json!({"message_id": mid})),
    )
    .await?;
    tx.commit().await?;
    Ok(Relay {
        to_email,
        to_lang,
        sender_entry_id,
        sender_name: own.preview.display_name,
        body: body.to_owned(),
    })
}

/// Blocks an entry's owner: from then on neither sees the other and the
/// blocked one cannot write.
pub async fn block(
    app: &App,
    account_id: i64,
    person_id: Option<i64>,
    ip: &str,
    id: i64,
) -> AppResult<()> {
    let owner = someone_elses(app, account_id, person_id, id).await?;
    let mut tx = app.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO directory_blocks (account_id, blocked_account_id, at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(account_id)
    .bind(owner)
    .bind(clock::fmt(app.clock.now_utc()))
    .execute(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        &access::portal_actor(account_id, person_id, ip),
        Event::new("directory.block", "directory_entry", &id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Someone the account blocked, as the directory showed them.
#[derive(Debug, Clone, Serialize)]
pub struct Blocked {
    /// The blocked account: the key of the unblocking form (only the
    /// account's own blocks are found by it).
    pub account_id: i64,
    /// The name their entry shows, when it shows one (none when they hide
    /// their name or have left the directory).
    pub display_name: Option<String>,
    /// When it was blocked (stored UTC).
    pub at: String,
}

/// The people the account blocked, the latest first. Only the display name
/// their entry chose to show is read (nothing else of them).
pub async fn blocked(app: &App, account_id: i64) -> AppResult<Vec<Blocked>> {
    let rows = sqlx::query(
        "SELECT b.blocked_account_id, e.display_name, e.show_name, b.at FROM directory_blocks b \
         LEFT JOIN directory_entries e ON e.account_id = b.blocked_account_id \
         WHERE b.account_id = $1 ORDER BY b.at DESC, b.blocked_account_id",
    )
    .bind(account_id)
    .fetch_all(&app.db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            let name: Option<String> = r.try_get(1)?;
            let show: Option<i64> = r.try_get(2)?;
            Ok(Blocked {
                account_id: r.try_get(0)?,
                display_name: name.filter(|n| show == Some(1) && !n.trim().is_empty()),
                at: r.try_get(3)?,
            })
        })
        .collect()
}

/// Lifts the account's own block of `blocked_account_id` (audited): both
/// see each other again and messages pass. A block the account did not make
/// is not found.
pub async fn unblock(
    app: &App,
    account_id: i64,
    person_id: Option<i64>,
    ip: &str,
    blocked_account_id: i64,
) -> AppResult<()> {
    let mut tx = app.db.begin_write().await?;
    let gone = sqlx::query(
        "DELETE FROM directory_blocks WHERE account_id = $1 AND blocked_account_id = $2",
    )
    .bind(account_id)
    .bind(blocked_account_id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if gone == 0 {
        return Err(AppError::NotFound);
    }
    audit::append(
        &mut tx,
        app,
        &access::portal_actor(account_id, person_id, ip),
        Event::new("directory.unblock", "portal_account", &blocked_account_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Reports an entry to the province's officers, with a reason.
pub async fn report(
    app: &App,
    account_id: i64,
    person_id: Option<i64>,
    ip: &str,
    id: i64,
    reason: &str,
) -> AppResult<()> {
    someone_elses(app, account_id, person_id, id).await?;
    let reason = required_text("reason", reason, MAX_REASON)?;
    let mut tx = app.db.begin_write().await?;
    let rid: i64 = sqlx::query_scalar(
        "INSERT INTO directory_reports (entry_id, reporter_account_id, reason, at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(id)
    .bind(account_id)
    .bind(reason)
    .bind(clock::fmt(app.clock.now_utc()))
    .fetch_one(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        &access::portal_actor(account_id, person_id, ip),
        Event::new("directory.report", "directory_entry", &id)
            .with(serde_json::json!({"report_id": rid})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

const REPORT_COLUMNS: &str = "r.id, r.entry_id, e.person_id, e.display_name, e.intro, r.reason, \
     r.at, r.status, e.hidden_at";

fn report_of(r: &db::AnyRow) -> AppResult<Report> {
    Ok(Report {
        id: r.try_get(0)?,
        entry_id: r.try_get(1)?,
        person_id: r.try_get(2)?,
        display_name: r.try_get(3)?,
        intro: r.try_get(4)?,
        reason: r.try_get(5)?,
        at: r.try_get(6)?,
        status: r.try_get(7)?,
        entry_hidden: r.try_get::<Option<String>, _>(8)?.is_some(),
    })
}

/// The officers' queue: open reports first, oldest first, then the last
/// decided ones.
pub async fn reports(app: &App, actor: &Actor) -> AppResult<Vec<Report>> {
    access::authorize(actor, Action::DirectoryModerate)?;
    let sql = format!(
        "SELECT {REPORT_COLUMNS} FROM directory_reports r \
         JOIN directory_entries e ON e.id = r.entry_id \
         ORDER BY CASE WHEN r.status = 'open' THEN 0 ELSE 1 END, \
         CASE WHEN r.status = 'open' THEN r.id ELSE -r.id END LIMIT 200"
    );
    let rows = sqlx::query(&sql).fetch_all(&app.db.pool).await?;
    let list: Vec<Report> = rows.iter().map(report_of).collect::<AppResult<_>>()?;
    audit::record(
        app,
        actor,
        Event::new("directory.reports_view", "directory_report", &0)
            .with(serde_json::json!({"count": list.len()})),
    )
    .await?;
    Ok(list)
}

/// An officer decides a report: hide the entry (with the reason the owner
/// reads on their entry page) or dismiss the report.
pub async fn decide(app: &App, actor: &Actor, id: i64, hide: bool) -> AppResult<()> {
    access::authorize(actor, Action::DirectoryModerate)?;
    let now = clock::fmt(app.clock.now_utc());
    let mut tx = app.db.begin_write().await?;
    let r = sqlx::query("SELECT entry_id, status, reason FROM directory_reports WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx.tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let entry_id: i64 = r.try_get(0)?;
    let status: String = r.try_get(1)?;
    let reason: String = r.try_get(2)?;
    if status != "open" {
        return Err(AppError::Conflict("decided".into()));
    }
    if hide {
        sqlx::query(
            "UPDATE directory_entries SET hidden_at = $1, hidden_by = $2, hidden_reason = $3 \
             WHERE id = $4 AND hidden_at IS NULL",
        )
        .bind(&now)
        .bind(actor.user_id)
        .bind(&reason)
        .bind(entry_id)
        .execute(&mut *tx.tx)
        .await?;
    }
    // Every open report of the entry is settled by hiding it.
    let sql = if hide {
        "UPDATE directory_reports SET status = 'hidden', decided_by = $1, decided_at = $2 \
         WHERE status = 'open' AND (id = $3 OR entry_id = $4)"
    } else {
        "UPDATE directory_reports SET status = 'dismissed', decided_by = $1, decided_at = $2 \
         WHERE status = 'open' AND (id = $3 OR -1 = $4)"
    };
    sqlx::query(sql)
        .bind(actor.user_id)
        .bind(&now)
        .bind(id)
        .bind(entry_id)
        .execute(&mut *tx.tx)
        .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new(
            if hide {
                "directory.entry_hide"
            } else {
                "directory.report_dismiss"
            },
            "directory_entry",
            &entry_id,
        )
        .with(serde_json::json!({"report_id": id})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How many reports wait for an officer (the staff home page); none when
/// the actor does not moderate.
pub async fn open_reports(app: &App, actor: &Actor) -> AppResult<Option<i64>> {
    if access::authorize(actor, Action::DirectoryModerate).is_err() {
        return Ok(None);
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM directory_reports WHERE status = 'open'")
        .fetch_one(&app.db.pool)
        .await?;
    Ok(Some(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            id: 1,
            display_name: Some("Nguyễn Văn An".into()),
            country: Some("DE".into()),
            city: Some("München".into()),
            hometown_new: None,
            hometown_legacy: None,
            occupation: Some("Kỹ sư cơ khí".into()),
            intro: None,
        }
    }

    #[test]
    fn filters_fold_marks_and_read_country_names() {
        let e = entry();
        for q in [
            SearchQuery {
                country: "Đức".into(),
                ..Default::default()
            },
            SearchQuery {
                country: "duc".into(),
                city: "munchen".into(),
                ..Default::default()
            },
            SearchQuery {
                country: "Germany".into(),
                occupation: "ky su".into(),
                ..Default::default()
            },
        ] {
            assert!(e.matches(&q), "{q:?}");
        }
        let q = SearchQuery {
            country: "Nhật".into(),
            ..Default::default()
        };
        assert!(!e.matches(&q));
    }

    #[test]
    fn a_hidden_field_is_never_a_way_to_find_someone() {
        let mut e = entry();
        e.occupation = None;
        let q = SearchQuery {
            occupation: "ky su".into(),
            ..Default::default()
        };
        assert!(!e.matches(&q));
        assert!(e.shows_anything());
        assert!(!Entry::default().shows_anything());
    }
}
