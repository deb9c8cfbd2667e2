use domain::Role;

/// Who is acting: a signed-in user, an API token's owner, or the system
/// (CLI and background jobs run as an explicit system actor, never bypassing
/// [`crate::access`]).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub role: Role,
    pub jurisdiction: Jurisdiction,
    /// Client address, for the audit log ("" when not over HTTP).
    pub ip: String,
    /// Token scopes when acting through an API token (`None` = browser session).
    pub token_scopes: Option<Vec<String>>,
}

/// The part of the registry an actor may see (*phạm vi quản lý*).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Jurisdiction {
    /// The whole province (administrators, province officers).
    Province,
    /// People whose hometown is in one of these communes. Legacy districts
    /// grant all their communes (recorded with legacy codes).
    Communes {
        new_communes: Vec<String>,
        legacy_communes: Vec<String>,
        legacy_districts: Vec<String>,
    },
    /// People living in these countries (missions abroad), ISO alpha-2.
    Countries(Vec<String>),
    /// Members of these associations.
    Associations(Vec<i64>),
    /// What this agency submitted.
    Agency(String),
    /// Statistics only, no personal records (leadership).
    StatisticsOnly,
    /// The person's own record (diaspora accounts).
    OwnRecord(Option<i64>),
}

impl Actor {
    /// The actor used by command-line maintenance (migrations, demo data,
    /// user administration from the server's shell).
    pub fn system(name: &str) -> Self {
        Self {
            user_id: None,
            username: format!("system:{name}"),
            role: Role::Admin,
            jurisdiction: Jurisdiction::Province,
            ip: String::new(),
            token_scopes: None,
        }
    }
}
