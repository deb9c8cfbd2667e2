//! `kieubao`: the server and the command line of the Kiều Bào registry.

mod config;

use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use app::accounts::users::{NewUser, Scope};
use app::{Actor, App, AppError};
use clap::{Args, Parser, Subcommand};
use domain::Role;

/// mimalloc instead of the C library's allocator: an import builds and frees
/// millions of short strings across threads, and glibc's allocator spent
/// about a third of the reading and checking threads' time in `malloc`,
/// `free` and consolidating its free lists (`perf`, 200,000-row csv).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes that scripts can rely on.
mod exit {
    pub const FAILURE: u8 = 1;
    pub const CONFIG: u8 = 3;
    pub const DATABASE: u8 = 4;
    pub const AUDIT_BROKEN: u8 = 5;
    pub const INVALID: u8 = 6;
    pub const NOT_FOUND: u8 = 7;
}

const AFTER_HELP: &str = "\
Examples:
  kieubao serve --demo                      start on http://127.0.0.1:8080 with demo data
  kieubao serve --database-url postgres://postgres@127.0.0.1/kieubao
  echo 'a long passphrase' | kieubao user add --username lan --role commune_officer --commune 18427
  kieubao token create --username lan --expires-days 30
  kieubao token system-account --username national-db --role province_officer
  kieubao token rotate --id 7
  kieubao token revoke --id 7
  kieubao import ds-cong-an.xlsx --source police --round 2025 --dry-run
  kieubao import undo 12
  kieubao audit verify
  kieubao audit anchor
  kieubao audit rotate-key
  kieubao backup --out /var/backups/kieubao/2026-12-06
  kieubao backup verify /var/backups/kieubao/2026-12-06
  kieubao restore /var/backups/kieubao/2026-12-06 --database-url postgres://postgres@127.0.0.1/kieubao

Configuration, lowest to highest precedence: built-in defaults, kieubao.toml (or --config),
KIEUBAO_* environment variables (KIEUBAO_DATA_DIR, KIEUBAO_DATABASE_URL, KIEUBAO_ADDR, ...),
command-line flags.

Exit codes: 0 success, 1 failure, 2 usage error, 3 invalid configuration,
4 database unreachable or from a newer version, 5 audit chain broken,
6 invalid input, 7 not found.";

#[derive(Parser)]
#[command(name = "kieubao", version, about = "Kiều Bào — the province's registry of people abroad and their relatives at home", after_help = AFTER_HELP)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct GlobalArgs {
    /// Configuration file (default: ./kieubao.toml when present).
    #[arg(long, global = true, env = "KIEUBAO_CONFIG")]
    config: Option<PathBuf>,
    /// Directory holding the embedded SQLite database.
    #[arg(long, global = true, env = "KIEUBAO_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL (<sqlite://FILE> or postgres://...); default: SQLite in the data directory.
    #[arg(
        long,
        global = true,
        env = "KIEUBAO_DATABASE_URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
}

#[derive(Subcommand)]
#[expect(
    clippy::doc_markdown,
    reason = "doc comments are the --help text users read"
)]
enum Command {
    /// Run the web server (pages and JSON API).
    Serve {
        /// Listen address (default 127.0.0.1:8080).
        #[arg(long)]
        addr: Option<String>,
        /// On an empty database, load demo accounts and a few thousand demo people.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations (or revert with --down-to).
    Migrate {
        /// Revert down to this version (0 = empty).
        #[arg(long)]
        down_to: Option<i64>,
        /// Only print the current and latest versions.
        #[arg(long)]
        status: bool,
    },
    /// Generate demo people into the database, or into a CSV file with --csv.
    Demo(DemoArgs),
    /// Build the search index from the database and report it (idempotent;
    /// servers build their own index at start and keep it current).
    Reindex,
    /// Look for duplicates in the registry and queue the new candidate pairs
    /// for review (as a province-level officer, or --as USER within that
    /// account's jurisdiction).
    Scan {
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Find records of the same person in a CSV (no database needed); writes record_id,cluster_id.
    Dedupe(DedupeArgs),
    /// Import an agency's list (xlsx, xls, ods or csv): validate, then write
    /// the valid rows as one undoable import; or `import undo ID`.
    Import(ImportArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Cooperation records in bulk (issue 22): import a list of associations
    /// or investment projects as officials make it (xlsx or csv, title rows,
    /// values in words) — every row or none — or write its template.
    #[command(subcommand)]
    Community(CommunityCommand),
    /// Survey rounds of the reconciliation of two agencies' lists: declare a
    /// round, record an agency's signature on its agreed figures, show it.
    #[command(subcommand)]
    Round(RoundCommand),
    /// Audit log tools.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Back the whole database up into a new directory while the server
    /// runs (a portable copy: SQLite or PostgreSQL can restore it), or check
    /// a backup with `backup verify DIR`.
    Backup(BackupArgs),
    /// Restore a backup into an empty database (SQLite or PostgreSQL): all
    /// of it in one transaction, checked against its manifest, or nothing.
    Restore {
        /// The backup's directory (holding manifest.json).
        dir: PathBuf,
    },
    /// Export the registry in the exchange format (JSON Lines, or a workbook
    /// in the national reporting layout), within the account's jurisdiction;
    /// logged and audited. Writes to --out, or standard output.
    Export(ExportArgs),
    /// Exchange files: `exchange import FILE` receives a file from the
    /// national database or another province and matches every record (the
    /// officers review it at /exchange/imports).
    #[command(subcommand)]
    Exchange(ExchangeCommand),
    /// Print the version.
    Version,
}

#[derive(Args)]
struct ExportArgs {
    /// jsonl (default) or xlsx.
    #[arg(long, default_value = "jsonl")]
    format: String,
    /// Only records changed on or after this day (YYYY-MM-DD).
    #[arg(long)]
    since: Option<String>,
    /// Only people whose last consent for this purpose was given
    /// (`national_sharing`, `directory`, `news`, `keep_record`).
    #[arg(long)]
    consented_to: Option<String>,
    /// The file to write (default: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Act as this account (its jurisdiction applies); default: the province.
    #[arg(long = "as")]
    as_user: Option<String>,
}

#[derive(Subcommand)]
enum ExchangeCommand {
    /// Receive a file in the exchange format: every record matched against
    /// the registry, nothing applied until an officer accepts it.
    Import {
        /// The file (JSON Lines, version 1).
        file: PathBuf,
        /// Act as this account; default: the province.
        #[arg(long = "as")]
        as_user: Option<String>,
    },
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
#[expect(
    clippy::doc_markdown,
    reason = "doc comments are the --help text users read"
)]
struct ImportArgs {
    #[command(subcommand)]
    action: Option<ImportAction>,
    /// The file to import.
    file: Option<PathBuf>,
    /// Source agency: police, fatherland_front, justice, labour, home_affairs,
    /// planning_investment, education, statistics, mission, association, survey.
    #[arg(long)]
    source: Option<String>,
    /// Survey round the list belongs to (e.g. 2025).
    #[arg(long, default_value = "")]
    round: String,
    /// Validate and print the report only; write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Act as this account (its jurisdiction applies); default: the province.
    #[arg(long = "as")]
    as_user: Option<String>,
    /// Language of the report's messages: vi (default) or en.
    #[arg(long, default_value = "vi")]
    lang: String,
    /// The sheet to read (default: the first that holds a list).
    #[arg(long)]
    sheet: Option<String>,
    /// The header row as the spreadsheet numbers it (default: found among
    /// the first 30 rows).
    #[arg(long)]
    header_row: Option<u32>,
}

#[derive(Subcommand)]
enum ImportAction {
    /// Undo a committed import (people edited since are kept and listed).
    Undo {
        id: i64,
        #[arg(long = "as")]
        as_user: Option<String>,
    },
}

#[derive(Args)]
struct DemoArgs {
    /// Number of people to generate.
    #[arg(long, default_value_t = 3000)]
    people: u64,
    /// Random seed (same seed, same people).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Write the people to this CSV file instead of the database.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Also write agency lists with name variations and ground truth to this CSV file.
    #[arg(long)]
    lists: Option<PathBuf>,
}

#[derive(Args)]
#[expect(
    clippy::doc_markdown,
    reason = "doc comments are the --help text users read"
)]
struct DedupeArgs {
    /// Input CSV with a header: record_id, source, full_name, gender, birth_date, country,
    /// city_abroad, hometown, passport_no, phone, email, father_name, category (missing columns are empty).
    input: PathBuf,
    /// Output CSV: record_id,cluster_id for every input row.
    #[arg(long)]
    out: PathBuf,
    /// Match probability above which two records are the same person
    /// (0 < T < 1; 0.8 when not given).
    #[arg(long)]
    threshold: Option<f64>,
    /// Also write the scored pairs with a per-field explanation.
    #[arg(long)]
    explain: Option<PathBuf>,
}

/// Jurisdiction of an account, as repeatable flags.
#[derive(Args)]
struct ScopeArgs {
    /// Commune (new 2025 code, 5 digits); repeatable.
    #[arg(long)]
    commune: Vec<String>,
    /// Legacy (pre-July-2025) commune code; repeatable.
    #[arg(long)]
    legacy_commune: Vec<String>,
    /// Legacy district code: grants all its communes; repeatable.
    #[arg(long)]
    legacy_district: Vec<String>,
    /// Country (ISO 3166 alpha-2) for missions; repeatable.
    #[arg(long)]
    country: Vec<String>,
    /// Agency code (police, `fatherland_front`, justice, labour, ...).
    #[arg(long)]
    agency: Option<String>,
    /// Association id; repeatable.
    #[arg(long)]
    association: Vec<String>,
}

impl ScopeArgs {
    fn scopes(&self) -> Vec<Scope> {
        let mut scopes = Vec::new();
        scopes.extend(self.commune.iter().map(|c| Scope::new("new_commune", c)));
        scopes.extend(
            self.legacy_commune
                .iter()
                .map(|c| Scope::new("legacy_commune", c)),
        );
        scopes.extend(
            self.legacy_district
                .iter()
                .map(|c| Scope::new("legacy_district", c)),
        );
        scopes.extend(
            self.country
                .iter()
                .map(|c| Scope::new("country", &c.to_uppercase())),
        );
        scopes.extend(self.agency.iter().map(|c| Scope::new("agency", c)));
        scopes.extend(
            self.association
                .iter()
                .map(|c| Scope::new("association", c)),
        );
        scopes
    }
}

fn parse_role(role: &str) -> Result<Role, Failure> {
    Role::from_code(role).map_err(|_| {
        Failure::new(
            exit::INVALID,
            format!("unknown role '{role}' (admin, province_officer, commune_officer, agency, mission, association, viewer, editor, publisher)"),
        )
    })
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add an account; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// admin, `province_officer`, `commune_officer`, agency, mission, association or viewer.
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "")]
        display_name: String,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Change an account's role and jurisdiction (replaces all of its
    /// scopes); its sessions end at once.
    SetAccess {
        #[arg(long)]
        username: String,
        /// admin, `province_officer`, `commune_officer`, agency, mission, association or viewer.
        #[arg(long)]
        role: String,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Clear an account's two-factor setup (lost authenticator and recovery
    /// codes); its sessions end and it enrols again at next sign-in.
    MfaReset {
        #[arg(long)]
        username: String,
    },
    /// List accounts.
    List,
    /// Set a new password (read from standard input); ends the account's sessions.
    ResetPassword {
        #[arg(long)]
        username: String,
    },
    /// Disable an account (or enable it again with --enable).
    Disable {
        #[arg(long)]
        username: String,
        #[arg(long)]
        enable: bool,
    },
}

#[derive(Subcommand)]
enum CommunityCommand {
    /// Import a list: every row is checked first; any problem writes nothing
    /// and each is printed with its row and column.
    Import {
        /// associations, projects or contributions.
        #[arg(long)]
        kind: String,
        /// The account whose reach the records are created in (default:
        /// the province).
        #[arg(long = "as")]
        as_user: Option<String>,
        file: PathBuf,
    },
    /// Write the template of a list (headers, an example row, the allowed values).
    Template {
        #[arg(long)]
        kind: String,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum RoundCommand {
    /// Declare a round (or change it while it is not locked).
    Declare {
        /// Short code the imports use ("R2026").
        code: String,
        /// Its name.
        #[arg(long)]
        name: String,
        /// First day (dd/mm/yyyy or YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// Last day.
        #[arg(long)]
        to: Option<String>,
        /// Communes by name or code, separated by commas (default: the whole province).
        #[arg(long)]
        communes: Option<String>,
        /// The two lists compared (default: the police and the Fatherland Front).
        #[arg(long)]
        a: Option<String>,
        #[arg(long)]
        b: Option<String>,
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Record an agency's signature on the round's agreed figures as they
    /// stand (the round locks when both agencies signed the same figures).
    Sign {
        code: String,
        /// The agency signing (its code, e.g. police).
        #[arg(long)]
        agency: String,
        /// Who signed for it.
        #[arg(long)]
        signer: String,
        #[arg(long = "as")]
        as_user: Option<String>,
    },
    /// Print a round, its figures and signatures.
    Show { code: String },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token and print it once on standard output.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long, default_value_t = 90)]
        expires_days: i64,
        /// Scopes: read, write, admin (repeatable; default read and write).
        #[arg(long = "scope")]
        scopes: Vec<String>,
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// Add a system account: another system's identity (the national
    /// database, a data platform) for its tokens, with a role and a
    /// jurisdiction; it never signs in with a password.
    SystemAccount {
        #[arg(long)]
        username: String,
        /// `province_officer`, `commune_officer`, agency, mission, association or viewer.
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "")]
        display_name: String,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Rotate a token without downtime: print a new one (same account, name
    /// and scopes) while the old stays valid; revoke the old once the
    /// client uses the new.
    Rotate {
        /// The token's id (`token list`).
        #[arg(long)]
        id: i64,
        #[arg(long, default_value_t = 90)]
        expires_days: i64,
    },
    /// Revoke a token at once (on every server).
    Revoke {
        #[arg(long)]
        id: i64,
    },
    /// List an account's tokens (never the tokens themselves).
    List {
        #[arg(long)]
        username: String,
    },
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
struct BackupArgs {
    #[command(subcommand)]
    action: Option<BackupAction>,
    /// The directory to write into (created; it must not hold a backup).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Subcommand)]
enum BackupAction {
    /// Check a backup's files against its manifest: sizes, SHA-256, row
    /// counts and the rows' checksums; exit 6 naming every problem.
    Verify {
        /// The backup's directory (holding manifest.json).
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the chain against its keys and the signed anchors; exit 0 when
    /// intact, 5 naming the first bad row or the rows missing after an anchor.
    Verify,
    /// Sign the head of the chain (row count, last hash) into the anchor file now.
    Anchor,
    /// Start a new HMAC key (kept with the old ones in the key file) and
    /// record the change in the chain.
    RotateKey,
}

/// A failure with its exit code and one line for the user.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<config::ConfigError> for Failure {
    fn from(e: config::ConfigError) -> Self {
        Failure::new(exit::CONFIG, e.to_string())
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid(fields) => Failure::new(
                exit::INVALID,
                format!(
                    "invalid input: {}",
                    fields
                        .iter()
                        .map(|f| format!("{} ({})", f.field, f.code))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            AppError::NotFound => Failure::new(exit::NOT_FOUND, "not found"),
            AppError::Unexpected(e) => Failure::new(exit::FAILURE, format!("error: {e:#}")),
            other => Failure::new(exit::FAILURE, format!("error: {other}")),
        }
    }
}

impl From<db::DbError> for Failure {
    fn from(e: db::DbError) -> Self {
        Failure::new(exit::DATABASE, format!("database: {e}"))
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    let outcome = runtime.block_on(run(cli));
    // Work still running in the background when the server stops (a long
    // duplicate scan whose client has gone) is abandoned after a grace
    // period, not waited for: its transaction rolls back.
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("kieubao: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// How long a stopping server waits for background work and for its
/// database connections to come back.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

fn init_logs(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KIEUBAO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn prepare_data_dir(settings: &config::Settings) -> Result<(), Failure> {
    if config::uses_data_dir(settings) {
        std::fs::create_dir_all(&settings.data_dir).map_err(|e| {
            Failure::new(
                exit::CONFIG,
                format!(
                    "data directory {} is not usable: {e}",
                    settings.data_dir.display()
                ),
            )
        })?;
        // Probe writability now: a read-only directory must fail with one line.
        let probe = settings.data_dir.join(".write-test");
        std::fs::write(&probe, b"ok").map_err(|e| {
            Failure::new(
                exit::CONFIG,
                format!(
                    "data directory {} is not writable: {e}",
                    settings.data_dir.display()
                ),
            )
        })?;
        let _ = std::fs::remove_file(probe);
    }
    Ok(())
}

async fn open(settings: &config::Settings) -> Result<App, Failure> {
    let app = open_unkeyed(settings).await?;
    // The key file is read (or created, 0600) now: a program that cannot use
    // it stops with one line instead of failing its first audited action.
    app.audit_keys
        .ring()
        .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    // A chain keyed with a key this file lacks (servers sharing a database
    // must share the key file) would fail every audited action.
    if let Some(missing) = app::audit::missing_chain_key(&app).await? {
        return Err(Failure::new(
            exit::CONFIG,
            format!(
                "the audit chain is keyed with {missing}, which the audit key file {} does not hold; \
                 servers sharing a database must share audit_key_file",
                app.audit_keys
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ),
        ));
    }
    Ok(app)
}

/// Opens the database without reading or creating the audit key file
/// (`audit verify` reports a missing key instead of making one).
async fn open_unkeyed(settings: &config::Settings) -> Result<App, Failure> {
    prepare_data_dir(settings)?;
    let db = db::Db::connect(&settings.database_url, settings.db_max_connections)
        .await
        .map_err(|e| Failure::new(exit::DATABASE, format!("cannot open the database: {e}")))?;
    let applied = db::migrate::run(&db, &app::clock::now()).await?;
    if !applied.is_empty() {
        tracing::info!(count = applied.len(), "database migrated");
    }
    Ok(App::new(db, settings.app.clone()))
}

fn read_password() -> Result<String, Failure> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password: ");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::new(exit::FAILURE, format!("cannot read the password: {e}")))?;
    let p = line.trim_end_matches(['\n', '\r']).to_owned();
    if p.is_empty() {
        return Err(Failure::new(exit::INVALID, "no password on standard input"));
    }
    Ok(p)
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let mut overrides = config::Overrides {
        config: cli.global.config.clone(),
        data_dir: cli.global.data_dir.clone(),
        database_url: cli.global.database_url.clone(),
        addr: None,
    };
    if let Command::Serve { addr, .. } = &cli.command {
        overrides.addr.clone_from(addr);
    }
    if let Command::Version = cli.command {
        println!("kieubao {}", env!("CARGO_PKG_VERSION"));
        return Ok(());
    }
    if let Command::Dedupe(args) = &cli.command {
        return dedupe(args);
    }
    // Checking a backup needs no configuration and no database.
    if let Command::Backup(BackupArgs {
        action: Some(BackupAction::Verify { dir }),
        ..
    }) = &cli.command
    {
        return backup_verify(dir);
    }
    let settings = config::load(&overrides)?;
    init_logs(settings.json_logs);
    let system = Actor::system("cli");
    match cli.command {
        Command::Version | Command::Dedupe(_) => Ok(()),
        Command::Serve { demo, .. } => serve(settings, demo).await,
        Command::Migrate { down_to, status } => {
            prepare_data_dir(&settings)?;
            let db = db::Db::connect(&settings.database_url, 2).await?;
            if status {
                let v = db::migrate::current_version(&db).await?;
                println!("current {v}, latest {}", db::migrate::latest_version());
                let pending = db::migrate::pending(&db).await?;
                if pending.is_empty() {
                    println!("up to date: nothing to apply");
                } else {
                    println!(
                        "{} pending, applied in this order by `kieubao migrate` or the next `kieubao serve`, \
                         each in one transaction:",
                        pending.len()
                    );
                    for m in pending {
                        println!("  {:>4}  {}", m.version, m.name);
                    }
                }
                return Ok(());
            }
            if let Some(t) = down_to {
                let r = db::migrate::revert_to(&db, t).await?;
                println!("reverted {r:?}");
            } else {
                let a = db::migrate::run(&db, &app::clock::now()).await?;
                println!("applied {a:?}; now at {}", db::migrate::latest_version());
            }
            Ok(())
        }
        Command::Demo(args) => demo(&settings, &args).await,
        Command::Export(args) => {
            let app = open(&settings).await?;
            export(&app, args).await
        }
        Command::Exchange(ExchangeCommand::Import { file, as_user }) => {
            let app = open(&settings).await?;
            let actor = import_actor(&app, as_user.as_deref()).await?;
            let bytes = std::fs::read(&file).map_err(|e| {
                Failure::new(
                    exit::INVALID,
                    format!("cannot read {}: {e}", file.display()),
                )
            })?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let r = app::exchange::receive::receive(&app, &actor, &name, &bytes).await?;
            println!(
                "exchange {}: {} records: {} the same, {} new, {} changed, {} conflicts, {} refused; \
                 review them at /exchange/imports/{}",
                r.id,
                r.records,
                r.unchanged,
                r.new_records,
                r.changed,
                r.conflicts,
                r.refused,
                r.id
            );
            Ok(())
        }
        Command::Import(args) => {
            let app = open(&settings).await?;
            import(&app, args).await
        }
        Command::Reindex => {
            let app = open(&settings).await?;
            let started = std::time::Instant::now();
            let r = app.search.rebuild(&app).await?;
            println!(
                "search index: {} people indexed from {} rows in {:.1} s",
                r.indexed,
                r.rows,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Scan { as_user } => {
            let app = open(&settings).await?;
            let actor = import_actor(&app, as_user.as_deref()).await?;
            let started = std::time::Instant::now();
            let s = app::intake::matching::scan(&app, &actor).await?;
            println!(
                "compared {} records ({} candidate pairs): {} pairs at or above the review threshold, \
                 {} new in the queue ({} very likely the same person), {} pending pairs no longer \
                 proposed withdrawn, in {:.1} s",
                s.people,
                s.candidate_pairs,
                s.scored_pairs,
                s.new_pairs,
                s.likely,
                s.withdrawn,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::User(cmd) => {
            let app = open(&settings).await?;
            user(&app, &system, cmd).await
        }
        Command::Round(cmd) => {
            let app = open(&settings).await?;
            round(&app, cmd).await
        }
        Command::Community(cmd) => {
            let app = open(&settings).await?;
            community(&app, cmd).await
        }
        Command::Token(TokenCommand::Create {
            username,
            expires_days,
            scopes,
            name,
        }) => {
            let app = open(&settings).await?;
            let id = app::accounts::users::id_by_username(&app, &username).await?;
            let scopes: Vec<&str> = if scopes.is_empty() {
                vec!["read", "write"]
            } else {
                scopes.iter().map(String::as_str).collect()
            };
            let token = app::accounts::tokens::create_token(
                &app,
                &system,
                id,
                &name,
                &scopes,
                expires_days,
            )
            .await?;
            println!("{token}");
            Ok(())
        }
        Command::Token(TokenCommand::SystemAccount {
            username,
            role,
            display_name,
            scope,
        }) => {
            let app = open(&settings).await?;
            let role = parse_role(&role)?;
            let id = app::accounts::users::add_system(
                &app,
                &system,
                app::accounts::users::NewUser {
                    username,
                    display_name,
                    role,
                    password: String::new(),
                    scopes: scope.scopes(),
                },
            )
            .await?;
            println!("system account {id} added; make its token with `kieubao token create`");
            Ok(())
        }
        Command::Token(TokenCommand::Rotate { id, expires_days }) => {
            let app = open(&settings).await?;
            let r = app::accounts::tokens::rotate_token(&app, &system, id, expires_days).await?;
            eprintln!(
                "token {} made; token {id} stays valid until revoked (`kieubao token revoke --id {id}`)",
                r.id
            );
            println!("{}", r.token);
            Ok(())
        }
        Command::Token(TokenCommand::Revoke { id }) => {
            let app = open(&settings).await?;
            app::accounts::tokens::revoke_token(&app, &system, id).await?;
            println!("token {id} revoked");
            Ok(())
        }
        Command::Token(TokenCommand::List { username }) => {
            let app = open(&settings).await?;
            let user = app::accounts::users::id_by_username(&app, &username).await?;
            for (t, from) in app::accounts::tokens::tokens_of_user(&app, &system, user).await? {
                let state = if t.revoked {
                    "revoked"
                } else if t.expired {
                    "expired"
                } else {
                    "valid"
                };
                let from = from
                    .map(|f| format!(" (rotated from {f})"))
                    .unwrap_or_default();
                println!(
                    "{}\t{}\t{}\t{}\texpires {}{from}",
                    t.id, t.name, t.scopes, state, t.expires_at
                );
            }
            Ok(())
        }
        Command::Backup(args) => {
            let Some(dir) = args.out else {
                return Err(Failure::new(
                    2,
                    "backup: give --out DIR (or `backup verify DIR` to check one)",
                ));
            };
            if dir.join(db::backup::MANIFEST).exists() {
                return Err(Failure::new(
                    exit::INVALID,
                    format!(
                        "{} already holds a backup; choose a new directory",
                        dir.display()
                    ),
                ));
            }
            // The database is backed up as it is, not migrated first: a
            // backup taken before an upgrade must hold the old schema.
            prepare_data_dir(&settings)?;
            let db = db::Db::connect(&settings.database_url, settings.db_max_connections)
                .await
                .map_err(|e| {
                    Failure::new(exit::DATABASE, format!("cannot open the database: {e}"))
                })?;
            let started = std::time::Instant::now();
            let current = db::migrate::current_version(&db).await?;
            let m = if current == db::migrate::latest_version() {
                let app = open(&settings).await?;
                app::backup::create(&app, &system, &dir).await?
            } else {
                let m = db::backup::backup(&db, &dir, &app::clock::now())
                    .await
                    .map_err(backup_failure)?;
                println!(
                    "the database is at schema version {current}, not this program's {}: it was not \
                     migrated, and the backup is not recorded in its audit chain",
                    db::migrate::latest_version()
                );
                m
            };
            let people = m.table("persons").map_or(0, |t| t.rows);
            println!(
                "backup written to {}: {} tables, {} rows ({people} people), schema version {}, in {:.1} s",
                dir.display(),
                m.tables.len(),
                m.total_rows(),
                m.schema_version,
                started.elapsed().as_secs_f64()
            );
            println!(
                "the audit key file is not in the backup: keep a copy of it apart (see manifest.json)"
            );
            Ok(())
        }
        Command::Restore { dir } => restore(&settings, &system, &dir).await,
        Command::Audit(cmd) => {
            let app = if matches!(cmd, AuditCommand::Verify) {
                open_unkeyed(&settings).await?
            } else {
                open(&settings).await?
            };
            audit(&app, &system, &cmd).await
        }
    }
}

#[expect(
    clippy::needless_pass_by_value,
    reason = "used as map_err(backup_failure)"
)]
fn backup_failure(e: db::backup::BackupError) -> Failure {
    use db::backup::BackupError as E;
    let code = match &e {
        E::Db(_) => exit::DATABASE,
        E::Damaged(_) | E::NotEmpty(_) | E::NewerBackup { .. } | E::Format(_) => exit::INVALID,
        E::Io { .. } | E::Mismatch(_) => exit::FAILURE,
    };
    Failure::new(code, e.to_string())
}

fn backup_verify(dir: &std::path::Path) -> Result<(), Failure> {
    let r = db::backup::verify(dir, true).map_err(backup_failure)?;
    if r.problems.is_empty() {
        println!(
            "backup intact: {} tables, {} rows, schema version {}, taken {} from {}",
            r.manifest.tables.len(),
            r.manifest.total_rows(),
            r.manifest.schema_version,
            r.manifest.created_at,
            r.manifest.source_backend
        );
        Ok(())
    } else {
        for p in &r.problems {
            println!("{p}");
        }
        Err(Failure::new(
            exit::INVALID,
            format!(
                "the backup in {} does not match its manifest: {} problem(s), listed above",
                dir.display(),
                r.problems.len()
            ),
        ))
    }
}

async fn restore(
    settings: &config::Settings,
    system: &Actor,
    dir: &std::path::Path,
) -> Result<(), Failure> {
    prepare_data_dir(settings)?;
    let db = db::Db::connect(&settings.database_url, settings.db_max_connections)
        .await
        .map_err(|e| Failure::new(exit::DATABASE, format!("cannot open the database: {e}")))?;
    let started = std::time::Instant::now();
    let r = db::backup::restore(&db, dir, &app::clock::now())
        .await
        .map_err(backup_failure)?;
    println!(
        "restored {} tables, {} rows from {} (schema version {}, taken {} from {}) in {:.1} s; \
         counts and checksums match the manifest",
        r.tables,
        r.rows,
        dir.display(),
        r.manifest.schema_version,
        r.manifest.created_at,
        r.manifest.source_backend,
        started.elapsed().as_secs_f64()
    );
    // A backup from an earlier schema is brought up to this program's.
    let applied = db::migrate::run(&db, &app::clock::now()).await?;
    if !applied.is_empty() {
        println!("then migrated: {applied:?}");
    }
    let app = App::new(db, settings.app.clone());
    app.audit_keys
        .ring()
        .map_err(|e| Failure::new(exit::CONFIG, e.to_string()))?;
    if let Some(missing) = app::audit::missing_chain_key(&app).await? {
        return Err(Failure::new(
            exit::CONFIG,
            format!(
                "the data are restored, but the audit chain is keyed with {missing}, which the audit key \
                 file {} does not hold: copy the old server's audit key file there before starting",
                app.audit_keys
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ),
        ));
    }
    app::backup::record_restore(&app, system, dir, &r.manifest).await?;
    Ok(())
}

async fn audit(app: &App, system: &Actor, cmd: &AuditCommand) -> Result<(), Failure> {
    use app::audit::{Verification, display_time};
    match cmd {
        AuditCommand::Verify => {
            let r = app::audit::verify_report(app).await?;
            let broken = |m: String| Err(Failure::new(exit::AUDIT_BROKEN, m));
            match r.outcome {
                Verification::Intact { rows } => {
                    let mut line = format!("audit chain intact: {rows} rows");
                    if r.unkeyed_rows > 0 {
                        let _ = write!(
                            line,
                            "; rows 1–{} were written before the chain was keyed and are checked as plain SHA-256",
                            r.unkeyed_rows
                        );
                    }
                    if !r.key_ids.is_empty() {
                        let _ = write!(
                            line,
                            "; {} rows checked by HMAC (keys {})",
                            rows - r.unkeyed_rows,
                            r.key_ids.join(", ")
                        );
                    }
                    match &r.last_anchor {
                        Some((at, n)) => {
                            let _ = write!(
                                line,
                                "; {} signed anchors checked, the last of {} at {n} rows",
                                r.anchors,
                                display_time(at)
                            );
                        }
                        None => line.push_str("; no signed anchor yet"),
                    }
                    println!("{line}");
                    Ok(())
                }
                Verification::Broken { row_id, reason } => {
                    broken(format!("audit chain broken at row {row_id}: {reason}"))
                }
                Verification::Truncated {
                    first_missing,
                    last_missing,
                    anchor_at,
                } => broken(format!(
                    "audit chain broken: rows {first_missing}–{last_missing} missing after the anchor of {}",
                    display_time(&anchor_at)
                )),
                Verification::AnchorMismatch { row_id, anchor_at } => broken(format!(
                    "audit chain broken at row {row_id}: it differs from the anchor of {}",
                    display_time(&anchor_at)
                )),
                Verification::BadAnchor { line, reason } => broken(format!(
                    "audit anchors broken at line {line} of {}: {reason}",
                    app.audit_anchoring
                        .files
                        .log
                        .as_ref()
                        .map(|p| p.display().to_string())
                        .unwrap_or_default()
                )),
            }
        }
        AuditCommand::Anchor => {
            if let Some(a) = app::audit::anchor(app, true).await? {
                println!(
                    "anchor written: {} rows, last hash {}, at {}",
                    a.rows,
                    a.last_hash,
                    display_time(&a.at)
                );
            } else {
                println!("the audit chain is empty: nothing to anchor");
            }
            Ok(())
        }
        AuditCommand::RotateKey => {
            let id = app::audit::rotate_key(app, system).await?;
            println!("new audit key {id}; earlier keys are kept in the key file");
            Ok(())
        }
    }
}

async fn export(app: &App, args: ExportArgs) -> Result<(), Failure> {
    use app::exchange::export;
    use tokio::io::AsyncWriteExt as _;
    let actor = import_actor(app, args.as_user.as_deref()).await?;
    let req = export::ExportRequest {
        format: export::Format::parse(&args.format)?,
        since: args.since,
        consented_to: args.consented_to,
    };
    let started = std::time::Instant::now();
    let run = export::start(app, &actor, &req).await?;
    let written = |e: std::io::Error| Failure::new(exit::FAILURE, format!("cannot write: {e}"));
    let summary = if let Some(path) = &args.out {
        let f = tokio::fs::File::create(path).await.map_err(|e| {
            Failure::new(
                exit::INVALID,
                format!("cannot write {}: {e}", path.display()),
            )
        })?;
        let mut sink = export::FileSink(f);
        let s = run.run(app, &mut sink).await?;
        sink.0.flush().await.map_err(written)?;
        s
    } else {
        let mut sink = export::FileSink(tokio::io::stdout());
        let s = run.run(app, &mut sink).await?;
        sink.0.flush().await.map_err(written)?;
        s
    };
    eprintln!(
        "exchange {}: {} records ({} people), {} bytes, SHA-256 {}, in {:.1} s",
        summary.id,
        summary.records,
        summary.people,
        summary.bytes,
        summary.sha256,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The actor of an import from the command line: an account, or the
/// province level.
async fn community(app: &App, cmd: CommunityCommand) -> Result<(), Failure> {
    let vocab = web::community::imports::vocabulary();
    match cmd {
        CommunityCommand::Template { kind, out } => {
            let bytes = app::community::imports::template(&kind, &vocab)?;
            std::fs::write(&out, bytes)
                .map_err(|e| Failure::new(1, format!("cannot write {}: {e}", out.display())))?;
            println!("template of {kind} written to {}", out.display());
        }
        CommunityCommand::Import {
            kind,
            as_user,
            file,
        } => {
            let actor = import_actor(app, as_user.as_deref()).await?;
            let bytes = std::fs::read(&file)
                .map_err(|e| Failure::new(1, format!("cannot read {}: {e}", file.display())))?;
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let o =
                app::community::imports::import(app, &actor, &kind, &name, &bytes, &vocab).await?;
            if o.problems.is_empty() {
                println!("{} {kind} created: {:?}", o.created.len(), o.created);
            } else {
                let t = web::i18n::Tr::new(web::i18n::Lang::Vi);
                for p in &o.problems {
                    println!(
                        "  {} {}{}: {}: {}{}",
                        t.s("import.row"),
                        p.row,
                        if p.column.is_empty() {
                            String::new()
                        } else {
                            format!(" «{}»", p.column)
                        },
                        t.field(&p.field),
                        t.s(&format!("code.{}", p.code)),
                        if p.candidates.is_empty() {
                            String::new()
                        } else {
                            format!(" {}", p.candidates.join("; "))
                        }
                    );
                }
                return Err(Failure::new(
                    6,
                    format!("nothing imported: {} problems", o.problems.len()),
                ));
            }
        }
    }
    Ok(())
}

async fn round(app: &App, cmd: RoundCommand) -> Result<(), Failure> {
    use app::intake::reconcile::{self, ReconcileQuery, RoundInput, SignInput};
    match cmd {
        RoundCommand::Declare {
            code,
            name,
            from,
            to,
            communes,
            a,
            b,
            as_user,
        } => {
            let actor = import_actor(app, as_user.as_deref()).await?;
            let code = reconcile::declare_round(
                app,
                &actor,
                &RoundInput {
                    code,
                    name,
                    started_on: from.unwrap_or_default(),
                    ends_on: to.unwrap_or_default(),
                    communes: communes.unwrap_or_default(),
                    list_a: a.unwrap_or_default(),
                    list_b: b.unwrap_or_default(),
                },
            )
            .await?;
            println!("round {code} declared");
        }
        RoundCommand::Sign {
            code,
            agency,
            signer,
            as_user,
        } => {
            let actor = import_actor(app, as_user.as_deref()).await?;
            let out = reconcile::sign_off(
                app,
                &actor,
                &code,
                &SignInput {
                    agency,
                    signer_name: signer,
                },
            )
            .await?;
            println!(
                "round {code}: signed by {}{}",
                out.signed.join(", "),
                if out.locked { "; locked" } else { "" }
            );
        }
        RoundCommand::Show { code } => {
            let actor = import_actor(app, None).await?;
            let r = reconcile::reconcile(
                app,
                &actor,
                &ReconcileQuery {
                    round: code.clone(),
                    ..ReconcileQuery::default()
                },
            )
            .await?;
            let t = &r.total;
            if let Some(d) = &r.declared {
                println!(
                    "round {} — {} ({} / {})",
                    d.code, d.name, d.list_a, d.list_b
                );
            } else {
                println!("round {code} (not declared)");
            }
            println!(
                "in {}: {}, in {}: {}, agreed: {}, conflicting: {}, only {}: {}, only {}: {}, \
                 pairs to review: {}",
                r.a,
                t.in_a,
                r.b,
                t.in_b,
                t.agreed,
                t.conflicting,
                r.a,
                t.only_a,
                r.b,
                t.only_b,
                r.uncertain.len()
            );
            if let Some(d) = &r.declared {
                for s in &d.signatures {
                    println!(
                        "signed by {} ({}) at {}: {} agreed",
                        s.agency, s.signer_name, s.signed_at, s.agreed
                    );
                }
                if let Some(at) = &d.locked_at {
                    println!("locked at {at}");
                }
            }
        }
    }
    Ok(())
}

async fn import_actor(app: &App, as_user: Option<&str>) -> Result<Actor, Failure> {
    Ok(match as_user {
        Some(u) => {
            let id = app::accounts::users::id_by_username(app, u).await?;
            app::accounts::users::actor_for(app, id).await?
        }
        None => Actor {
            user_id: None,
            username: "system:cli".into(),
            role: Role::ProvinceOfficer,
            jurisdiction: app::Jurisdiction::Province,
            ip: String::new(),
            token_scopes: None,
        },
    })
}

async fn import(app: &App, args: ImportArgs) -> Result<(), Failure> {
    if let Some(ImportAction::Undo { id, as_user }) = args.action {
        let actor = import_actor(app, as_user.as_deref()).await?;
        let r = app::intake::import::undo(app, &actor, id).await?;
        println!("import {id} undone: {} people removed", r.removed);
        if !r.kept_edited.is_empty() {
            let ids: Vec<String> = r.kept_edited.iter().map(ToString::to_string).collect();
            println!("kept (edited after the import): {}", ids.join(", "));
        }
        return Ok(());
    }
    let Some(path) = args.file else {
        return Err(Failure::new(
            exit::INVALID,
            "import: a FILE (or `undo ID`) is required",
        ));
    };
    let Some(source) = args.source else {
        return Err(Failure::new(exit::INVALID, "import: --source is required"));
    };
    let actor = import_actor(app, args.as_user.as_deref()).await?;
    let limit = app.settings.import_limits.max_file_bytes;
    let size = std::fs::metadata(&path)
        .map_err(|e| Failure::new(exit::INVALID, format!("{}: {e}", path.display())))?
        .len();
    if size > limit {
        return Err(Failure::new(
            exit::INVALID,
            format!(
                "{}: larger than the import limit of {limit} bytes",
                path.display()
            ),
        ));
    }
    let choice = app::intake::import::read::Choice {
        sheet: args.sheet.clone(),
        header_row: args.header_row,
        score: None,
    };
    // A file that is not a spreadsheet, or a sheet it does not have, is
    // refused before anything is recorded, in the page's words.
    if let Err(e) = app::intake::import::check_file(&path, &choice)? {
        let t = web::i18n::Tr::new(web::i18n::Lang::from_code(&args.lang));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let message = if e.code == "not_a_spreadsheet" {
            web::intake::pages::imports::wrong_type_text(t, &name)
        } else {
            let text = web::intake::pages::imports::failure_text(
                t,
                &format!("import.{}|{}", e.code, e.arg),
            );
            match &args.sheet {
                Some(s) if e.code == "unknown_sheet" => format!("--sheet «{s}»: {text}"),
                _ => format!("{name}: {text}"),
            }
        };
        return Err(Failure::new(exit::INVALID, message));
    }
    let started = std::time::Instant::now();
    let progress = |phase: &str, done: usize, total: usize| {
        eprintln!(
            "{phase}: {done}/{total} ({:.1} s)",
            started.elapsed().as_secs_f64()
        );
    };
    let s = app::intake::import::run_file_with(
        app,
        &actor,
        (&source, &args.round),
        &path,
        args.dry_run,
        &choice,
        &progress,
    )
    .await?;
    let t = web::i18n::Tr::new(web::i18n::Lang::from_code(&args.lang));
    if s.status == "failed" {
        return Err(Failure::new(
            exit::INVALID,
            format!(
                "import {}: {}",
                s.id,
                web::intake::pages::imports::failure_text(t, &s.failure)
            ),
        ));
    }
    println!(
        "import {}: {} rows, {} valid, {} with errors, {} with warnings, {} people created ({})",
        s.id, s.total_rows, s.valid_rows, s.error_rows, s.warning_rows, s.created_persons, s.status
    );
    if s.header_row > 1 || s.header_rows > 1 || !s.sheet.is_empty() {
        println!(
            "header: row {}{}{} ({})",
            s.header_row,
            if s.header_rows > 1 {
                format!("-{}", s.header_row + 1)
            } else {
                String::new()
            },
            if s.sheet.is_empty() {
                String::new()
            } else {
                format!(", sheet «{}»", s.sheet)
            },
            s.headers.join(" | ")
        );
    }
    // The sentences the page shows: the column as the file heads it, the
    // value as typed, what is wrong.
    for r in app::intake::import::rows(app, &actor, s.id, true, 50).await? {
        let msgs: Vec<String> = r
            .errors
            .iter()
            .map(|m| ("error", m))
            .chain(r.warnings.iter().map(|m| ("warning", m)))
            .map(|(kind, m)| {
                format!(
                    "[{}] {}",
                    t.s(&format!("import.{kind}")),
                    web::intake::pages::imports::row_message(t, &s.headers, &r.cells, m)
                )
            })
            .collect();
        println!("  {} {}: {}", t.s("import.row"), r.row_no, msgs.join("; "));
    }
    Ok(())
}

async fn user(app: &App, system: &Actor, cmd: UserCommand) -> Result<(), Failure> {
    match cmd {
        UserCommand::Add {
            username,
            role,
            display_name,
            scope,
        } => {
            let role = parse_role(&role)?;
            let scopes = scope.scopes();
            let password = read_password()?;
            let id = app::accounts::users::add(
                app,
                system,
                NewUser {
                    username,
                    display_name,
                    role,
                    password,
                    scopes,
                },
            )
            .await?;
            println!("{id}");
            Ok(())
        }
        UserCommand::List => {
            for u in app::accounts::users::list(app, system).await? {
                let scopes: Vec<String> = u
                    .scopes
                    .iter()
                    .map(|s| format!("{}:{}", s.kind, s.code))
                    .collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.id,
                    u.username,
                    u.role,
                    if u.disabled {
                        "disabled"
                    } else if u.locked {
                        "locked"
                    } else {
                        "active"
                    },
                    scopes.join(",")
                );
            }
            Ok(())
        }
        UserCommand::SetAccess {
            username,
            role,
            scope,
        } => {
            let role = parse_role(&role)?;
            let id = app::accounts::users::id_by_username(app, &username).await?;
            app::accounts::users::set_access(app, system, id, role, scope.scopes()).await?;
            println!("{username}: role and jurisdiction changed; sessions ended");
            Ok(())
        }
        UserCommand::MfaReset { username } => {
            let id = app::accounts::users::id_by_username(app, &username).await?;
            app::accounts::mfa::reset(app, system, id).await?;
            println!("{username}: two-factor setup cleared; sessions ended");
            Ok(())
        }
        UserCommand::ResetPassword { username } => {
            let id = app::accounts::users::id_by_username(app, &username).await?;
            let password = read_password()?;
            app::accounts::users::reset_password(app, system, id, &password).await?;
            println!("password changed; sessions of {username} ended");
            Ok(())
        }
        UserCommand::Disable { username, enable } => {
            let id = app::accounts::users::id_by_username(app, &username).await?;
            app::accounts::users::set_disabled(app, system, id, !enable).await?;
            println!("{username} {}", if enable { "enabled" } else { "disabled" });
            Ok(())
        }
    }
}

fn dedupe(args: &DedupeArgs) -> Result<(), Failure> {
    let started = std::time::Instant::now();
    let open_in = |p: &PathBuf| {
        std::fs::File::open(p)
            .map_err(|e| Failure::new(exit::INVALID, format!("{}: {e}", p.display())))
    };
    let create = |p: &PathBuf| {
        std::fs::File::create(p)
            .map(|f| std::io::BufWriter::with_capacity(1 << 20, f))
            .map_err(|e| Failure::new(exit::FAILURE, format!("{}: {e}", p.display())))
    };
    let input = std::io::BufReader::with_capacity(1 << 20, open_in(&args.input)?);
    let bad_input =
        |e: linkage::Error| Failure::new(exit::INVALID, format!("{}: {e}", args.input.display()));
    let config = linkage::Config::with_threshold(args.threshold).map_err(bad_input)?;
    let mut records = linkage::read_csv(input).map_err(bad_input)?;
    let resolved = linkage::resolve_hometowns(&mut records);
    let result = linkage::dedupe(&records, &config);
    let write_err = |p: &PathBuf, e: linkage::Error| {
        Failure::new(exit::FAILURE, format!("{}: {e}", p.display()))
    };
    linkage::write_clusters_csv(create(&args.out)?, &records, &result)
        .map_err(|e| write_err(&args.out, e))?;
    if let Some(path) = &args.explain {
        linkage::write_explain_csv(create(path)?, &records, &result)
            .map_err(|e| write_err(path, e))?;
    }
    let summary = result.summary;
    eprintln!(
        "{resolved} of {} hometowns resolved to commune codes",
        records.len()
    );
    eprintln!(
        "{} records, {} clusters ({} with several records, largest {}), {} pairs compared, {:.1} s",
        summary.records,
        summary.clusters,
        summary.multi_record_clusters,
        summary.largest_cluster,
        summary.candidate_pairs,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn demo(settings: &config::Settings, args: &DemoArgs) -> Result<(), Failure> {
    let started = std::time::Instant::now();
    let io_err = |path: &PathBuf, e: &dyn std::fmt::Display| {
        Failure::new(exit::FAILURE, format!("{}: {e}", path.display()))
    };
    if args.csv.is_some() || args.lists.is_some() {
        let cfg = app::demo_data::config(args.people, args.seed);
        if let Some(path) = &args.csv {
            let file = std::fs::File::create(path).map_err(|e| io_err(path, &e))?;
            let n = demo::write_people_csv(std::io::BufWriter::with_capacity(1 << 20, file), &cfg)
                .map_err(|e| io_err(path, &e))?;
            eprintln!(
                "{n} people written to {} in {:.1} s",
                path.display(),
                started.elapsed().as_secs_f64()
            );
        }
        if let Some(path) = &args.lists {
            let mut list_cfg = demo::ListConfig::new(args.seed, args.people);
            list_cfg.people = cfg;
            let file = std::fs::File::create(path).map_err(|e| io_err(path, &e))?;
            let n =
                demo::write_lists_csv(std::io::BufWriter::with_capacity(1 << 20, file), &list_cfg)
                    .map_err(|e| io_err(path, &e))?;
            eprintln!(
                "{n} list rows written to {} in {:.1} s",
                path.display(),
                started.elapsed().as_secs_f64()
            );
        }
        return Ok(());
    }
    let app = open(settings).await?;
    let n =
        app::demo_data::load_people(&app, &Actor::system("demo"), args.people, args.seed).await?;
    eprintln!(
        "{n} people loaded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn serve(settings: config::Settings, demo: bool) -> Result<(), Failure> {
    let app = open(&settings).await?;
    // Imports interrupted by the last stop: a commit left nothing behind
    // (one transaction) and can be retried.
    let recovered = app::intake::import::recover(&app).await?;
    if recovered > 0 {
        tracing::warn!(imports = recovered, "interrupted imports reset");
    }
    // Duplicate scans whose server stopped without saying so (a crash).
    let stale = app::intake::scan_jobs::expire_stale(&app).await?;
    if stale > 0 {
        tracing::warn!(scans = stale, "interrupted duplicate scans marked");
    }
    if demo {
        let password = std::env::var("KIEUBAO_DEMO_PASSWORD")
            .ok()
            .filter(|p| !p.is_empty());
        let outcome = app::demo_data::ensure_demo(&app, password.as_deref(), 3000, 42)
            .await
            .map_err(|e| {
                Failure::new(
                    exit::DATABASE,
                    format!(
                        "could not add the demo accounts and people to {}: {e}. \
                         The database holds data that conflicts with the demo; start without \
                         --demo, or give an empty --data-dir",
                        settings.database_url_for_display()
                    ),
                )
            })?;
        if !outcome.accounts_created.is_empty() {
            println!(
                "Demo accounts added: {}",
                outcome.accounts_created.join(", ")
            );
        }
        if let Some(generated) = &outcome.generated_password {
            println!("Demo password for these accounts: '{generated}' (shown once)");
        }
        if outcome.people_loaded > 0 {
            println!("Demo people loaded: {}", outcome.people_loaded);
        }
    }
    let listener = tokio::net::TcpListener::bind(settings.addr)
        .await
        .map_err(|e| {
            Failure::new(
                exit::CONFIG,
                format!("cannot listen on {}: {e}", settings.addr),
            )
        })?;
    let local = listener
        .local_addr()
        .map_err(|e| Failure::new(exit::FAILURE, e.to_string()))?;
    tracing::info!(addr = %local, "listening");
    println!("Kiều Bào is listening on http://{local}");
    let cfg = web::WebConfig {
        tls: settings.tls,
        trust_proxy: settings.trust_proxy,
        public_origin: settings.public_origin.clone(),
        max_body_bytes: settings.max_body_bytes,
        api_requests_per_minute: settings.api_requests_per_minute,
        metrics_allow: settings.metrics_allow.clone(),
        metrics_token: settings.metrics_token.clone(),
    };
    let db = app.db.clone();
    // The chain's head is signed at start, every audit_anchor_minutes and at
    // shutdown, so dropping the last rows contradicts a signed anchor.
    if let Err(e) = app::audit::anchor(&app, false).await {
        tracing::error!(error = %e, "audit anchor not written");
    }
    let anchoring = tokio::spawn(app::audit::anchor_every(
        app.clone(),
        settings.app.audit.anchor_minutes,
    ));
    let backups = settings.backup.clone().map(|s| {
        tracing::info!(directory = %s.dir.display(), minutes = s.every.as_secs() / 60, keep = s.keep, "scheduled backups");
        tokio::spawn(app::backup::every(app.clone(), s))
    });
    // Scheduled content is published by whichever server claims it first.
    let publishing = tokio::spawn(app::publishing::publish_every(app.clone()));
    let served = app.clone();
    web::serve(listener, served, cfg, shutdown_signal())
        .await
        .map_err(|e| Failure::new(exit::FAILURE, format!("server: {e}")))?;
    anchoring.abort();
    publishing.abort();
    if let Some(b) = backups {
        b.abort();
    }
    // Duplicate scans this server runs will not finish: say so, so that
    // their status reads "interrupted" at once on any server.
    match app::intake::scan_jobs::interrupt_own(&app).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(scans = n, "duplicate scans interrupted by the stop"),
        // Their heartbeat stops: any server reports them interrupted after
        // the stale delay.
        Err(e) => tracing::warn!(error = %e, "interrupted scans not marked now"),
    }
    if let Err(e) = app::audit::anchor(&app, false).await {
        tracing::error!(error = %e, "audit anchor not written at shutdown");
    }
    drop(app);
    if tokio::time::timeout(SHUTDOWN_GRACE, db.close())
        .await
        .is_err()
    {
        tracing::warn!("stopped with background work unfinished");
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
