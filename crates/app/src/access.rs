//! The one place that decides, for an actor and an action, allow or deny,
//! and which rows of the registry an actor may see.
//!
//! Personal data is processed only within the remit of each body (Law
//! 91/2025/QH15 on personal data protection, art. 3 principles of purpose
//! limitation and minimisation); records outside it answer as not found.

use domain::Role;

use crate::{Actor, AppError, AppResult, Jurisdiction};

/// What an actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    PersonList,
    PersonRead,
    PersonCreate,
    PersonUpdate,
    PersonDelete,
    /// Show a sensitive field unmasked.
    PersonReveal,
    PersonExport,
    StatisticsRead,
    UserAdmin,
    AuditRead,
    ImportSubmit,
    /// Scan for duplicates, review candidate pairs, merge and unmerge.
    PersonMerge,
    SelfProfile,
    /// List and open associations (those within reach: [`association_scope`]).
    AssociationRead,
    /// Record a new association (a mission: in its countries).
    AssociationCreate,
    /// Change an association within reach: its fields, members, leaders, activities.
    AssociationUpdate,
    /// Merge two association records.
    AssociationMerge,
    /// List and open events and delegations (issue 22 §5), within
    /// [`event_scope`]; invitees only as far as the person scope goes.
    EventRead,
    /// Record and change events, their invitees, replies and letters (the
    /// province all; a mission those held in its countries).
    EventManage,
    /// Back the whole database up (every jurisdiction, every table).
    Backup,
    /// List and open unpublished content (drafts, items in review): the
    /// editorial desk. Published content is public and needs no action.
    ContentRead,
    /// Write a new draft (news, policy, procedure guide, legal document, FAQ).
    ContentPropose,
    /// Change any unpublished item, whoever wrote it.
    ContentEdit,
    /// Schedule, publish, archive and restore items; change published ones.
    ContentPublish,
    /// Read the outbox of e-mail not sent (no SMTP server configured).
    OutboxRead,
    /// See the portal's claims of hometowns within jurisdiction, with the
    /// candidates the matching engine proposed, and link or create the record.
    PortalClaimDecide,
    /// See and decide the corrections people asked for on records within
    /// jurisdiction.
    PortalChangeDecide,
    /// Follow the change feed (issue 25 §3): which records changed, within
    /// jurisdiction (the records themselves are read as usual).
    ChangeFeedRead,
    /// Manage webhook subscriptions, their deliveries and dead letters.
    WebhookAdmin,
    /// See and answer the data-subject requests of people within
    /// jurisdiction (issue 23 §5).
    PortalRequestHandle,
    /// Keep the calendar of days off deadlines are counted by.
    HolidayManage,
    /// Read the reports of abuse in the directory of people abroad and
    /// hide an entry (issue 23 §6: the province's officers).
    DirectoryModerate,
    /// See, assign, answer and close the petitions of people abroad (the
    /// province all; commune officers those of people within jurisdiction).
    PetitionHandle,
    /// List and open enterprises and investment projects within reach, and
    /// their reports (issue 22 §2; leadership reads them too).
    InvestmentRead,
    /// Record and change enterprises (the province; missions in their countries).
    EnterpriseEdit,
    /// Record and change investment projects and the catalogue (the
    /// province; commune officers in their communes).
    ProjectEdit,
    /// List and open contributions within reach (issue 22 §3).
    ContributionRead,
    /// Record and change contributions within reach.
    ContributionEdit,
    /// Receive an exchange file (the national database's, another
    /// province's), review what it holds and apply it (issue 25 §2): the
    /// province's officers, for the whole registry.
    ExchangeReceive,
    /// List the exchanges in and out and download their files again.
    ExchangeLogRead,
}

/// Fields tagged sensitive: masked unless the role needs them and the
/// reveal is audited (Decree 356/2025, sensitive personal data).
pub const SENSITIVE_FIELDS: &[&str] = &[
    "passport_no",
    "id_no",
    "address_abroad",
    "religion",
    "ethnicity",
    "health",
    "legal_matters",
    "income_bracket",
    "remittance",
];

/// True when `field` is sensitive.
pub fn is_sensitive(field: &str) -> bool {
    SENSITIVE_FIELDS.contains(&field)
}

/// Allows or denies an action, independent of any particular record.
pub fn authorize(actor: &Actor, action: Action) -> AppResult<()> {
    use Action as A;
    use Role as R;
    let allowed = match action {
        A::SelfProfile => true,
        A::StatisticsRead => actor.role != R::Diaspora,
        A::UserAdmin | A::OutboxRead | A::WebhookAdmin => actor.role == R::Admin,
        A::Backup => actor.role == R::Admin && matches!(actor.jurisdiction, Jurisdiction::Province),
        A::AuditRead => matches!(actor.role, R::Admin | R::ProvinceOfficer),
        A::ChangeFeedRead => !matches!(
            actor.role,
            R::Viewer | R::Editor | R::Publisher | R::Diaspora
        ),
        A::PersonList | A::PersonRead => {
            !matches!(actor.role, R::Viewer | R::Editor | R::Publisher)
        }
        A::PersonCreate | A::PersonUpdate => matches!(
            actor.role,
            R::ProvinceOfficer | R::CommuneOfficer | R::Mission | R::Association | R::Diaspora
        ),
        A::PersonDelete => matches!(actor.role, R::ProvinceOfficer | R::CommuneOfficer),
        A::PersonReveal => matches!(
            actor.role,
            R::ProvinceOfficer | R::CommuneOfficer | R::Mission
        ),
        A::PersonExport => matches!(
            actor.role,
            R::Admin | R::ProvinceOfficer | R::CommuneOfficer | R::Mission | R::Association
        ),
        A::PersonMerge => matches!(actor.role, R::ProvinceOfficer | R::CommuneOfficer),
        A::ImportSubmit => matches!(
            actor.role,
            R::ProvinceOfficer | R::CommuneOfficer | R::Agency | R::Mission | R::Association
        ),
        A::AssociationRead => !matches!(
            actor.role,
            R::Viewer | R::Diaspora | R::Editor | R::Publisher
        ),
        A::AssociationCreate => matches!(actor.role, R::ProvinceOfficer | R::Mission),
        A::AssociationUpdate => {
            matches!(actor.role, R::ProvinceOfficer | R::Mission | R::Association)
        }
        A::AssociationMerge => actor.role == R::ProvinceOfficer,
        // The province manages; missions their countries'; the leadership
        // and commune officers read (issue 22 §5).
        A::EventRead => matches!(
            actor.role,
            R::Admin | R::ProvinceOfficer | R::CommuneOfficer | R::Mission | R::Viewer
        ),
        A::EventManage => matches!(actor.role, R::ProvinceOfficer | R::Mission),
        A::ContentRead | A::ContentPropose => matches!(
            actor.role,
            R::Editor | R::Publisher | R::ProvinceOfficer | R::CommuneOfficer
        ),
        A::ContentEdit => matches!(actor.role, R::Editor | R::Publisher | R::ProvinceOfficer),
        A::ContentPublish => matches!(actor.role, R::Publisher | R::ProvinceOfficer),
        // The officers of the person's hometown (commune or province):
        // issue 23 §2–§3.
        A::PortalClaimDecide
        | A::PortalChangeDecide
        | A::PortalRequestHandle
        | A::PetitionHandle => {
            matches!(actor.role, R::ProvinceOfficer | R::CommuneOfficer)
        }
        A::InvestmentRead => matches!(
            actor.role,
            R::Admin | R::ProvinceOfficer | R::CommuneOfficer | R::Mission | R::Viewer
        ),
        A::EnterpriseEdit => matches!(actor.role, R::ProvinceOfficer | R::Mission),
        A::ProjectEdit => matches!(actor.role, R::ProvinceOfficer | R::CommuneOfficer),
        A::ContributionRead | A::ContributionEdit => matches!(
            actor.role,
            R::ProvinceOfficer | R::CommuneOfficer | R::Mission
        ),
        // The province keeps the calendar (its officers and administrators).
        A::HolidayManage => {
            matches!(actor.role, R::ProvinceOfficer | R::Admin)
                && matches!(actor.jurisdiction, Jurisdiction::Province)
        }
        // The province's officers receive exchanges and moderate the
        // directory of people abroad (issue 23 §6).
        A::ExchangeReceive | A::DirectoryModerate => {
            actor.role == R::ProvinceOfficer && matches!(actor.jurisdiction, Jurisdiction::Province)
        }
        A::ExchangeLogRead => {
            matches!(actor.role, R::ProvinceOfficer | R::Admin)
                && matches!(actor.jurisdiction, Jurisdiction::Province)
        }
    };
    let allowed = allowed && token_allows(actor, action);
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// The token scopes a role may hold: `read` for every role that reads,
/// `write` for roles that change records or submit lists, `admin` for
/// roles that reveal sensitive fields, manage accounts or read the audit.
pub fn scopes_of_role(role: Role) -> &'static [&'static str] {
    use Role as R;
    match role {
        R::Admin | R::ProvinceOfficer | R::CommuneOfficer | R::Mission => {
            &["read", "write", "admin"]
        }
        R::Agency | R::Association | R::Diaspora | R::Editor | R::Publisher => &["read", "write"],
        R::Viewer => &["read"],
    }
}

/// API tokens carry scopes: `read` allows reading, `write` allows changes.
fn token_allows(actor: &Actor, action: Action) -> bool {
    let Some(scopes) = &actor.token_scopes else {
        return true;
    };
    let has = |s: &str| scopes.iter().any(|x| x == s);
    match action {
        Action::PersonList
        | Action::PersonRead
        | Action::StatisticsRead
        | Action::PersonExport
        | Action::SelfProfile
        | Action::AssociationRead
        | Action::EventRead
        | Action::ContentRead
        | Action::ChangeFeedRead
        | Action::InvestmentRead
        | Action::ContributionRead
        | Action::ExchangeLogRead => has("read") || has("write"),
        Action::PersonCreate
        | Action::PersonUpdate
        | Action::PersonDelete
        | Action::PersonMerge
        | Action::ImportSubmit
        | Action::AssociationCreate
        | Action::AssociationUpdate
        | Action::AssociationMerge
        | Action::EventManage
        | Action::ContentPropose
        | Action::ContentEdit
        | Action::ContentPublish
        | Action::PortalClaimDecide
        | Action::PortalChangeDecide
        | Action::PortalRequestHandle
        | Action::PetitionHandle
        | Action::HolidayManage
        | Action::EnterpriseEdit
        | Action::ProjectEdit
        | Action::ContributionEdit
        | Action::DirectoryModerate
        | Action::ExchangeReceive => has("write"),
        Action::PersonReveal
        | Action::UserAdmin
        | Action::AuditRead
        | Action::Backup
        | Action::OutboxRead
        | Action::WebhookAdmin => has("admin"),
    }
}

/// A step of the editorial workflow (issue 24).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentStep {
    /// Change the item's text and fields.
    Edit,
    /// Draft → in review.
    Submit,
    /// In review or scheduled → draft.
    Return,
    /// Draft or in review → scheduled at a set time.
    Schedule,
    /// Draft, in review or scheduled → published now.
    Publish,
    /// Published → archived.
    Archive,
    /// Archived → draft.
    Restore,
}

/// Whether the actor may take `step` on an item in `state` (a
/// `domain::ContentState` code) that `own` says they wrote. Commune officers
/// propose: they change and submit their own drafts only. Editors change
/// and submit any unpublished item and send items in review back. Only
/// publishers and province officers schedule, publish, archive and
/// restore, and change what is scheduled or published.
pub fn content_step_allowed(actor: &Actor, state: &str, own: bool, step: ContentStep) -> bool {
    use ContentStep as S;
    if authorize(actor, Action::ContentPropose).is_err() {
        return false;
    }
    let publisher = authorize(actor, Action::ContentPublish).is_ok();
    let editor = authorize(actor, Action::ContentEdit).is_ok();
    let proposer = own && state == "draft";
    match step {
        S::Edit => match state {
            "draft" => editor || proposer,
            "in_review" => editor,
            "scheduled" | "published" => publisher,
            _ => false,
        },
        S::Submit => state == "draft" && (editor || proposer),
        S::Return => match state {
            "in_review" => editor,
            "scheduled" => publisher,
            _ => false,
        },
        S::Schedule => publisher && matches!(state, "draft" | "in_review"),
        S::Publish => publisher && matches!(state, "draft" | "in_review" | "scheduled"),
        S::Archive => publisher && state == "published",
        S::Restore => publisher && state == "archived",
    }
}

/// Whether the actor sees every unpublished item (editors, publishers, the
/// province) or only those they wrote (commune officers).
pub fn content_sees_all(actor: &Actor) -> bool {
    authorize(actor, Action::ContentEdit).is_ok()
}

/// A SQL condition over the `persons` table (aliased `p`) with its
/// arguments, limiting rows to the actor's jurisdiction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeFilter {
    /// SQL text using placeholders `$N` numbered from the `first` given to [`person_scope`].
    pub sql: String,
    pub args: Vec<String>,
}

/// The rows of `persons p` the actor may see, as SQL. Placeholders are
/// numbered from `first`.
pub fn person_scope(actor: &Actor, first: usize) -> ScopeFilter {
    let mut args: Vec<String> = Vec::new();
    let mut n = first;
    let mut list = |codes: &[String], args: &mut Vec<String>| -> String {
        if codes.is_empty() {
            return "NULL".to_owned();
        }
        let mut parts = Vec::with_capacity(codes.len());
        for c in codes {
            parts.push(format!("${n}"));
            n += 1;
            args.push(c.clone());
        }
        parts.join(", ")
    };
    let sql = match &actor.jurisdiction {
        Jurisdiction::Province => "1 = 1".to_owned(),
        Jurisdiction::Communes {
            new_communes,
            legacy_communes,
            legacy_districts,
        } => {
            let a = list(new_communes, &mut args);
            let b = list(legacy_communes, &mut args);
            let c = list(legacy_districts, &mut args);
            format!(
                "(p.hometown_new_code IN ({a}) OR p.hometown_legacy_code IN ({b}) \
                 OR p.hometown_legacy_district IN ({c}))"
            )
        }
        Jurisdiction::Countries(countries) => {
            format!("p.country IN ({})", list(countries, &mut args))
        }
        Jurisdiction::Associations(ids) => {
            let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
            // Ids are integers: inlined, not user text.
            let inlined = if ids.is_empty() {
                "NULL".to_owned()
            } else {
                ids.join(", ")
            };
            format!(
                "p.id IN (SELECT pa.person_id FROM person_associations pa \
                 WHERE pa.association_id IN ({inlined}))"
            )
        }
        Jurisdiction::Agency(agency) => {
            let a = list(std::slice::from_ref(agency), &mut args);
            format!("p.id IN (SELECT ps.person_id FROM person_sources ps WHERE ps.agency = {a})")
        }
        Jurisdiction::StatisticsOnly => "1 = 0".to_owned(),
        Jurisdiction::OwnRecord(id) => match id {
            Some(id) => format!("p.id = {id}"),
            None => "1 = 0".to_owned(),
        },
    };
    ScopeFilter { sql, args }
}

/// The associations (aliased `a`) the actor may reach, as SQL; placeholders
/// from `first`. The province reaches all; a mission the associations of its
/// countries; an association's account its own; the others the
/// associations that have a live member they may see (what they could
/// learn from their people's records anyway); leadership none.
pub fn association_scope(actor: &Actor, first: usize) -> ScopeFilter {
    match &actor.jurisdiction {
        Jurisdiction::Province => ScopeFilter {
            sql: "1 = 1".to_owned(),
            args: Vec::new(),
        },
        Jurisdiction::Countries(countries) => {
            if countries.is_empty() {
                return ScopeFilter {
                    sql: "1 = 0".to_owned(),
                    args: Vec::new(),
                };
            }
            let marks: Vec<String> = (0..countries.len())
                .map(|i| format!("${}", first + i))
                .collect();
            ScopeFilter {
                sql: format!("a.country IN ({})", marks.join(", ")),
                args: countries.clone(),
            }
        }
        Jurisdiction::Associations(ids) => {
            // Ids are integers: inlined, not user text.
            let ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
            let inlined = if ids.is_empty() {
                "NULL".to_owned()
            } else {
                ids.join(", ")
            };
            ScopeFilter {
                sql: format!("a.id IN ({inlined})"),
                args: Vec::new(),
            }
        }
        Jurisdiction::StatisticsOnly => ScopeFilter {
            sql: "1 = 0".to_owned(),
            args: Vec::new(),
        },
        Jurisdiction::Communes { .. } | Jurisdiction::Agency(_) | Jurisdiction::OwnRecord(_) => {
            let p = person_scope(actor, first);
            ScopeFilter {
                sql: format!(
                    "a.id IN (SELECT pa.association_id FROM person_associations pa \
                     JOIN persons p ON p.id = pa.person_id WHERE p.deleted_at IS NULL AND {})",
                    p.sql
                ),
                args: p.args,
            }
        }
    }
}

/// The events (aliased `e`) an actor may reach, as SQL; placeholders from
/// `first`. Missions reach the events held in (or visiting) their
/// countries; every other role allowed [`Action::EventRead`] reaches all
/// (an event is the province's own business, not personal data: its
/// invitees stay behind [`person_scope`]).
pub fn event_scope(actor: &Actor, first: usize) -> ScopeFilter {
    match &actor.jurisdiction {
        Jurisdiction::Countries(countries) if !countries.is_empty() => {
            let marks: Vec<String> = (0..countries.len())
                .map(|i| format!("${}", first + i))
                .collect();
            ScopeFilter {
                sql: format!("e.country IN ({})", marks.join(", ")),
                args: countries.clone(),
            }
        }
        Jurisdiction::Countries(_)
        | Jurisdiction::Associations(_)
        | Jurisdiction::Agency(_)
        | Jurisdiction::OwnRecord(_) => ScopeFilter {
            sql: "1 = 0".to_owned(),
            args: Vec::new(),
        },
        Jurisdiction::Province | Jurisdiction::Communes { .. } | Jurisdiction::StatisticsOnly => {
            ScopeFilter {
                sql: "1 = 1".to_owned(),
                args: Vec::new(),
            }
        }
    }
}

/// The portal's claims (aliased `c`) an officer may decide, as SQL;
/// placeholders from `first`. A claim names a hometown, not yet a record:
/// the commune officers of that hometown (new or old commune, or the old
/// district) and the province decide it; any other jurisdiction none.
pub fn claim_scope(actor: &Actor, first: usize) -> ScopeFilter {
    match &actor.jurisdiction {
        Jurisdiction::Province => ScopeFilter {
            sql: "1 = 1".to_owned(),
            args: Vec::new(),
        },
        Jurisdiction::Communes { .. } => {
            let p = person_scope(actor, first);
            ScopeFilter {
                sql: p
                    .sql
                    .replace("p.hometown_new_code", "c.hometown_new_code")
                    .replace("p.hometown_legacy_code", "c.hometown_legacy_code")
                    .replace("p.hometown_legacy_district", "c.hometown_legacy_district"),
                args: p.args,
            }
        }
        _ => ScopeFilter {
            sql: "1 = 0".to_owned(),
            args: Vec::new(),
        },
    }
}

/// The actor a person abroad acts as on the portal: no staff role is
/// reachable from it (the portal's own pages take a portal session, never
/// this actor from a staff cookie), its jurisdiction their own record only.
/// Audit rows name it `portal:<account id>`.
pub fn portal_actor(account_id: i64, person_id: Option<i64>, ip: &str) -> Actor {
    Actor {
        user_id: None,
        username: format!("portal:{account_id}"),
        role: Role::Diaspora,
        jurisdiction: Jurisdiction::OwnRecord(person_id),
        ip: ip.to_owned(),
        token_scopes: None,
    }
}

/// The mark of a masked value: four dots whatever its length, so that a
/// masked value reads as masked and says nothing of its length or ending.
pub const MASK: &str = "••••";

/// Masks a sensitive value for display ("••••"; empty stays empty).
pub fn mask(value: &str) -> String {
    if value.trim().is_empty() {
        return String::new();
    }
    MASK.to_owned()
}

/// Masks an identifier (passport or identity number) for display: the
/// mark and its last two characters ("••••67"), enough to tell two
/// documents apart on a call, nothing more; a short one is masked whole.
pub fn mask_identifier(value: &str) -> String {
    let chars: Vec<char> = value.trim().chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    if chars.len() <= 4 {
        return MASK.to_owned();
    }
    let mut out = MASK.to_owned();
    out.extend(&chars[chars.len() - 2..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, jurisdiction: Jurisdiction) -> Actor {
        Actor {
            user_id: Some(1),
            username: "t".into(),
            role,
            jurisdiction,
            ip: String::new(),
            token_scopes: None,
        }
    }

    #[test]
    fn viewer_cannot_read_people_but_can_read_statistics() {
        let v = actor(Role::Viewer, Jurisdiction::StatisticsOnly);
        assert!(authorize(&v, Action::PersonRead).is_err());
        assert!(authorize(&v, Action::StatisticsRead).is_ok());
        assert_eq!(person_scope(&v, 1).sql, "1 = 0");
    }

    #[test]
    fn commune_scope_binds_every_code() {
        let c = actor(
            Role::CommuneOfficer,
            Jurisdiction::Communes {
                new_communes: vec!["18427".into()],
                legacy_communes: vec![],
                legacy_districts: vec!["436".into()],
            },
        );
        let f = person_scope(&c, 3);
        assert_eq!(f.args, vec!["18427".to_owned(), "436".to_owned()]);
        assert!(f.sql.contains("$3") && f.sql.contains("$4") && !f.sql.contains("$5"));
    }

    #[test]
    fn read_only_token_cannot_write() {
        let mut a = actor(Role::ProvinceOfficer, Jurisdiction::Province);
        a.token_scopes = Some(vec!["read".into()]);
        assert!(authorize(&a, Action::PersonRead).is_ok());
        assert!(authorize(&a, Action::PersonUpdate).is_err());
    }

    #[test]
    fn association_scope_follows_the_jurisdiction() {
        let m = actor(Role::Mission, Jurisdiction::Countries(vec!["JP".into()]));
        let f = association_scope(&m, 2);
        assert_eq!(f.sql, "a.country IN ($2)");
        assert_eq!(f.args, vec!["JP".to_owned()]);
        let a = actor(Role::Association, Jurisdiction::Associations(vec![7]));
        assert_eq!(association_scope(&a, 1).sql, "a.id IN (7)");
        assert!(authorize(&a, Action::AssociationUpdate).is_ok());
        assert!(authorize(&a, Action::AssociationCreate).is_err());
        assert!(authorize(&m, Action::AssociationMerge).is_err());
        let v = actor(Role::Viewer, Jurisdiction::StatisticsOnly);
        assert!(authorize(&v, Action::AssociationRead).is_err());
    }

    #[test]
    fn only_publishers_publish_and_communes_propose_their_own() {
        use ContentStep as S;
        let commune = actor(
            Role::CommuneOfficer,
            Jurisdiction::Communes {
                new_communes: vec!["18427".into()],
                legacy_communes: vec![],
                legacy_districts: vec![],
            },
        );
        let editor = actor(Role::Editor, Jurisdiction::StatisticsOnly);
        let publisher = actor(Role::Publisher, Jurisdiction::StatisticsOnly);
        let province = actor(Role::ProvinceOfficer, Jurisdiction::Province);
        let mission = actor(Role::Mission, Jurisdiction::Countries(vec!["JP".into()]));
        assert!(content_step_allowed(&commune, "draft", true, S::Edit));
        assert!(content_step_allowed(&commune, "draft", true, S::Submit));
        assert!(!content_step_allowed(&commune, "draft", false, S::Edit));
        assert!(!content_step_allowed(&commune, "in_review", true, S::Edit));
        assert!(!content_step_allowed(&commune, "draft", true, S::Publish));
        assert!(content_step_allowed(&editor, "in_review", false, S::Edit));
        assert!(!content_step_allowed(
            &editor,
            "in_review",
            false,
            S::Publish
        ));
        assert!(!content_step_allowed(&editor, "published", false, S::Edit));
        assert!(content_step_allowed(
            &publisher,
            "in_review",
            false,
            S::Schedule
        ));
        assert!(content_step_allowed(
            &publisher,
            "scheduled",
            false,
            S::Publish
        ));
        assert!(content_step_allowed(
            &province,
            "published",
            false,
            S::Archive
        ));
        assert!(!content_step_allowed(&mission, "draft", true, S::Edit));
        // Content roles see no personal data.
        assert!(authorize(&editor, Action::PersonRead).is_err());
        assert!(authorize(&publisher, Action::AssociationRead).is_err());
    }

    #[test]
    fn masking_hides_all_but_the_tail() {
        assert_eq!(mask_identifier("B1234567"), "••••67");
        assert_eq!(mask_identifier("abc"), "••••");
        assert_eq!(mask("1 Main Street, Seattle"), "••••");
        assert_eq!(mask("ab"), "••••");
        assert_eq!(mask(""), "");
    }
}
