//! Accounts: creation, roles and jurisdiction, password resets, disabling.

use db::Row;
use domain::Role;
use serde::Serialize;

use super::secret;
use crate::access::{self, Action};
use crate::audit::{self, Event};
use crate::{Actor, App, AppError, AppResult, FieldError, Jurisdiction, clock};

/// One element of an account's jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scope {
    /// `new_commune`, `legacy_commune`, `legacy_district`, `country`, `agency` or `association`.
    pub kind: String,
    pub code: String,
}

impl Scope {
    pub fn new(kind: &str, code: &str) -> Self {
        Self {
            kind: kind.to_owned(),
            code: code.trim().to_owned(),
        }
    }
}

/// What is needed to create an account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password: String,
    pub scopes: Vec<Scope>,
}

/// An account as listed.
#[derive(Debug, Clone, Serialize)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub locked: bool,
    pub scopes: Vec<Scope>,
    /// The account's e-mail address masked (`n•••@example.org`); empty
    /// without one.
    pub email_masked: String,
}

fn valid_username(u: &str) -> bool {
    (3..=64).contains(&u.len())
        && u.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
        })
}

fn check_scopes(role: Role, scopes: &[Scope]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for s in scopes {
        let ok = match s.kind.as_str() {
            "new_commune" | "legacy_commune" => {
                s.code.len() == 5 && s.code.bytes().all(|b| b.is_ascii_digit())
            }
            "legacy_district" => s.code.len() == 3 && s.code.bytes().all(|b| b.is_ascii_digit()),
            "country" => s.code.len() == 2 && s.code.bytes().all(|b| b.is_ascii_uppercase()),
            "agency" => domain::Agency::from_code(&s.code).is_ok(),
            "association" => s.code.parse::<i64>().is_ok(),
            _ => false,
        };
        if !ok {
            errors.push(FieldError::new(format!("scope.{}", s.kind), "invalid_code"));
        }
    }
    let has = |kinds: &[&str]| scopes.iter().any(|s| kinds.contains(&s.kind.as_str()));
    let needed = match role {
        Role::CommuneOfficer => Some((
            "commune",
            has(&["new_commune", "legacy_commune", "legacy_district"]),
        )),
        Role::Mission => Some(("country", has(&["country"]))),
        Role::Agency => Some(("agency", has(&["agency"]))),
        Role::Association => Some(("association", has(&["association"]))),
        _ => None,
    };
    if let Some((field, false)) = needed {
        errors.push(FieldError::new(field, "required_for_role"));
    }
    errors
}

/// Creates an account (administrators; the CLI acts as the system actor).
pub async fn add(app: &App, actor: &Actor, new: NewUser) -> AppResult<i64> {
    insert(app, actor, new, false).await
}

/// Adds a system account (issue 25 §5): another system's identity for its
/// API tokens, with a role and a jurisdiction like any account, that never
/// signs in with a password (its stored hash is not a hash, and sign-in
/// refuses system accounts). `new.password` is ignored.
pub async fn add_system(app: &App, actor: &Actor, new: NewUser) -> AppResult<i64> {
    insert(app, actor, new, true).await
}

/// The stored "password hash" of a system account: verifies nothing.
pub const NO_PASSWORD: &str = "!system-account";

async fn insert(app: &App, actor: &Actor, new: NewUser, system: bool) -> AppResult<i64> {
    access::authorize(actor, Action::UserAdmin)?;
    let username = new.username.trim().to_lowercase();
    let mut errors = Vec::new();
    if !valid_username(&username) {
        errors.push(FieldError::new("username", "invalid_username"));
    }
    if !system && let Err(e) = secret::check_password_policy(&username, &new.password) {
        errors.push(e);
    }
    errors.extend(check_scopes(new.role, &new.scopes));
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let hash = if system {
        NO_PASSWORD.to_owned()
    } else {
        secret::hash_password(&new.password)?
    };
    let now = clock::now();
    let mut tx = app.db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (username, display_name, password_hash, role, created_at, updated_at, \
         system_account) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(&username)
    .bind(new.display_name.trim())
    .bind(&hash)
    .bind(new.role.code())
    .bind(&now)
    .bind(&now)
    .bind(i64::from(system))
    .fetch_one(&mut *tx.tx)
    .await
    .map_err(|e| match db::DbError::from(e) {
        db::DbError::Conflict => AppError::Invalid(vec![FieldError::new("username", "taken")]),
        other => AppError::from(other),
    })?;
    for s in &new.scopes {
        sqlx::query("INSERT INTO user_scopes (user_id, kind, code) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(id)
            .bind(&s.kind)
            .bind(&s.code)
            .execute(&mut *tx.tx)
            .await?;
    }
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("user.create", "user", &id).with(serde_json::json!({
            "username": username, "role": new.role.code(), "scopes": new.scopes,
            "system_account": system,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Finds an account id by username.
pub async fn id_by_username(app: &App, username: &str) -> AppResult<i64> {
    sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username.trim().to_lowercase())
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(AppError::NotFound)
}

async fn scopes_of(app: &App, user_id: i64) -> AppResult<Vec<Scope>> {
    let rows =
        sqlx::query("SELECT kind, code FROM user_scopes WHERE user_id = $1 ORDER BY kind, code")
            .bind(user_id)
            .fetch_all(&app.db.pool)
            .await?;
    rows.iter()
        .map(|r| {
            Ok(Scope {
                kind: r.try_get(0)?,
                code: r.try_get(1)?,
            })
        })
        .collect::<Result<_, db::SqlxError>>()
        .map_err(AppError::from)
}

/// Builds the actor of an account: role and jurisdiction from the database.
pub async fn actor_for(app: &App, user_id: i64) -> AppResult<Actor> {
    let row = sqlx::query("SELECT username, role, disabled, person_id FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&app.db.pool)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let username: String = row.try_get(0)?;
    let role: String = row.try_get(1)?;
    let disabled: i64 = row.try_get(2)?;
    let person_id: Option<i64> = row.try_get(3)?;
    if disabled != 0 {
        return Err(AppError::Unauthenticated);
    }
    let role = Role::from_code(&role).map_err(|e| AppError::Unexpected(e.into()))?;
    let scopes = scopes_of(app, user_id).await?;
    let codes = |kind: &str| -> Vec<String> {
        scopes
            .iter()
            .filter(|s| s.kind == kind)
            .map(|s| s.code.clone())
            .collect()
    };
    let jurisdiction = match role {
        Role::Admin | Role::ProvinceOfficer => Jurisdiction::Province,
        Role::CommuneOfficer => Jurisdiction::Communes {
            new_communes: codes("new_commune"),
            legacy_communes: codes("legacy_commune"),
            legacy_districts: codes("legacy_district"),
        },
        Role::Mission => Jurisdiction::Countries(codes("country")),
        Role::Association => Jurisdiction::Associations(
            codes("association")
                .iter()
                .filter_map(|c| c.parse().ok())
                .collect(),
        ),
        Role::Agency => {
            Jurisdiction::Agency(codes("agency").into_iter().next().unwrap_or_default())
        }
        // Content roles see no personal data: statistics only.
        Role::Viewer | Role::Editor | Role::Publisher => Jurisdiction::StatisticsOnly,
        Role::Diaspora => Jurisdiction::OwnRecord(person_id),
    };
    Ok(Actor {
        user_id: Some(user_id),
        username,
        role,
        jurisdiction,
        ip: String::new(),
        token_scopes: None,
    })
}

/// Lists accounts (administrators).
pub async fn list(app: &App, actor: &Actor) -> AppResult<Vec<UserSummary>> {
    access::authorize(actor, Action::UserAdmin)?;
    let now = clock::now();
    let rows = sqlx::query(
        "SELECT id, username, display_name, role, disabled, locked_until, email FROM users \
         ORDER BY username",
    )
    .fetch_all(&app.db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: i64 = r.try_get(0)?;
        let role: String = r.try_get(3)?;
        let locked: Option<String> = r.try_get(5)?;
        out.push(UserSummary {
            id,
            username: r.try_get(1)?,
            display_name: r.try_get(2)?,
            role: Role::from_code(&role).unwrap_or(Role::Viewer),
            disabled: r.try_get::<i64, _>(4)? != 0,
            locked: locked.is_some_and(|l| l > now),
            scopes: scopes_of(app, id).await?,
            email_masked: r
                .try_get::<Option<String>, _>(6)?
                .map(|e| crate::mail::mask_address(&e))
                .unwrap_or_default(),
        });
    }
    Ok(out)
}

/// The associations' names by id (as the accounts' scopes hold them), to
/// show an association scope by its name.
pub async fn association_names(
    app: &App,
    actor: &Actor,
) -> AppResult<std::collections::HashMap<String, String>> {
    access::authorize(actor, Action::UserAdmin)?;
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM associations")
        .fetch_all(&app.db.pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, n)| (id.to_string(), n))
        .collect())
}

/// Sets a new password; ends the account's sessions and unlocks it.
pub async fn reset_password(
    app: &App,
    actor: &Actor,
    user_id: i64,
    password: &str,
) -> AppResult<()> {
    if actor.user_id != Some(user_id) {
        access::authorize(actor, Action::UserAdmin)?;
    }
    let (username, system): (String, i64) =
        sqlx::query_as("SELECT username, system_account FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&app.db.pool)
            .await?
            .ok_or(AppError::NotFound)?;
    if system != 0 {
        // A system account authenticates with its tokens only.
        return Err(AppError::Invalid(vec![FieldError::new(
            "password",
            "system_account",
        )]));
    }
    secret::check_password_policy(&username, password).map_err(|e| AppError::Invalid(vec![e]))?;
    let hash = secret::hash_password(password)?;
    let mut tx = app.db.begin_write().await?;
    sqlx::query(
        "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL, updated_at = $2 WHERE id = $3",
    )
    .bind(&hash)
    .bind(clock::now())
    .bind(user_id)
    .execute(&mut *tx.tx)
    .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx.tx)
        .await?;
    end_tokens(&mut tx, user_id).await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("user.password_reset", "user", &user_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes the actor's own password, given the current one; every other
/// session of the account ends (the one in `keep_session` stays).
pub async fn change_own_password(
    app: &App,
    actor: &Actor,
    current: &str,
    new_password: &str,
    keep_session: Option<&str>,
) -> AppResult<()> {
    access::authorize(actor, Action::SelfProfile)?;
    let user_id = actor.user_id.ok_or(AppError::Forbidden)?;
    secret::check_current_password(app, user_id, current).await?;
    secret::check_password_policy(&actor.username, new_password)
        .map_err(|e| AppError::Invalid(vec![e]))?;
    let hash = secret::hash_password(new_password)?;
    let mut tx = app.db.begin_write().await?;
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(&hash)
        .bind(clock::now())
        .bind(user_id)
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(user_id)
        .bind(keep_session.map(secret::token_hash).unwrap_or_default())
        .execute(&mut *tx.tx)
        .await?;
    end_tokens(&mut tx, user_id).await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("user.password_change", "user", &user_id),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Where an account's messages go (issue 23 §7: reminders and
/// escalations): its e-mail address, if it gave one, and their language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MailContact {
    /// The address; `None` when the account has none.
    pub email: Option<String>,
    /// `vi` or `en`.
    pub lang: String,
}

/// The languages messages are written in.
pub const MAIL_LANGS: &[&str] = &["vi", "en"];

/// The account's own address and language (or an administrator's reading).
pub async fn mail_contact(app: &App, actor: &Actor, user_id: i64) -> AppResult<MailContact> {
    if actor.user_id != Some(user_id) {
        access::authorize(actor, Action::UserAdmin)?;
    }
    let row: Option<(Option<String>, String)> =
        sqlx::query_as("SELECT email, mail_lang FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&app.db.pool)
            .await?;
    let (email, lang) = row.ok_or(AppError::NotFound)?;
    Ok(MailContact { email, lang })
}

/// Sets or clears (empty) an account's e-mail address and the language of
/// its messages: the account itself, or an administrator. The address is
/// checked like a portal account's and stored lower-cased; the audit row
/// says that it changed, not what it is.
pub async fn set_mail_contact(
    app: &App,
    actor: &Actor,
    user_id: i64,
    email: &str,
    lang: &str,
) -> AppResult<()> {
    if actor.user_id == Some(user_id) {
        access::authorize(actor, Action::SelfProfile)?;
    } else {
        access::authorize(actor, Action::UserAdmin)?;
    }
    let mut errors = Vec::new();
    let email = if email.trim().is_empty() {
        None
    } else {
        crate::mail::normalize_address(email)
            .map_err(|e| errors.push(e))
            .ok()
    };
    let lang = lang.trim();
    if !MAIL_LANGS.contains(&lang) {
        errors.push(FieldError::new("mail_lang", "invalid_code"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = app.db.begin_write().await?;
    let n = sqlx::query(
        "UPDATE users SET email = $1, mail_lang = $2, updated_at = $3 WHERE id = $4 \
         AND system_account = 0",
    )
    .bind(&email)
    .bind(lang)
    .bind(clock::now())
    .bind(user_id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new(
            if email.is_some() {
                "user.email_set"
            } else {
                "user.email_clear"
            },
            "user",
            &user_id,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The addresses (and languages) of enabled accounts among `user_ids`
/// that gave one, for the kernel's messages to staff.
pub async fn addresses_of(app: &App, user_ids: &[i64]) -> AppResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for id in user_ids {
        let row: Option<(String, String)> = sqlx::query_as(
            "SELECT email, mail_lang FROM users WHERE id = $1 AND disabled = 0 \
             AND email IS NOT NULL AND email <> ''",
        )
        .bind(*id)
        .fetch_optional(&app.db.pool)
        .await?;
        if let Some(r) = row
            && !out.contains(&r)
        {
            out.push(r);
        }
    }
    Ok(out)
}

/// The enabled accounts of `role` with the whole province in reach (no
/// scope), by id: e.g. the province's officers, to whom overdue petitions
/// are escalated.
pub async fn province_accounts(app: &App, role: Role) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT u.id FROM users u WHERE u.role = $1 AND u.disabled = 0 AND u.system_account = 0 \
         AND NOT EXISTS (SELECT 1 FROM user_scopes s WHERE s.user_id = u.id) ORDER BY u.id",
    )
    .bind(role.code())
    .fetch_all(&app.db.pool)
    .await?)
}

/// Disables (or re-enables) an account; its sessions end at once.
pub async fn set_disabled(app: &App, actor: &Actor, user_id: i64, disabled: bool) -> AppResult<()> {
    access::authorize(actor, Action::UserAdmin)?;
    let mut tx = app.db.begin_write().await?;
    let n = sqlx::query("UPDATE users SET disabled = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(disabled))
        .bind(clock::now())
        .bind(user_id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(AppError::NotFound);
    }
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx.tx)
        .await?;
    end_tokens(&mut tx, user_id).await?;
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    audit::append(&mut tx, app, actor, Event::new(action, "user", &user_id)).await?;
    tx.commit().await?;
    Ok(())
}

/// Changes an account's role and jurisdiction (a privilege change). The
/// account's sessions end at once, so its next request needs a fresh
/// sign-in and gets a new session id; its API tokens are revoked (a new
/// one is made for the new rights). The last enabled administrator cannot
/// be demoted.
pub async fn set_access(
    app: &App,
    actor: &Actor,
    user_id: i64,
    role: Role,
    scopes: Vec<Scope>,
) -> AppResult<()> {
    access::authorize(actor, Action::UserAdmin)?;
    let errors = check_scopes(role, &scopes);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = app.db.begin_write().await?;
    let before: Option<String> = sqlx::query_scalar("SELECT role FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut *tx.tx)
        .await?;
    let Some(before_role) = before else {
        return Err(AppError::NotFound);
    };
    if before_role == Role::Admin.code() && role != Role::Admin {
        let admins: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE role = $1 AND disabled = 0 AND id <> $2",
        )
        .bind(Role::Admin.code())
        .bind(user_id)
        .fetch_one(&mut *tx.tx)
        .await?;
        if admins == 0 {
            return Err(AppError::Invalid(vec![FieldError::new(
                "role",
                "last_admin",
            )]));
        }
    }
    let before_scopes: Vec<Scope> =
        sqlx::query("SELECT kind, code FROM user_scopes WHERE user_id = $1 ORDER BY kind, code")
            .bind(user_id)
            .fetch_all(&mut *tx.tx)
            .await?
            .iter()
            .map(|r| {
                Ok(Scope {
                    kind: r.try_get(0)?,
                    code: r.try_get(1)?,
                })
            })
            .collect::<Result<_, db::SqlxError>>()?;
    sqlx::query("UPDATE users SET role = $1, updated_at = $2 WHERE id = $3")
        .bind(role.code())
        .bind(clock::now())
        .bind(user_id)
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query("DELETE FROM user_scopes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx.tx)
        .await?;
    for s in &scopes {
        sqlx::query("INSERT INTO user_scopes (user_id, kind, code) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
            .bind(user_id)
            .bind(&s.kind)
            .bind(&s.code)
            .execute(&mut *tx.tx)
            .await?;
    }
    let ended = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx.tx)
        .await?
        .rows_affected();
    let tokens_ended = end_tokens(&mut tx, user_id).await?;
    audit::append(
        &mut tx,
        app,
        actor,
        Event::new("user.permission_change", "user", &user_id).with(serde_json::json!({
            "before": { "role": before_role, "scopes": before_scopes },
            "after": { "role": role.code(), "scopes": scopes },
            "sessions_ended": ended,
            "tokens_ended": tokens_ended,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Number of accounts (used to decide whether demo data is needed).
pub async fn count(app: &App) -> AppResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&app.db.pool)
        .await?)
}

/// Revokes every live API token of an account: its password, role or
/// jurisdiction changed, or it was disabled. Returns how many ended.
async fn end_tokens(tx: &mut db::WriteTx, user_id: i64) -> AppResult<u64> {
    Ok(sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(clock::now())
    .bind(user_id)
    .execute(&mut *tx.tx)
    .await?
    .rows_affected())
}
