//! Index of folded unit names, built once: exact lookup by key and lookup within one
//! edit (deletion neighbourhoods, as in `SymSpell`), without scanning all units.

use std::collections::HashMap;
use std::sync::LazyLock;

use super::data::{Data, data};
use super::units::{Level, UnitKind};
use crate::text::fold_key;

/// Resolver key of a name: folded, no spaces, and "y" written "i" ("Kỳ Anh" and
/// "Kì Anh", "Vynh" and "Vinh" meet).
pub(super) fn name_key(text: &str) -> String {
    normalize_key(&fold_key(text))
}

/// Applies the "y" → "i" rule to a key that is already folded.
pub(super) fn normalize_key(folded: &str) -> String {
    folded.replace('y', "i")
}

/// One administrative unit, by index into its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Unit {
    LegacyProvince(u32),
    NewProvince(u32),
    LegacyDistrict(u32),
    LegacyCommune(u32),
    NewCommune(u32),
}

impl Unit {
    pub fn kind(self, d: &Data) -> UnitKind {
        match self {
            Self::LegacyProvince(i) => d.legacy_provinces[i as usize].kind,
            Self::NewProvince(i) => d.new_provinces[i as usize].kind,
            Self::LegacyDistrict(i) => d.legacy_districts[i as usize].kind,
            Self::LegacyCommune(i) => d.legacy_communes[i as usize].kind,
            Self::NewCommune(i) => d.new_communes[i as usize].kind,
        }
    }

    /// Level of the unit; an island district without communes counts as a district.
    pub fn level(self) -> Level {
        match self {
            Self::LegacyProvince(_) | Self::NewProvince(_) => Level::Province,
            Self::LegacyDistrict(_) => Level::District,
            Self::LegacyCommune(_) | Self::NewCommune(_) => Level::Commune,
        }
    }

    /// Code of the new province the unit lies in.
    pub fn new_province_code(self, d: &'static Data) -> &'static str {
        let legacy = |code: &str| super::legacy_province(code).map_or("", |p| p.new_province_code);
        match self {
            Self::LegacyProvince(i) => d.legacy_provinces[i as usize].new_province_code,
            Self::NewProvince(i) => d.new_provinces[i as usize].code,
            Self::LegacyDistrict(i) => legacy(d.legacy_districts[i as usize].province_code),
            Self::LegacyCommune(i) => legacy(d.legacy_communes[i as usize].province_code),
            Self::NewCommune(i) => d.new_communes[i as usize].province_code,
        }
    }
}

/// How a key was derived from the unit's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    /// Name without the kind ("thachlong").
    Short,
    /// Full name with the kind ("xathachlong").
    Full,
    /// Former name or abbreviation from the source.
    Alias,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    pub unit: Unit,
    pub form: Form,
}

pub(super) struct NameIndex {
    ids: HashMap<Box<str>, u32>,
    keys: Vec<Box<str>>,
    entries: Vec<Vec<Entry>>,
    /// Hash of a key with one byte deleted → ids of the keys.
    deletions: HashMap<u64, Vec<u32>>,
}

/// Shortest key looked up within one edit: shorter keys have too many neighbours.
pub(super) const FUZZY_MIN_LEN: usize = 7;

pub(super) static INDEX: LazyLock<NameIndex> = LazyLock::new(NameIndex::build);

fn fnv_skip(bytes: &[u8], skip: usize) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, b) in bytes.iter().enumerate() {
        if i != skip {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Optimal string alignment distance is at most one (one insertion, deletion,
/// substitution or swap of neighbours).
fn within_one(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => {
            let diffs: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
            match diffs[..] {
                [_] => true,
                [i, j] => j == i + 1 && a[i] == b[j] && a[j] == b[i],
                _ => false,
            }
        }
        1 => {
            let first = (0..short.len())
                .find(|&i| short[i] != long[i])
                .unwrap_or(short.len());
            short[first..] == long[first + 1..]
        }
        _ => false,
    }
}

impl NameIndex {
    fn build() -> Self {
        let d = data();
        let mut index = Self {
            ids: HashMap::new(),
            keys: Vec::new(),
            entries: Vec::new(),
            deletions: HashMap::new(),
        };
        let mut add_unit = |unit: Unit, kind: UnitKind, short: &str, aliases: &[&str]| {
            index.add(&name_key(short), unit, Form::Short);
            index.add(
                &name_key(&format!("{} {short}", kind.prefix_vi())),
                unit,
                Form::Full,
            );
            for a in aliases {
                index.add(&normalize_key(a), unit, Form::Alias);
            }
        };
        for (i, p) in d.legacy_provinces.iter().enumerate() {
            add_unit(Unit::LegacyProvince(idx(i)), p.kind, p.short, &p.aliases);
        }
        for (i, p) in d.new_provinces.iter().enumerate() {
            add_unit(Unit::NewProvince(idx(i)), p.kind, p.short, &p.aliases);
        }
        for (i, u) in d.legacy_districts.iter().enumerate() {
            add_unit(Unit::LegacyDistrict(idx(i)), u.kind, u.short, &u.aliases);
        }
        for (i, u) in d.legacy_communes.iter().enumerate() {
            add_unit(Unit::LegacyCommune(idx(i)), u.kind, u.short, &u.aliases);
        }
        for (i, u) in d.new_communes.iter().enumerate() {
            add_unit(Unit::NewCommune(idx(i)), u.kind, u.short, &u.aliases);
        }
        // deletion neighbourhoods of names (not of full names: typos are looked up on
        // the name part)
        for (id, key) in index.keys.iter().enumerate() {
            let bytes = key.as_bytes();
            if bytes.len() < FUZZY_MIN_LEN || !key.is_ascii() {
                continue;
            }
            if !index.entries[id].iter().any(|e| e.form != Form::Full) {
                continue;
            }
            for skip in 0..bytes.len() {
                let list = index.deletions.entry(fnv_skip(bytes, skip)).or_default();
                if list.last() != Some(&idx(id)) {
                    list.push(idx(id));
                }
            }
        }
        index
    }

    fn add(&mut self, key: &str, unit: Unit, form: Form) {
        if key.is_empty() {
            return;
        }
        let id = if let Some(&id) = self.ids.get(key) {
            id
        } else {
            let id = idx(self.keys.len());
            self.ids.insert(key.into(), id);
            self.keys.push(key.into());
            self.entries.push(Vec::new());
            id
        };
        let list = &mut self.entries[id as usize];
        if !list.iter().any(|e| e.unit == unit) {
            list.push(Entry { unit, form });
        }
    }

    /// Units whose name, full name or alias has exactly this key.
    pub fn exact(&self, key: &str) -> &[Entry] {
        self.ids
            .get(key)
            .map_or(&[], |&id| self.entries[id as usize].as_slice())
    }

    /// Units with a name or alias within one edit of the key (the key itself excluded).
    pub fn within_one_edit(&self, key: &str) -> Vec<&[Entry]> {
        let bytes = key.as_bytes();
        if bytes.len() < FUZZY_MIN_LEN || !key.is_ascii() {
            return Vec::new();
        }
        let mut ids: Vec<u32> = Vec::new();
        // the key has one extra byte: one of its deletions is a key
        for skip in 0..bytes.len() {
            let mut shorter = Vec::with_capacity(bytes.len());
            shorter.extend_from_slice(&bytes[..skip]);
            shorter.extend_from_slice(&bytes[skip + 1..]);
            if let Ok(s) = std::str::from_utf8(&shorter)
                && let Some(&id) = self.ids.get(s)
            {
                ids.push(id);
            }
        }
        // a key has one extra byte, or both have one different byte
        if let Some(list) = self.deletions.get(&fnv_skip(bytes, usize::MAX)) {
            ids.extend_from_slice(list);
        }
        for skip in 0..bytes.len() {
            if let Some(list) = self.deletions.get(&fnv_skip(bytes, skip)) {
                ids.extend_from_slice(list);
            }
        }
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .filter(|&id| {
                let k = self.keys[id as usize].as_bytes();
                k != bytes && within_one(k, bytes)
            })
            .map(|id| self.entries[id as usize].as_slice())
            .collect()
    }
}

fn idx(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_distance() {
        assert!(within_one(b"thachha", b"thachha"));
        assert!(within_one(b"thachha", b"thacha"));
        assert!(within_one(b"thachha", b"thacxha"));
        assert!(within_one(b"thachha", b"thahcha"));
        assert!(within_one(b"thachha", b"thachhaa"));
        assert!(!within_one(b"thachha", b"thchah"));
        assert!(!within_one(b"thachha", b"thachhaaa"));
    }

    #[test]
    fn typos_find_the_name() {
        let hits = INDEX.within_one_edit(&name_key("Thach Lng"));
        assert!(!hits.is_empty());
        let hits = INDEX.within_one_edit(&name_key("Thạch Loong"));
        assert!(!hits.is_empty());
    }
}
