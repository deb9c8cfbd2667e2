//! The exchange format, version 1 (issue 25 §1): JSON Lines, one record a
//! line, the first line a header. Described for people in
//! `docs/EXCHANGE.md` and for programs in `docs/exchange/v1.schema.json`
//! (served at `/api/v1/exchange/schema`).
//!
//! Identifiers are UUIDs that never change. The province's own records
//! take one derived from the database's namespace (56 random bits made on
//! first use, the setting `exchange_namespace`), the kind of record and
//! its id — a UUID of version 8 ("custom", RFC 9562 §5.8) — so the
//! registry needs no new column and no rewrite of its rows, and a backup
//! restored elsewhere answers the same identifiers. A record received from
//! another system keeps the sender's identifier (`exchange_uids`). A
//! merged record's identifier resolves to the record it was merged into
//! ([`super::export::resolve`]); the kept record lists the identifiers
//! merged into it (`merged_ids`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The format's name, in every header.
pub const FORMAT: &str = "kieubao-exchange";
/// The format's version.
pub const VERSION: i64 = 1;
/// The JSON Schema of version 1.
pub const SCHEMA: &str = include_str!("../../../../docs/exchange/v1.schema.json");

/// A kind of record, with the 4 bits it takes in a derived identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Person,
    Household,
    Relative,
    Association,
    Enterprise,
    Project,
}

impl Entity {
    pub const ALL: [Entity; 6] = [
        Entity::Person,
        Entity::Household,
        Entity::Relative,
        Entity::Association,
        Entity::Enterprise,
        Entity::Project,
    ];

    /// The record's `type` in the file (and `exchange_uids.entity`).
    pub fn code(self) -> &'static str {
        match self {
            Entity::Person => "person",
            Entity::Household => "household",
            Entity::Relative => "relative",
            Entity::Association => "association",
            Entity::Enterprise => "enterprise",
            Entity::Project => "project",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == s)
    }

    fn nibble(self) -> u8 {
        match self {
            Entity::Person => 1,
            Entity::Household => 2,
            Entity::Relative => 3,
            Entity::Association => 4,
            Entity::Enterprise => 5,
            Entity::Project => 6,
        }
    }
}

/// A database's namespace: 7 random bytes, kept as 14 hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Namespace(pub [u8; 7]);

impl Namespace {
    pub fn parse(hex_digits: &str) -> Option<Self> {
        let v = hex::decode(hex_digits).ok()?;
        Some(Self(v.try_into().ok()?))
    }

    pub fn to_hex(self) -> String {
        hex::encode(self.0)
    }

    /// The identifier of a record of this database.
    pub fn uid(self, entity: Entity, id: i64) -> String {
        let mut b = [0_u8; 16];
        b[..6].copy_from_slice(&self.0[..6]);
        // Version 8 in the high nibble, the kind of record in the low.
        b[6] = 0x80 | entity.nibble();
        b[7] = self.0[6];
        b[8..].copy_from_slice(&id.to_be_bytes());
        // Variant 10xx (RFC 9562): ids are below 2^62, so the top two bits are free.
        b[8] = (b[8] & 0x3f) | 0x80;
        uuid::Uuid::from_bytes(b).hyphenated().to_string()
    }

    /// The id a derived identifier of this database names, with its kind;
    /// `None` for any other identifier.
    pub fn id_of(self, uid: &str) -> Option<(Entity, i64)> {
        let u = uuid::Uuid::parse_str(uid).ok()?;
        let b = u.as_bytes();
        if b[..6] != self.0[..6] || b[7] != self.0[6] || b[6] >> 4 != 0x8 || b[8] >> 6 != 0b10 {
            return None;
        }
        let entity = Entity::ALL
            .into_iter()
            .find(|e| e.nibble() == b[6] & 0x0f)?;
        let mut id = [0_u8; 8];
        id.copy_from_slice(&b[8..]);
        id[0] &= 0x3f;
        Some((entity, i64::from_be_bytes(id)))
    }
}

/// What an export was asked for (in its header and its log row).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Filters {
    /// Only records changed on or after this day (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<String>,
    /// Only people whose last act for this purpose gave their consent
    /// (`national_sharing`, `directory`, `news`, `keep_record`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consented_to: Option<String>,
    /// The exporting account's jurisdiction, in words (`province`, or the
    /// communes', countries' or associations' codes).
    #[serde(default)]
    pub jurisdiction: String,
}

/// The first line of a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Header {
    /// Always `header`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Always `kieubao-exchange`.
    pub format: String,
    /// The format's version: 1.
    pub version: i64,
    /// The sending province's two-digit code (after 1 July 2025).
    pub province_code: String,
    /// The sending province's name.
    pub province_name: String,
    /// When the file was made (UTC, RFC 3339).
    pub generated_at: String,
    /// The program that made it.
    pub generator: String,
    pub filters: Filters,
}

/// Where a record's data came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Source {
    /// The agency's code (`police`, `justice`, `survey`, `exchange`...).
    pub agency: String,
    #[serde(default)]
    pub list_name: String,
    #[serde(default)]
    pub survey_round: String,
    /// When it was added (UTC, RFC 3339).
    #[serde(default)]
    pub added_at: String,
}

/// A person's last act of consent for one purpose (the portal's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Consent {
    /// `keep_record`, `news`, `directory`, `national_sharing`.
    pub purpose: String,
    /// True when the last act gave consent, false when it withdrew it.
    pub given: bool,
    /// The version of the text the person read.
    pub text_version: String,
    /// When (UTC, RFC 3339).
    pub at: String,
}

/// The fields of a person the file carries (the registry's fields, codes
/// as the API gives them). The sensitive ones are left out of files made
/// by a role that may not reveal them: a field left out says nothing,
/// which is not the same as a field sent empty.
pub const PERSON_META: &[&str] = &[
    "type",
    "id",
    "version",
    "updated_at",
    "merged_ids",
    "sources",
    "consents",
];

/// A line of a file other than the header: its `type`, `id` and fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    #[serde(flatten)]
    pub fields: Map<String, Value>,
}

impl Record {
    /// The fields compared between a received record and the registry's
    /// (the metadata — version, time, sources, consents, merged ids — is not).
    pub fn compared(&self) -> Map<String, Value> {
        self.fields
            .iter()
            .filter(|(k, _)| !PERSON_META.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }
}

/// A field that differs: the registry's value and the file's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Difference {
    pub field: String,
    pub ours: Value,
    pub theirs: Value,
}

/// The fields of `theirs` whose value is not `ours`' (fields `theirs`
/// leaves out are not compared). A missing or null value and an empty
/// text or list count as the same.
pub fn differences(ours: &Map<String, Value>, theirs: &Map<String, Value>) -> Vec<Difference> {
    let blank = |v: Option<&Value>| match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Array(a)) => a.is_empty(),
        Some(Value::Object(o)) => o.is_empty(),
        _ => false,
    };
    let mut out = Vec::new();
    for (k, v) in theirs {
        let o = ours.get(k);
        let same = (blank(o) && blank(Some(v))) || o == Some(v);
        if !same {
            out.push(Difference {
                field: k.clone(),
                ours: o.cloned().unwrap_or(Value::Null),
                theirs: v.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_identifiers_name_their_record_and_no_other_database() {
        let ns = Namespace([1, 2, 3, 4, 5, 6, 7]);
        for e in Entity::ALL {
            for id in [0, 1, 42, 1_000_000, (1 << 62) - 1] {
                let uid = ns.uid(e, id);
                let u = uuid::Uuid::parse_str(&uid).unwrap();
                assert_eq!(u.get_version_num(), 8);
                assert_eq!(u.get_variant(), uuid::Variant::RFC4122);
                assert_eq!(ns.id_of(&uid), Some((e, id)));
                assert_eq!(Namespace([9, 2, 3, 4, 5, 6, 7]).id_of(&uid), None);
            }
        }
        assert_ne!(
            ns.uid(Entity::Person, 7),
            ns.uid(Entity::Household, 7),
            "kinds never share an identifier"
        );
        assert_eq!(ns.id_of(&uuid::Uuid::new_v4().to_string()), None);
        assert_eq!(ns.id_of("nonsense"), None);
        assert_eq!(Namespace::parse(&ns.to_hex()), Some(ns));
    }

    #[test]
    fn differences_ignore_blank_against_missing_and_fields_not_sent() {
        let ours: Map<String, Value> = serde_json::from_str(
            r#"{"full_name":"A","phone":"","tags":[],"email":"a@x","passport_no":"B1"}"#,
        )
        .unwrap();
        let theirs: Map<String, Value> =
            serde_json::from_str(r#"{"full_name":"A","phone":null,"email":"b@x"}"#).unwrap();
        let d = differences(&ours, &theirs);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].field, "email");
    }
}
