//! Type-ahead search of communes, old and new, for pickers.

use std::collections::HashSet;
use std::sync::LazyLock;

use serde::Serialize;

use super::data::data;
use super::index::{Unit, normalize_key};
use super::units::{Era, LegacyCommune, NewCommune};
use super::{legacy_commune_label, new_commune_label};
use crate::text::fold;

/// A commune of either system.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "era", content = "commune", rename_all = "snake_case")]
pub enum CommuneRef {
    /// Commune of the legacy system (before 1 July 2025).
    Legacy(&'static LegacyCommune),
    /// Commune of the new system (from 1 July 2025).
    New(&'static NewCommune),
}

impl CommuneRef {
    pub fn era(self) -> Era {
        match self {
            Self::Legacy(_) => Era::Legacy,
            Self::New(_) => Era::New,
        }
    }

    /// Code in the code space of its era.
    pub fn code(self) -> &'static str {
        match self {
            Self::Legacy(c) => c.code,
            Self::New(c) => c.code,
        }
    }

    /// Full name ("Xã Thạch Hà").
    pub fn name(self) -> &'static str {
        match self {
            Self::Legacy(c) => c.name,
            Self::New(c) => c.name,
        }
    }

    /// Code of the new province it lies in.
    pub fn new_province_code(self) -> &'static str {
        match self {
            Self::Legacy(c) => {
                super::legacy_province(c.province_code).map_or("", |p| p.new_province_code)
            }
            Self::New(c) => c.province_code,
        }
    }
}

/// One result of [`search_communes`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommuneHit {
    pub commune: CommuneRef,
    /// Vietnamese label telling the era apart:
    /// "Xã Thạch Hà, Tỉnh Hà Tĩnh (mới)" or
    /// "Xã Thạch Long, Huyện Thạch Hà, Tỉnh Hà Tĩnh (cũ, trước 1/7/2025)".
    pub label: String,
}

/// Label of a commune for pickers (see [`CommuneHit::label`]).
pub fn commune_label(c: CommuneRef) -> String {
    match c {
        CommuneRef::Legacy(c) => format!("{} (cũ, trước 1/7/2025)", legacy_commune_label(c)),
        CommuneRef::New(c) => format!("{} (mới)", new_commune_label(c)),
    }
}

/// Sorted search keys: (folded name from some syllable on, unit, syllable offset).
static PREFIXES: LazyLock<Vec<(Box<str>, Unit, u8)>> = LazyLock::new(|| {
    let d = data();
    let mut out: Vec<(Box<str>, Unit, u8)> = Vec::new();
    let mut add = |short: &str, aliases: &[&str], unit: Unit| {
        let folded = normalize_key(&fold(short));
        let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
        for start in 0..words.len() {
            let offset = u8::try_from(start).unwrap_or(u8::MAX);
            out.push((words[start..].join(" ").into(), unit, offset));
        }
        if words.len() > 1 {
            out.push((words.concat().into(), unit, 0));
        }
        for a in aliases {
            // former names rank after current ones
            out.push((normalize_key(a).into(), unit, 9));
        }
    };
    for (i, c) in d.legacy_communes.iter().enumerate() {
        add(c.short, &c.aliases, Unit::LegacyCommune(idx(i)));
    }
    for (i, c) in d.new_communes.iter().enumerate() {
        add(c.short, &c.aliases, Unit::NewCommune(idx(i)));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    out
});

fn idx(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Leading words naming a commune-level kind, dropped from queries ("xã thạch" → "thạch").
const KIND_WORDS: &[&[&str]] = &[
    &["thi", "tran"],
    &["dac", "khu"],
    &["xa"],
    &["phuong"],
    &["thitran"],
    &["tt"],
    &["x"],
    &["p"],
    &["f"],
];

fn strip_kind(words: &[&str]) -> usize {
    for kind in KIND_WORDS {
        if words.len() > kind.len() && words[..kind.len()] == **kind {
            return kind.len();
        }
    }
    0
}

/// Communes, new and legacy, whose name starts with the folded query, or has a later
/// word starting with it ("long" finds "Thạch Long"). A leading kind word ("xã",
/// "P.") is ignored. Text after a comma, or `province_hint` (code or name, legacy or
/// new), puts the communes of that province first. Exact names come first, then new
/// communes before legacy ones.
pub fn search_communes(query: &str, province_hint: Option<&str>, limit: usize) -> Vec<CommuneHit> {
    if limit == 0 {
        return Vec::new();
    }
    let (name_part, province_part) = match query.split_once(',') {
        Some((name, rest)) => (name, Some(rest)),
        None => (query, None),
    };
    let hint = province_part
        .and_then(super::resolve::province_hint)
        .or_else(|| province_hint.and_then(super::resolve::province_hint));
    let folded = normalize_key(&fold(name_part));
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let words = &words[strip_kind(&words)..];
    if words.is_empty() {
        return Vec::new();
    }
    let spaced = words.join(" ");
    let compact = words.concat();
    let d = data();
    let list = &*PREFIXES;
    let mut found: Vec<(u8, Unit)> = Vec::new();
    for q in [spaced.as_str(), compact.as_str()] {
        let start = list.partition_point(|e| &*e.0 < q);
        for (key, unit, offset) in list[start..].iter().take_while(|e| e.0.starts_with(q)) {
            let exact = u8::from(&**key != q);
            found.push((offset.saturating_mul(2).saturating_add(exact), *unit));
        }
    }
    let mut ranked: Vec<(u8, bool, bool, &str, Unit)> = found
        .into_iter()
        .map(|(rank, unit)| {
            let out_of_hint = hint.is_some_and(|h| unit.new_province_code(d) != h);
            let legacy = matches!(unit, Unit::LegacyCommune(_));
            let name = match unit {
                Unit::LegacyCommune(i) => d.legacy_communes[i as usize].name,
                Unit::NewCommune(i) => d.new_communes[i as usize].name,
                _ => "",
            };
            (rank, out_of_hint, legacy, name, unit)
        })
        .collect();
    ranked.sort_by(|a, b| (a.1, a.0, a.2, a.3, a.4).cmp(&(b.1, b.0, b.2, b.3, b.4)));
    let mut seen: HashSet<Unit> = HashSet::new();
    let mut hits = Vec::new();
    for (_, _, _, _, unit) in ranked {
        if !seen.insert(unit) {
            continue;
        }
        let commune = match unit {
            Unit::LegacyCommune(i) => CommuneRef::Legacy(&d.legacy_communes[i as usize]),
            Unit::NewCommune(i) => CommuneRef::New(&d.new_communes[i as usize]),
            _ => continue,
        };
        hits.push(CommuneHit {
            commune,
            label: commune_label(commune),
        });
        if hits.len() >= limit {
            break;
        }
    }
    hits
}
