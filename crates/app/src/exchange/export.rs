//! Exports in the exchange format (issue 25 §1): JSON Lines or a workbook
//! in a national reporting layout, streamed page by page from the database
//! (a million people never sit in memory), within the exporting account's
//! jurisdiction, logged (`exchanges`: who, when, filters, SHA-256, counts)
//! and audited, the file kept so it can be downloaded again.

use std::collections::HashMap;
use std::path::PathBuf;

use db::Row;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::format::{self, Consent, Entity, Filters, Header, Namespace, Source};
use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError, Jurisdiction, clock};

/// Rows read from the database at a time.
const PAGE: i64 = 2_000;

/// Pages read at once, ahead of the writing.
const AHEAD: usize = 3;

/// The kinds of record in a file, in their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Associations,
    Households,
    People,
    Relatives,
    Enterprises,
    Projects,
}

impl Part {
    fn table(self) -> &'static str {
        match self {
            Part::Associations => "associations",
            Part::Households => "households",
            Part::People => "persons",
            Part::Relatives => "relatives",
            Part::Enterprises => "enterprises",
            Part::Projects => "investment_projects",
        }
    }
}

/// A page being read: its records and their bytes.
type PageTask = Reader<AppResult<(usize, Vec<u8>)>>;

/// A task reading an export's pages; dropping it (the export cancelled)
/// stops the reading.
struct Reader<T = ()>(Option<tokio::task::JoinHandle<T>>);

impl<T> Drop for Reader<T> {
    fn drop(&mut self) {
        if let Some(h) = self.0.take() {
            h.abort();
        }
    }
}

/// The format of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Xlsx,
}

impl Format {
    pub fn parse(s: &str) -> AppResult<Self> {
        match s.trim() {
            "" | "jsonl" => Ok(Format::Jsonl),
            "xlsx" => Ok(Format::Xlsx),
            _ => Err(AppError::Invalid(vec![FieldError::new(
                "format",
                "unknown_format",
            )])),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Jsonl => "application/x-ndjson; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// What an export is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    pub format: Format,
    /// `YYYY-MM-DD`: records changed on or after that day.
    pub since: Option<String>,
    /// A consent purpose (`national_sharing`...).
    pub consented_to: Option<String>,
}

/// Where an export's bytes go (a file, an HTTP body).
pub trait Sink: Send {
    fn write(
        &mut self,
        chunk: Vec<u8>,
    ) -> impl std::future::Future<Output = std::io::Result<()>> + Send;
}

/// A sink into a channel (an HTTP body reads the other end).
pub struct ChannelSink(pub tokio::sync::mpsc::Sender<Vec<u8>>);

impl Sink for ChannelSink {
    async fn write(&mut self, chunk: Vec<u8>) -> std::io::Result<()> {
        self.0
            .send(chunk)
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "receiver gone"))
    }
}

/// A sink into a file or standard output.
pub struct FileSink<W>(pub W);

impl<W: tokio::io::AsyncWrite + Unpin + Send> Sink for FileSink<W> {
    async fn write(&mut self, chunk: Vec<u8>) -> std::io::Result<()> {
        use tokio::io::AsyncWriteExt as _;
        self.0.write_all(&chunk).await
    }
}

/// An export authorised, logged and audited, ready to run.
#[derive(Clone)]
pub struct Export {
    pub id: i64,
    pub format: Format,
    pub file_name: String,
    header: Header,
    actor: Actor,
    reveal: bool,
    ns: Namespace,
    cond: String,
    args: Vec<String>,
    since: Option<String>,
    consented_to: Option<String>,
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub id: i64,
    pub records: i64,
    pub people: i64,
    pub bytes: i64,
    pub sha256: String,
}

/// The database's namespace of identifiers, made on first use.
pub async fn namespace(app: &App) -> AppResult<Namespace> {
    let fresh = hex::encode(rand::random::<[u8; 7]>());
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ('exchange_namespace', $1) \
         ON CONFLICT (key) DO NOTHING",
    )
    .bind(&fresh)
    .execute(&app.db.pool)
    .await?;
    let v: String =
        sqlx::query_scalar("SELECT value FROM settings WHERE key = 'exchange_namespace'")
            .fetch_one(&app.db.pool)
            .await?;
    Namespace::parse(&v)
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("bad exchange_namespace setting")))
}

/// The province's code (after 1 July 2025) and name, from the setting
/// `home_province` (a name or a code).
pub fn province(app: &App) -> (String, String) {
    let home = app.settings.home_province.trim();
    let folded = domain::text::fold(home);
    domain::geo::new_provinces()
        .iter()
        .find(|p| {
            p.code == home
                || domain::text::fold(p.name) == folded
                || domain::text::fold(p.short) == folded
        })
        .map_or_else(
            || (String::new(), home.to_owned()),
            |p| (p.code.to_owned(), p.short.to_owned()),
        )
}

fn jurisdiction_words(j: &Jurisdiction) -> String {
    match j {
        Jurisdiction::Province => "province".to_owned(),
        Jurisdiction::Communes {
            new_communes,
            legacy_communes,
            legacy_districts,
        } => {
            let mut all: Vec<String> = Vec::new();
            all.extend(new_communes.iter().map(|c| format!("commune:{c}")));
            all.extend(
                legacy_communes
                    .iter()
                    .map(|c| format!("legacy_commune:{c}")),
            );
            all.extend(
                legacy_districts
                    .iter()
                    .map(|c| format!("legacy_district:{c}")),
            );
            all.join(",")
        }
        Jurisdiction::Countries(cs) => format!("countries:{}", cs.join(",")),
        Jurisdiction::Associations(ids) => format!(
            "associations:{}",
            ids.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ),
        Jurisdiction::Agency(a) => format!("agency:{a}"),
        Jurisdiction::StatisticsOnly => "statistics_only".to_owned(),
        Jurisdiction::OwnRecord(_) => "own_record".to_owned(),
    }
}

fn invalid(field: &str, code: &str) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, code)])
}

/// Checks the request, the actor's right to export (`PersonExport` within
/// jurisdiction), writes the log row and the audit row: after this an
/// export is on record even if its reader goes away.
pub async fn start(app: &App, actor: &Actor, req: &ExportRequest) -> AppResult<Export> {
    access::authorize(actor, Action::PersonList)?;
    access::authorize(actor, Action::PersonExport)?;
    let since = match req
        .since
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => {
            let fmt = time::macros::format_description!("[year]-[month]-[day]");
            time::Date::parse(s, &fmt).map_err(|_| invalid("since", "invalid_date"))?;
            Some(s.to_owned())
        }
    };
    let consented_to = match req
        .consented_to
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(p) if crate::portal::consents::PURPOSES.contains(&p) => Some(p.to_owned()),
        Some(_) => return Err(invalid("consented_to", "unknown_purpose")),
    };
    let ns = namespace(app).await?;
    let (code, name) = province(app);
    let now = clock::fmt(app.clock.now_utc());
    let filters = Filters {
        since: since.clone(),
        consented_to: consented_to.clone(),
        jurisdiction: jurisdiction_words(&actor.jurisdiction),
    };
    let header = Header {
        kind: "header".into(),
        format: format::FORMAT.into(),
        version: format::VERSION,
        province_code: code.clone(),
        province_name: name,
        generated_at: now.clone(),
        generator: format!("kieubao {}", env!("CARGO_PKG_VERSION")),
        filters: filters.clone(),
    };
    let mut cond = vec!["1 = 1".to_owned()];
    let mut args = Vec::new();
    if let Some(s) = &since {
        args.push(s.clone());
        cond.push(format!("p.updated_at >= ${}", args.len()));
    }
    if let Some(p) = &consented_to {
        args.push(p.clone());
        let n = args.len();
        cond.push(format!(
            "EXISTS (SELECT 1 FROM portal_consents c WHERE c.person_id = p.id AND c.purpose = ${n} \
             AND c.action = 'given' AND c.id = (SELECT MAX(c2.id) FROM portal_consents c2 \
             WHERE c2.person_id = p.id AND c2.purpose = ${n}))"
        ));
    }
    let stamp = now
        .get(..19)
        .unwrap_or_default()
        .replace([':', '-'], "")
        .replace('T', "-");
    let file_name = format!(
        "kieubao-{}-{stamp}.{}",
        if code.is_empty() { "xx" } else { &code },
        req.format.code()
    );
    let mut tx = app.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO exchanges (direction, format, file_name, filters, sender, status, created_at, \
         created_by, created_by_name) VALUES ('export', $1, $2, $3, $4, 'running', $5, $6, $7) \
         RETURNING id",
    )
    .bind(req.format.code())
    .bind(&file_name)
    .bind(serde_json::to_string(&filters).unwrap_or_default())
    .bind(&code)
    .bind(&now)
    .bind(actor.user_id)
    .bind(&actor.username)
    .fetch_one(&mut *tx.tx)
    .await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("exchange.export", "exchange", &id).with(json!({
            "format": req.format.code(),
            "since": since,
            "consented_to": consented_to,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(Export {
        id,
        format: req.format,
        file_name,
        header,
        actor: actor.clone(),
        reveal: access::authorize(actor, Action::PersonReveal).is_ok(),
        ns,
        cond: cond.join(" AND "),
        args,
        since,
        consented_to,
    })
}

/// Identifiers received from elsewhere for the records `lo..=hi` of a kind.
async fn kept_uids(
    conn: &mut sqlx::AnyConnection,
    e: Entity,
    lo: i64,
    hi: i64,
) -> AppResult<HashMap<i64, String>> {
    let rows = sqlx::query(
        "SELECT entity_id, uid FROM exchange_uids WHERE entity = $1 AND entity_id >= $2 \
         AND entity_id <= $3",
    )
    .bind(e.code())
    .bind(lo)
    .bind(hi)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = HashMap::new();
    for r in rows {
        out.insert(r.try_get(0)?, r.try_get(1)?);
    }
    Ok(out)
}

/// The identifier of one record (received or derived).
pub async fn uid_of(app: &App, e: Entity, id: i64) -> AppResult<String> {
    let kept: Option<String> =
        sqlx::query_scalar("SELECT uid FROM exchange_uids WHERE entity = $1 AND entity_id = $2")
            .bind(e.code())
            .bind(id)
            .fetch_optional(&app.db.pool)
            .await?;
    match kept {
        Some(u) => Ok(u),
        None => Ok(namespace(app).await?.uid(e, id)),
    }
}

/// The record an identifier names now: the record it was given to, or,
/// for a person merged into another, the person kept (following merges).
/// `None` for an identifier this registry never gave or received.
pub async fn resolve(app: &App, uid: &str) -> AppResult<Option<(Entity, i64)>> {
    let ns = namespace(app).await?;
    let mut conn = app.db.pool.acquire().await?;
    resolve_on(&mut conn, ns, uid).await
}

/// [`resolve`] on a connection (inside the caller's transaction: a record
/// accepted earlier in it answers), with the database's namespace `ns`.
pub(crate) async fn resolve_on(
    conn: &mut sqlx::AnyConnection,
    ns: Namespace,
    uid: &str,
) -> AppResult<Option<(Entity, i64)>> {
    let uid = uid.trim().to_ascii_lowercase();
    let kept = sqlx::query("SELECT entity, entity_id FROM exchange_uids WHERE uid = $1")
        .bind(&uid)
        .fetch_optional(&mut *conn)
        .await?;
    let found = match kept {
        Some(r) => {
            let e: String = r.try_get(0)?;
            Entity::from_code(&e).map(|e| (e, r.try_get::<i64, _>(1)))
        }
        None => ns.id_of(&uid).map(|(e, id)| (e, Ok(id))),
    };
    let Some((e, id)) = found else {
        return Ok(None);
    };
    let mut id = id?;
    if e == Entity::Person {
        for _ in 0..32 {
            let r = sqlx::query("SELECT deleted_at, deleted_reason FROM persons WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
            let Some(r) = r else { return Ok(None) };
            let deleted: Option<String> = r.try_get(0)?;
            let reason: Option<String> = r.try_get(1)?;
            let into = reason
                .as_deref()
                .and_then(|s| s.strip_prefix("merged into #"))
                .and_then(|s| s.trim().parse::<i64>().ok());
            match (deleted, into) {
                (Some(_), Some(next)) => id = next,
                _ => break,
            }
        }
    }
    Ok(Some((e, id)))
}

/// A person's record in the exchange format (without its metadata when
/// `meta` is false: the fields a receiver compares).
pub fn person_record(
    p: &crate::registry::people::Person,
    uid: String,
    reveal: bool,
    meta: Option<(Vec<String>, Vec<Source>, Vec<Consent>)>,
) -> format::Record {
    let mut fields = match serde_json::to_value(&p.data) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    if !reveal {
        for f in access::SENSITIVE_FIELDS {
            fields.remove(*f);
        }
        if let Some(Value::Object(extra)) = fields.get_mut("extra") {
            for k in &p.sensitive_extra {
                extra.remove(k);
            }
        }
    }
    if let Some((merged, sources, consents)) = meta {
        fields.insert("version".into(), json!(p.version));
        fields.insert("updated_at".into(), json!(p.updated_at));
        if !merged.is_empty() {
            fields.insert("merged_ids".into(), json!(merged));
        }
        fields.insert("sources".into(), json!(sources));
        fields.insert("consents".into(), json!(consents));
    }
    format::Record {
        kind: "person".into(),
        id: uid,
        fields,
    }
}

/// One row of the workbook.
type SheetRow = Vec<String>;

/// Turns a page of records into the bytes written for it.
type Encode = fn(Vec<Value>) -> Vec<u8>;

/// A page as JSON Lines, a record a line.
fn jsonl_page(chunk: Vec<Value>) -> Vec<u8> {
    let mut buf = Vec::with_capacity(chunk.len() * 600);
    for v in chunk {
        // `type` and `id` first, as the format documents them.
        let mut fields = match v {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let text = |x: Option<Value>| match x {
            Some(Value::String(s)) => s,
            _ => String::new(),
        };
        let rec = format::Record {
            kind: text(fields.remove("type")),
            id: text(fields.remove("id")),
            fields,
        };
        // Serialising JSON values cannot fail.
        let _ = serde_json::to_writer(&mut buf, &rec);
        buf.push(b'\n');
    }
    buf
}

/// A page as the workbook's rows (encoded as JSON for [`SheetSink`]): only
/// people go to its one sheet.
fn xlsx_page(chunk: Vec<Value>) -> Vec<u8> {
    let rows: Vec<SheetRow> = chunk
        .into_iter()
        .filter(|v| v["type"] == "person")
        .map(|v| xlsx_row(&v))
        .collect();
    serde_json::to_vec(&rows).unwrap_or_default()
}

impl Export {
    /// Writes the file into `out` (and into the kept copy), then records
    /// its size, SHA-256 and counts. A reader gone half-way (the client
    /// closed the download) marks the export failed.
    pub async fn run<S: Sink>(self, app: &App, out: &mut S) -> AppResult<Summary> {
        let id = self.id;
        let result = self.run_inner(app, out).await;
        let (status, summary) = match &result {
            Ok(s) => ("done", s.clone()),
            Err(_) => ("failed", Summary::default()),
        };
        sqlx::query(
            "UPDATE exchanges SET status = $1, records = $2, new_records = $3, sha256 = $4, \
             size_bytes = $5, stored_path = CASE WHEN $1 = 'done' THEN stored_path ELSE '' END \
             WHERE id = $6",
        )
        .bind(status)
        .bind(summary.records)
        .bind(summary.people)
        .bind(&summary.sha256)
        .bind(summary.bytes)
        .bind(id)
        .execute(&app.db.pool)
        .await?;
        result
    }

    async fn run_inner<S: Sink>(self, app: &App, out: &mut S) -> AppResult<Summary> {
        let kept = super::files::create(app, self.id, &self.file_name).await?;
        let mut tee = Tee {
            out,
            kept,
            hash: Sha256::new(),
            bytes: 0,
        };
        let counts = match self.format {
            Format::Jsonl => {
                let mut line =
                    serde_json::to_vec(&self.header).map_err(|e| AppError::Unexpected(e.into()))?;
                line.push(b'\n');
                tee.write(line).await?;
                self.pages(app, jsonl_page, &mut tee).await?
            }
            Format::Xlsx => {
                let dir = tempfile::tempdir().map_err(|e| AppError::Unexpected(e.into()))?;
                let path = dir.path().join("export.xlsx");
                let (send, recv) = std::sync::mpsc::sync_channel::<Vec<SheetRow>>(4);
                let title = xlsx_title(&self.header);
                let writer_path = path.clone();
                let writer =
                    tokio::task::spawn_blocking(move || write_xlsx(&writer_path, &title, &recv));
                let mut sheet = SheetSink(send);
                let counts = self.pages(app, xlsx_page, &mut sheet).await?;
                drop(sheet);
                writer
                    .await
                    .map_err(|e| AppError::Unexpected(e.into()))?
                    .map_err(|e| AppError::Unexpected(anyhow::anyhow!("xlsx: {e}")))?;
                let mut f = tokio::fs::File::open(&path)
                    .await
                    .map_err(|e| AppError::Unexpected(e.into()))?;
                loop {
                    use tokio::io::AsyncReadExt as _;
                    let mut buf = vec![0_u8; 256 * 1024];
                    let n = f
                        .read(&mut buf)
                        .await
                        .map_err(|e| AppError::Unexpected(e.into()))?;
                    if n == 0 {
                        break;
                    }
                    buf.truncate(n);
                    tee.write(buf).await?;
                }
                counts
            }
        };
        let sha256 = hex::encode(tee.hash.finalize());
        if let Some(mut k) = tee.kept {
            use tokio::io::AsyncWriteExt as _;
            k.flush()
                .await
                .map_err(|e| AppError::Unexpected(e.into()))?;
        }
        Ok(Summary {
            id: self.id,
            records: counts.0,
            people: counts.1,
            bytes: tee.bytes,
            sha256,
        })
    }

    /// Reads every record in order (associations, households, people,
    /// relatives, enterprises, projects), a page at a time; `encode` turns a page into bytes for
    /// `out` (in the task that read it). Answers the records and the people written.
    ///
    /// Pages are ranges of ids ([`PAGE`] wide), read by tasks of their own,
    /// up to [`AHEAD`] at once and taken in order: the database and the
    /// decoding of its rows run on every core while the encoding, the hash
    /// and the writing go on. The readers only read; they stop when the
    /// writing stops (a reader gone, an error) or the export is dropped, and
    /// a reader that failed fails the export rather than leaving it short.
    async fn pages<S: Sink>(
        &self,
        app: &App,
        encode: Encode,
        out: &mut S,
    ) -> AppResult<(i64, i64)> {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<AppResult<(Part, usize, Vec<u8>)>>(AHEAD);
        let me = std::sync::Arc::new(self.clone());
        let app2 = app.clone();
        let mut reader = Reader(Some(tokio::spawn(async move {
            if let Err(e) = me.read_all(&app2, encode, &tx).await {
                let _ = tx.send(Err(e)).await;
            }
        })));
        let mut records = 0_i64;
        let mut people = 0_i64;
        while let Some(msg) = rx.recv().await {
            let (part, n, bytes) = msg?;
            records += n as i64;
            if part == Part::People {
                people += n as i64;
            }
            out.write(bytes)
                .await
                .map_err(|e| AppError::Unexpected(e.into()))?;
        }
        // The channel closed: the reader ended; a panic there is an error
        // here, not a file cut short.
        if let Some(handle) = reader.0.take() {
            handle
                .await
                .map_err(|e| AppError::Unexpected(anyhow::anyhow!("export reader: {e}")))?;
        }
        Ok((records, people))
    }

    /// Sends every page, in order, into `tx` (see [`Export::pages`]); stops
    /// quietly when nobody reads any more.
    async fn read_all(
        self: std::sync::Arc<Self>,
        app: &App,
        encode: Encode,
        tx: &tokio::sync::mpsc::Sender<AppResult<(Part, usize, Vec<u8>)>>,
    ) -> AppResult<()> {
        // The pages in flight read through a few connections held for the
        // whole export (a quarter of the pool at most, so the server goes
        // on answering): taking any pooled connection, every one of them
        // would fill its page cache with the registry (SQLite), several
        // times the memory an export needs.
        let n = (app.db.pool.options().get_max_connections() as usize / 4).clamp(1, AHEAD);
        let mut lanes = Vec::with_capacity(n);
        for _ in 0..n {
            lanes.push(std::sync::Arc::new(tokio::sync::Mutex::new(
                app.db.pool.acquire().await?,
            )));
        }
        let mut page_no = 0_usize;
        for part in [
            Part::Associations,
            Part::Households,
            Part::People,
            Part::Relatives,
            Part::Enterprises,
            Part::Projects,
        ] {
            let top: i64 = sqlx::query_scalar(&format!(
                "SELECT COALESCE(MAX(id), 0) FROM {}",
                part.table()
            ))
            .fetch_one(&app.db.pool)
            .await?;
            let mut next = 0_i64;
            let mut reading: std::collections::VecDeque<PageTask> =
                std::collections::VecDeque::new();
            loop {
                while reading.len() < AHEAD && next < top {
                    let (me, app, after) = (self.clone(), app.clone(), next);
                    let until = after.saturating_add(PAGE);
                    // Lanes in turn; a page whose lane is still busy
                    // waits for it (fewer lanes than pages in flight).
                    let lane = lanes[page_no % lanes.len()].clone();
                    page_no += 1;
                    reading.push_back(Reader(Some(tokio::spawn(async move {
                        let mut conn = lane.lock().await;
                        let page = me.page(&app, &mut conn, part, after, until).await?;
                        drop(conn);
                        let n = page.len();
                        Ok((n, encode(page.into_iter().map(|x| x.1).collect())))
                    }))));
                    next = until;
                }
                let Some(mut task) = reading.pop_front() else {
                    break;
                };
                let Some(handle) = task.0.take() else {
                    break;
                };
                let (n, bytes) = handle
                    .await
                    .map_err(|e| AppError::Unexpected(anyhow::anyhow!("export page: {e}")))??;
                if n == 0 {
                    continue;
                }
                if tx.send(Ok((part, n, bytes))).await.is_err() {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// The records of a kind with ids in `after..=until`.
    async fn page(
        &self,
        app: &App,
        conn: &mut sqlx::AnyConnection,
        part: Part,
        after: i64,
        until: i64,
    ) -> AppResult<Vec<(i64, Value)>> {
        match part {
            Part::Associations => self.associations(conn, after, until).await,
            Part::Households => self.households(conn, after, until).await,
            Part::People => self.people(app, conn, after, until).await,
            Part::Relatives => self.relatives(conn, after, until).await,
            Part::Enterprises => self.enterprises(conn, after, until).await,
            Part::Projects => self.projects(conn, after, until).await,
        }
    }

    async fn people(
        &self,
        app: &App,
        conn: &mut sqlx::AnyConnection,
        after: i64,
        until: i64,
    ) -> AppResult<Vec<(i64, Value)>> {
        let page = crate::registry::people::export_page(
            app,
            &mut *conn,
            &self.actor,
            (after, Some(until)),
            PAGE,
            &self.cond,
            &self.args,
        )
        .await?;
        let (Some(lo), Some(hi)) = (page.first().map(|p| p.id), page.last().map(|p| p.id)) else {
            return Ok(Vec::new());
        };
        let uids = kept_uids(conn, Entity::Person, lo, hi).await?;
        let mut sources: HashMap<i64, Vec<Source>> = HashMap::new();
        for r in sqlx::query(
            "SELECT person_id, agency, list_name, survey_round, added_at FROM person_sources \
             WHERE person_id >= $1 AND person_id <= $2 ORDER BY person_id, id",
        )
        .bind(lo)
        .bind(hi)
        .fetch_all(&mut *conn)
        .await?
        {
            sources.entry(r.try_get(0)?).or_default().push(Source {
                agency: r.try_get(1)?,
                list_name: r.try_get(2)?,
                survey_round: r.try_get(3)?,
                added_at: r.try_get(4)?,
            });
        }
        let mut consents: HashMap<i64, Vec<Consent>> = HashMap::new();
        for r in sqlx::query(
            "SELECT person_id, purpose, action, text_version, at FROM portal_consents \
             WHERE person_id >= $1 AND person_id <= $2 ORDER BY id",
        )
        .bind(lo)
        .bind(hi)
        .fetch_all(&mut *conn)
        .await?
        {
            let list = consents.entry(r.try_get(0)?).or_default();
            let purpose: String = r.try_get(1)?;
            list.retain(|c| c.purpose != purpose);
            list.push(Consent {
                purpose,
                given: r.try_get::<String, _>(2)? == "given",
                text_version: r.try_get(3)?,
                at: r.try_get(4)?,
            });
        }
        let mut merged: HashMap<i64, Vec<String>> = HashMap::new();
        for r in sqlx::query(
            "SELECT kept_id, merged_id FROM merges WHERE kept_id >= $1 AND kept_id <= $2 \
             AND undone_at IS NULL ORDER BY id",
        )
        .bind(lo)
        .bind(hi)
        .fetch_all(&mut *conn)
        .await?
        {
            let m: i64 = r.try_get(1)?;
            merged
                .entry(r.try_get(0)?)
                .or_default()
                .push(self.ns.uid(Entity::Person, m));
        }
        let mut out = Vec::with_capacity(page.len());
        for p in &page {
            let uid = uids
                .get(&p.id)
                .cloned()
                .unwrap_or_else(|| self.ns.uid(Entity::Person, p.id));
            let mut c = consents.remove(&p.id).unwrap_or_default();
            c.sort_by(|a, b| a.purpose.cmp(&b.purpose));
            let rec = person_record(
                p,
                uid,
                self.reveal,
                Some((
                    merged.remove(&p.id).unwrap_or_default(),
                    sources.remove(&p.id).unwrap_or_default(),
                    c,
                )),
            );
            // The record's fields with its type and identifier: what
            // serialising the record would give, without copying it again.
            let mut fields = rec.fields;
            fields.insert("type".into(), Value::String(rec.kind));
            fields.insert("id".into(), Value::String(rec.id));
            out.push((p.id, Value::Object(fields)));
        }
        Ok(out)
    }

    /// The condition on `persons p` of the records exported and its
    /// arguments, then `after` and the jurisdiction's.
    fn person_filter(&self) -> (String, access::ScopeFilter) {
        let scope = access::person_scope(&self.actor, self.args.len() + 2);
        (
            format!("p.deleted_at IS NULL AND ({}) AND {}", self.cond, scope.sql),
            scope,
        )
    }

    fn everything(&self) -> bool {
        matches!(self.actor.jurisdiction, Jurisdiction::Province) && self.args.is_empty()
    }

    async fn households(
        &self,
        conn: &mut sqlx::AnyConnection,
        after: i64,
        until: i64,
    ) -> AppResult<Vec<(i64, Value)>> {
        let (filter, scope) = self.person_filter();
        let n = self.args.len() + 1;
        let which = if self.everything() {
            "1 = 1".to_owned()
        } else {
            format!(
                "EXISTS (SELECT 1 FROM relatives r JOIN persons p ON p.id = r.person_id \
                 WHERE r.household_id = h.id AND r.deleted_at IS NULL AND {filter})"
            )
        };
        let sql = format!(
            "SELECT h.id, h.head_name, h.address, h.new_commune_code, h.legacy_commune_code, \
             h.legacy_district_code, h.phone, h.updated_at FROM households h \
             WHERE h.deleted_at IS NULL AND h.id > ${n} AND h.id <= {until} AND {which} \
             ORDER BY h.id LIMIT {PAGE}"
        );
        let rows = bind_all(sqlx::query(&sql), &self.args, after, &scope.args)
            .fetch_all(&mut *conn)
            .await?;
        let (Some(lo), Some(hi)) = (
            rows.first().and_then(|r| r.try_get::<i64, _>(0).ok()),
            rows.last().and_then(|r| r.try_get::<i64, _>(0).ok()),
        ) else {
            return Ok(Vec::new());
        };
        let uids = kept_uids(conn, Entity::Household, lo, hi).await?;
        let mut sources = received(conn, Entity::Household, lo, hi).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: i64 = r.try_get(0)?;
            out.push((
                id,
                json!({
                    "type": "household",
                    "id": uids.get(&id).cloned().unwrap_or_else(|| self.ns.uid(Entity::Household, id)),
                    "head_name": r.try_get::<String, _>(1)?,
                    "address": r.try_get::<String, _>(2)?,
                    "commune_code": r.try_get::<Option<String>, _>(3)?,
                    "legacy_commune_code": r.try_get::<Option<String>, _>(4)?,
                    "legacy_district_code": r.try_get::<Option<String>, _>(5)?,
                    "phone": r.try_get::<String, _>(6)?,
                    "sources": sources.remove(&id).unwrap_or_default(),
                    "updated_at": r.try_get::<String, _>(7)?,
                }),
            ));
        }
        Ok(out)
    }

    async fn relatives(
        &self,
        conn: &mut sqlx::AnyConnection,
        after: i64,
        until: i64,
    ) -> AppResult<Vec<(i64, Value)>> {
        let (filter, scope) = self.person_filter();
        let n = self.args.len() + 1;
        let sql = format!(
            "SELECT r.id, r.household_id, r.person_id, r.full_name, r.relationship, r.birth_year, \
             r.phone, (SELECT u.uid FROM exchange_uids u WHERE u.entity = 'person' \
             AND u.entity_id = r.person_id), (SELECT u.uid FROM exchange_uids u \
             WHERE u.entity = 'household' AND u.entity_id = r.household_id) \
             FROM relatives r JOIN persons p ON p.id = r.person_id \
             WHERE r.deleted_at IS NULL AND r.id > ${n} AND r.id <= {until} AND {filter} \
             ORDER BY r.id LIMIT {PAGE}"
        );
        let rows = bind_all(sqlx::query(&sql), &self.args, after, &scope.args)
            .fetch_all(&mut *conn)
            .await?;
        let (Some(lo), Some(hi)) = (
            rows.first().and_then(|r| r.try_get::<i64, _>(0).ok()),
            rows.last().and_then(|r| r.try_get::<i64, _>(0).ok()),
        ) else {
            return Ok(Vec::new());
        };
        let uids = kept_uids(conn, Entity::Relative, lo, hi).await?;
        let mut sources = received(conn, Entity::Relative, lo, hi).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: i64 = r.try_get(0)?;
            let household: i64 = r.try_get(1)?;
            let person: i64 = r.try_get(2)?;
            let person_uid: Option<String> = r.try_get(7)?;
            let household_uid: Option<String> = r.try_get(8)?;
            out.push((
                id,
                json!({
                    "type": "relative",
                    "id": uids.get(&id).cloned().unwrap_or_else(|| self.ns.uid(Entity::Relative, id)),
                    "person_id": person_uid.unwrap_or_else(|| self.ns.uid(Entity::Person, person)),
                    "household_id": household_uid.unwrap_or_else(|| self.ns.uid(Entity::Household, household)),
                    "full_name": r.try_get::<String, _>(3)?,
                    "relationship": r.try_get::<String, _>(4)?,
                    "birth_year": r.try_get::<Option<i64>, _>(5)?,
                    "phone": r.try_get::<String, _>(6)?,
                    "sources": sources.remove(&id).unwrap_or_default(),
                }),
            ));
        }
        Ok(out)
    }

    async fn associations(
        &self,
        conn: &mut sqlx::AnyConnection,
        after: i64,
        until: i64,
    ) -> AppResult<Vec<(i64, Value)>> {
        let rows = self
            .scoped_page(
                conn,
                "SELECT a.id, a.name, a.name_en, a.kind, a.country, a.city, a.status, \
                 a.merged_into, a.founded_on, a.contact_name, a.phone, a.email, a.website, \
                 a.address, a.updated_at FROM associations a",
                "a",
                access::association_scope(&self.actor, 2),
                (after, until),
            )
            .await?;
        let (Some(lo), Some(hi)) = (
            rows.first().and_then(|r| r.try_get::<i64, _>(0).ok()),
            rows.last().and_then(|r| r.try_get::<i64, _>(0).ok()),
        ) else {
            return Ok(Vec::new());
        };
        let uids = kept_uids(conn, Entity::Association, lo, hi).await?;
        let mut sources = received(conn, Entity::Association, lo, hi).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: i64 = r.try_get(0)?;
            let merged_into: Option<i64> = r.try_get(7)?;
            out.push((
                id,
                json!({
                    "type": "association",
                    "id": uids.get(&id).cloned().unwrap_or_else(|| self.ns.uid(Entity::Association, id)),
                    "name": r.try_get::<String, _>(1)?,
                    "name_en": r.try_get::<String, _>(2)?,
                    "kind": r.try_get::<String, _>(3)?,
                    "country": r.try_get::<String, _>(4)?,
                    "city": r.try_get::<String, _>(5)?,
                    "status": r.try_get::<String, _>(6)?,
                    "merged_into": merged_into.map(|m| self.ns.uid(Entity::Association, m)),
                    "founded_on": r.try_get::<Option<String>, _>(8)?,
                    "contact_name": r.try_get::<String, _>(9)?,
                    "phone": r.try_get::<String, _>(10)?,
                    "email": r.try_get::<String, _>(11)?,
                    "website": r.try_get::<String, _>(12)?,
                    "address": r.try_get::<String, _>(13)?,
                    "sources": sources.remove(&id).unwrap_or_default(),
                    "updated_at": r.try_get::<String, _>(14)?,
                }),
            ));
        }
        Ok(out)
    }

    async fn enterprises(
        &self,
        conn: &mut sqlx::AnyConnection,
        after: i64,
        until: i64,
    ) -> AppResult<Vec<(i64, Value)>> {
        let rows = self
            .scoped_page(
                conn,
                "SELECT e.id, e.name, e.name_en, e.registration_no, e.sector, e.address, \
                 e.parent_country, e.notes, e.updated_at FROM enterprises e",
                "e",
                crate::community::investment::enterprise_scope(&self.actor, 2),
                (after, until),
            )
            .await?;
        let (Some(lo), Some(hi)) = (
            rows.first().and_then(|r| r.try_get::<i64, _>(0).ok()),
            rows.last().and_then(|r| r.try_get::<i64, _>(0).ok()),
        ) else {
            return Ok(Vec::new());
        };
        let uids = kept_uids(conn, Entity::Enterprise, lo, hi).await?;
        let mut owners = self
            .linked_people(conn, "enterprise_owners", "enterprise_id", lo, hi)
            .await?;
        let mut sources = received(conn, Entity::Enterprise, lo, hi).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: i64 = r.try_get(0)?;
            out.push((
                id,
                json!({
                    "type": "enterprise",
                    "id": uids.get(&id).cloned().unwrap_or_else(|| self.ns.uid(Entity::Enterprise, id)),
                    "name": r.try_get::<String, _>(1)?,
                    "name_en": r.try_get::<String, _>(2)?,
                    "registration_no": r.try_get::<String, _>(3)?,
                    "sector": r.try_get::<String, _>(4)?,
                    "address": r.try_get::<String, _>(5)?,
                    "parent_country": r.try_get::<String, _>(6)?,
                    "notes": r.try_get::<String, _>(7)?,
                    "owner_ids": owners.remove(&id).unwrap_or_default(),
                    "sources": sources.remove(&id).unwrap_or_default(),
                    "updated_at": r.try_get::<String, _>(8)?,
                }),
            ));
        }
        Ok(out)
    }

    async fn projects(
        &self,
        conn: &mut sqlx::AnyConnection,
        after: i64,
        until: i64,
    ) -> AppResult<Vec<(i64, Value)>> {
        let rows = self
            .scoped_page(
                conn,
                "SELECT pr.id, pr.name, pr.name_en, pr.summary, pr.summary_en, pr.sector, \
                 pr.commune_code, pr.registered_capital, pr.realised_capital, pr.currency, \
                 pr.rate_to_vnd, pr.licence_no, pr.licence_date, pr.status, pr.status_on, \
                 pr.in_catalogue, pr.updated_at FROM investment_projects pr",
                "pr",
                crate::community::investment::project_scope(&self.actor, 2),
                (after, until),
            )
            .await?;
        let (Some(lo), Some(hi)) = (
            rows.first().and_then(|r| r.try_get::<i64, _>(0).ok()),
            rows.last().and_then(|r| r.try_get::<i64, _>(0).ok()),
        ) else {
            return Ok(Vec::new());
        };
        let uids = kept_uids(conn, Entity::Project, lo, hi).await?;
        let mut people = self
            .linked_people(conn, "project_investors", "project_id", lo, hi)
            .await?;
        let mut firms: HashMap<i64, Vec<String>> = HashMap::new();
        for r in sqlx::query(
            "SELECT pi.project_id, pi.enterprise_id, (SELECT u.uid FROM exchange_uids u \
             WHERE u.entity = 'enterprise' AND u.entity_id = pi.enterprise_id) \
             FROM project_investors pi WHERE pi.project_id >= $1 AND pi.project_id <= $2 \
             AND pi.enterprise_id IS NOT NULL ORDER BY pi.project_id, pi.enterprise_id",
        )
        .bind(lo)
        .bind(hi)
        .fetch_all(&mut *conn)
        .await?
        {
            let e: i64 = r.try_get(1)?;
            let uid: Option<String> = r.try_get(2)?;
            firms
                .entry(r.try_get(0)?)
                .or_default()
                .push(uid.unwrap_or_else(|| self.ns.uid(Entity::Enterprise, e)));
        }
        let mut sources = received(conn, Entity::Project, lo, hi).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let id: i64 = r.try_get(0)?;
            out.push((
                id,
                json!({
                    "type": "project",
                    "id": uids.get(&id).cloned().unwrap_or_else(|| self.ns.uid(Entity::Project, id)),
                    "name": r.try_get::<String, _>(1)?,
                    "name_en": r.try_get::<String, _>(2)?,
                    "summary": r.try_get::<String, _>(3)?,
                    "summary_en": r.try_get::<String, _>(4)?,
                    "sector": r.try_get::<String, _>(5)?,
                    "commune_code": r.try_get::<String, _>(6)?,
                    "registered_capital": r.try_get::<i64, _>(7)?,
                    "realised_capital": r.try_get::<i64, _>(8)?,
                    "currency": r.try_get::<String, _>(9)?,
                    "rate_to_vnd": r.try_get::<String, _>(10)?,
                    "licence_no": r.try_get::<String, _>(11)?,
                    "licence_date": r.try_get::<Option<String>, _>(12)?,
                    "status": r.try_get::<String, _>(13)?,
                    "status_on": r.try_get::<String, _>(14)?,
                    "in_catalogue": r.try_get::<i64, _>(15)? == 1,
                    "investor_person_ids": people.remove(&id).unwrap_or_default(),
                    "investor_enterprise_ids": firms.remove(&id).unwrap_or_default(),
                    "sources": sources.remove(&id).unwrap_or_default(),
                    "updated_at": r.try_get::<String, _>(16)?,
                }),
            ));
        }
        Ok(out)
    }

    /// A page of a kind outside the registry of people (associations,
    /// enterprises, projects): `select` (a `SELECT … FROM table alias`)
    /// limited to ids in `after..=until`, the jurisdiction's `scope` (its
    /// marks from `$2`) and, for an export `since` a day, the records
    /// changed since; in id order.
    async fn scoped_page(
        &self,
        conn: &mut sqlx::AnyConnection,
        select: &str,
        alias: &str,
        scope: access::ScopeFilter,
        (after, until): (i64, i64),
    ) -> AppResult<Vec<db::AnyRow>> {
        let mut sql = format!(
            "{select} WHERE {alias}.id > $1 AND {alias}.id <= {until} AND {}",
            scope.sql
        );
        let mut args = scope.args;
        if let Some(s) = &self.since {
            args.push(s.clone());
            sql = format!("{sql} AND {alias}.updated_at >= ${}", args.len() + 1);
        }
        sql = format!("{sql} ORDER BY {alias}.id LIMIT {PAGE}");
        let mut q = sqlx::query(&sql).bind(after);
        for a in &args {
            q = q.bind(a.as_str());
        }
        Ok(q.fetch_all(&mut *conn).await?)
    }

    /// The people the records `lo..=hi` of a link table name (owners,
    /// investors), by identifier: only those this export may name — live,
    /// in the actor's jurisdiction and, for an export for a purpose,
    /// consenting to it (the link itself says something of the person).
    async fn linked_people(
        &self,
        conn: &mut sqlx::AnyConnection,
        table: &str,
        key: &str,
        lo: i64,
        hi: i64,
    ) -> AppResult<HashMap<i64, Vec<String>>> {
        let scope = access::person_scope(&self.actor, 3);
        let mut args = scope.args.clone();
        let mut sql = format!(
            "SELECT x.{key}, p.id, (SELECT u.uid FROM exchange_uids u WHERE u.entity = 'person' \
             AND u.entity_id = p.id) FROM {table} x JOIN persons p ON p.id = x.person_id \
             WHERE x.{key} >= $1 AND x.{key} <= $2 AND p.deleted_at IS NULL AND {}",
            scope.sql
        );
        if let Some(purpose) = &self.consented_to {
            args.push(purpose.clone());
            let n = args.len() + 2;
            sql = format!(
                "{sql} AND EXISTS (SELECT 1 FROM portal_consents c WHERE c.person_id = p.id \
                 AND c.purpose = ${n} AND c.action = 'given' AND c.id = (SELECT MAX(c2.id) \
                 FROM portal_consents c2 WHERE c2.person_id = p.id AND c2.purpose = ${n}))"
            );
        }
        sql = format!("{sql} ORDER BY x.{key}, p.id");
        let mut q = sqlx::query(&sql).bind(lo).bind(hi);
        for a in &args {
            q = q.bind(a.clone());
        }
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        for r in q.fetch_all(&mut *conn).await? {
            let p: i64 = r.try_get(1)?;
            let uid: Option<String> = r.try_get(2)?;
            out.entry(r.try_get(0)?)
                .or_default()
                .push(uid.unwrap_or_else(|| self.ns.uid(Entity::Person, p)));
        }
        Ok(out)
    }
}

/// Who sent the records `lo..=hi` of a kind (other than people, whose
/// sources are their own table): the senders of the received files whose
/// items wrote them, as sources of the `exchange` agency.
async fn received(
    conn: &mut sqlx::AnyConnection,
    e: Entity,
    lo: i64,
    hi: i64,
) -> AppResult<HashMap<i64, Vec<Value>>> {
    let rows = sqlx::query(
        "SELECT i.entity_id, x.sender, i.decided_at FROM exchange_items i \
         JOIN exchanges x ON x.id = i.exchange_id WHERE i.record_type = $1 \
         AND i.decision = 'accepted' AND i.entity_id >= $2 AND i.entity_id <= $3 ORDER BY i.id",
    )
    .bind(e.code())
    .bind(lo)
    .bind(hi)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: HashMap<i64, Vec<Value>> = HashMap::new();
    for r in rows {
        out.entry(r.try_get(0)?).or_default().push(json!({
            "agency": domain::Agency::Exchange.code(),
            "list_name": r.try_get::<String, _>(1)?,
            "added_at": r.try_get::<Option<String>, _>(2)?,
        }));
    }
    Ok(out)
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    args: &'q [String],
    after: i64,
    scope: &'q [String],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for a in args {
        q = q.bind(a.as_str());
    }
    q = q.bind(after);
    for a in scope {
        q = q.bind(a.as_str());
    }
    q
}

/// Copies what goes out into the kept file and the hash.
struct Tee<'a, S: Sink> {
    out: &'a mut S,
    kept: Option<tokio::fs::File>,
    hash: Sha256,
    bytes: i64,
}

impl<S: Sink> Tee<'_, S> {
    async fn write(&mut self, chunk: Vec<u8>) -> AppResult<()> {
        use tokio::io::AsyncWriteExt as _;
        self.hash.update(&chunk);
        self.bytes += chunk.len() as i64;
        if let Some(k) = self.kept.as_mut() {
            k.write_all(&chunk)
                .await
                .map_err(|e| AppError::Unexpected(e.into()))?;
        }
        self.out
            .write(chunk)
            .await
            .map_err(|e| AppError::Unexpected(e.into()))
    }
}

impl<S: Sink> Sink for Tee<'_, S> {
    async fn write(&mut self, chunk: Vec<u8>) -> std::io::Result<()> {
        Tee::write(self, chunk)
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

/// Sends the workbook's rows (encoded as JSON by `pages`) to its writer.
struct SheetSink(std::sync::mpsc::SyncSender<Vec<SheetRow>>);

impl Sink for SheetSink {
    async fn write(&mut self, chunk: Vec<u8>) -> std::io::Result<()> {
        let rows: Vec<SheetRow> = serde_json::from_slice(&chunk).unwrap_or_default();
        if rows.is_empty() {
            return Ok(());
        }
        let send = self.0.clone();
        tokio::task::spawn_blocking(move || send.send(rows))
            .await
            .map_err(std::io::Error::other)?
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "xlsx writer gone"))
    }
}

/// The columns of the national reporting layout (Vietnamese, as the
/// reports the province sends are).
pub const XLSX_COLUMNS: &[&str] = &[
    "STT",
    "Mã định danh",
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Diện",
    "Thế hệ",
    "Quốc gia cư trú",
    "Thành phố",
    "Quê quán",
    "Mã xã (mới)",
    "Mã xã (cũ)",
    "Nghề nghiệp",
    "Tình trạng",
    "Xác minh",
    "Nguồn",
];

fn xlsx_title(h: &Header) -> (String, String) {
    (
        "DANH SÁCH NGƯỜI VIỆT NAM Ở NƯỚC NGOÀI CÓ QUÊ QUÁN TẠI TỈNH".to_owned(),
        format!(
            "Tỉnh: {} — Mã tỉnh: {} — Ngày lập: {} — Định dạng trao đổi phiên bản {}",
            h.province_name,
            h.province_code,
            clock::show_day(&h.generated_at),
            h.version
        ),
    )
}

fn xlsx_row(v: &Value) -> SheetRow {
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
    let label = |kind: &str, k: &str| {
        let code = s(k);
        domain::label_of(kind, &code, "vi").map_or(code, str::to_owned)
    };
    let country =
        domain::geo::country(&s("country")).map_or_else(|| s("country"), |c| c.name_vi.to_owned());
    let sources: Vec<String> = v["sources"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| {
                    let code = x["agency"].as_str().unwrap_or_default();
                    domain::label_of("agency", code, "vi")
                        .unwrap_or(code)
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default();
    vec![
        String::new(),
        s("id"),
        s("full_name"),
        label("gender", "gender"),
        domain::dates::show(&s("birth_date")),
        label("category", "category"),
        label("generation", "generation"),
        country,
        s("city_abroad"),
        s("hometown_text"),
        s("hometown_code"),
        s("hometown_legacy_code"),
        s("occupation"),
        label("status", "status"),
        label("verification", "verification"),
        sources.join("; "),
    ]
}

/// Writes the workbook (constant memory: rows go to disk as they come).
fn write_xlsx(
    path: &std::path::Path,
    title: &(String, String),
    rows: &std::sync::mpsc::Receiver<Vec<SheetRow>>,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as Cell, Workbook};
    let mut wb = Workbook::new();
    let bold = Cell::new().set_bold();
    let big = Cell::new().set_bold().set_font_size(14);
    let ws = wb.add_worksheet_with_constant_memory()?;
    ws.set_name("Danh sach")?;
    ws.write_string_with_format(0, 0, &title.0, &big)?;
    ws.write_string(1, 0, &title.1)?;
    for (c, h) in XLSX_COLUMNS.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *h, &bold)?;
    }
    let mut r: u32 = 4;
    let mut n: u64 = 0;
    while let Ok(batch) = rows.recv() {
        for row in batch {
            n += 1;
            ws.write_number(r, 0, n as f64)?;
            for (c, cell) in row.iter().enumerate().skip(1) {
                if !cell.is_empty() {
                    ws.write_string(r, c as u16, domain::text::spreadsheet_safe(cell))?;
                }
            }
            r += 1;
        }
    }
    wb.save(path)?;
    Ok(())
}

/// Where the kept copy of exchange files goes (see [`super::files`]).
pub fn kept_dir(app: &App) -> Option<PathBuf> {
    app.settings.exchange_dir.clone()
}
