//! Finding people in milliseconds, however the name was written.
//!
//! An in-memory index, pure (no I/O, no clock): names are cut into syllables,
//! folded (`Đức`, `ĐỨC`, `Duc` alike) and interned. Every distinct name (its
//! sequence of accented syllables: a full name or an other name) is kept once,
//! with the ascending list of the people who bear it; each folded syllable
//! has a sorted posting list of the names that hold it. Many people share a
//! name, so a query weighs names, not people: the candidates of the strict
//! pass are the names holding every query syllable (the rarest syllable's
//! names, intersected by galloping with each other syllable's), those of the
//! fuzzy pass the names holding all query syllables but one (one such
//! intersection per left-out syllable, united; for a one-word query, its
//! one-typo neighbours). Each candidate name is checked once against its own
//! few syllables. One typo is found through a deletion-neighbourhood index
//! over the distinct syllables (a few thousand even at national scale).
//! Passport numbers, e-mails and phones (by their last nine digits) are exact
//! keys.
//!
//! Ranking: identifier > exact (same diacritics, same order, every syllable) >
//! same without diacritics > same syllables in another order > part of the
//! name (in its order, or with the family name last) > fuzzy (one typo, or
//! one query syllable not in the name) and part of the name in another
//! order, which rank together. Among
//! typos, a name typed whole comes first, then the likelier name meant, by
//! how people mistype Vietnamese before how many bear it: the marks typed
//! are the name's ("Châo": Châu before Thảo), then a common slip of the
//! fingers (a letter left out, two swapped, a neighbouring QWERTY key, a
//! key doubled, a Telex key left in: "Trsng" is Trang before Trung), then
//! the name more people bear. A word typed as input-method keystrokes
//! (Telex "Nguyeenx", VNI "Tra62n", VIQR "Nguye^n") is read back as the
//! syllable before the search.
//!
//! The page is filled best name first: the matching names are ordered by
//! score in growing chunks and their people taken until no name left can
//! beat the page; the people of the remaining names are only counted.
//! Approximations: people of equal score are taken in name order, then
//! document order (not document order across names); a pass examines at most
//! [`Query::max_scan`] people (50,000 by default) to count them, beyond which
//! the total is a lower bound ([`Results::total_is_lower_bound`]), and ten
//! times as many to fill the page when filters or the jurisdiction turn most
//! people away (past that, the page may hold fewer than it could).
//! A person whose several names match is counted once, under the best.
//!
//! Updates are incremental: [`Index::upsert`] replaces a person's document,
//! [`Index::remove`] hides it. Replaced documents stay as dead slots until the
//! index is rebuilt (names no one bears any more stay too).

mod input;
#[cfg(test)]
mod tests;
mod text;
mod understand;

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::hash::{Hash, Hasher};

pub use input::{Decoded, Marks, decode, keys_near, marks_agree, marks_of, slip_class};
pub use text::{
    Token, deletions, email_norm, passport_norm, phone_digits, phone_key, tokenize, within_one_edit,
};
pub use understand::{Born, CountryWords, Understood, understand};

const NONE: u32 = u32::MAX;
/// Query syllables beyond this are ignored.
pub const MAX_TOKENS: usize = 8;
/// Syllables a prefix expands to, at most.
const MAX_PREFIX: usize = 400;
/// Syllables of one name matched at most.
const MAX_POS: usize = 32;
/// While the page is not full, a pass may examine this many times
/// [`Query::max_scan`] people (filters or a jurisdiction that turn most away).
const FILL_SCAN: usize = 10;
/// Score of one tier; the parts below it never add up to one.
const TIER: u64 = 1_000_000_000_000_000;

/// One person as the index sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonDoc {
    pub id: i64,
    pub full_name: String,
    /// Other names and aliases (married name, name used abroad).
    pub other_names: Vec<String>,
    pub passport: String,
    pub phone: String,
    pub email: String,
    /// ISO `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    pub new_commune: Option<String>,
    pub legacy_commune: Option<String>,
    pub legacy_district: Option<String>,
    pub country: String,
    pub category: String,
    pub generation: Option<String>,
    pub tags: Vec<String>,
    pub status: String,
    pub verification: String,
    /// Deleted records are not indexed.
    pub deleted: bool,
}

/// Attribute slots of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
enum Attr {
    NewCommune = 0,
    LegacyCommune,
    LegacyDistrict,
    Country,
    Category,
    Generation,
    Status,
    Verification,
}
const ATTRS: usize = 8;

/// The registry's filters, each optional (empty means any).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub new_commune: String,
    pub legacy_commune: String,
    pub legacy_district: String,
    pub country: String,
    pub category: String,
    pub generation: String,
    pub tag: String,
    pub status: String,
    pub verification: String,
}

/// What to look for.
#[derive(Debug, Clone)]
pub struct Query<'a> {
    pub text: &'a str,
    /// Best hits returned.
    pub limit: usize,
    pub filters: &'a Filters,
    /// People examined per pass at most (the page's and the total's); beyond,
    /// the total is a lower bound.
    pub max_scan: usize,
}

impl<'a> Query<'a> {
    pub fn new(text: &'a str, limit: usize, filters: &'a Filters) -> Self {
        Self {
            text,
            limit,
            filters,
            max_scan: 50_000,
        }
    }
}

/// How a hit matched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchKind {
    /// Passport, e-mail or phone.
    Identifier,
    /// Every syllable, same order, same diacritics.
    Exact,
    /// Every syllable, same order, diacritics aside.
    Folded,
    /// Every syllable, another order.
    Reordered,
    /// Part of the name (a fragment, or the start of a syllable being typed).
    Partial,
    /// One typo, or one query syllable that is not in the name.
    Fuzzy,
}

impl MatchKind {
    pub fn code(self) -> &'static str {
        match self {
            Self::Identifier => "identifier",
            Self::Exact => "exact",
            Self::Folded => "folded",
            Self::Reordered => "reordered",
            Self::Partial => "partial",
            Self::Fuzzy => "fuzzy",
        }
    }
}

/// Which part of the record matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    FullName,
    /// Index into `other_names`.
    OtherName(usize),
    Passport,
    Email,
    Phone,
}

/// One result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub id: i64,
    /// Higher is better; below 2^53 so JSON readers keep it exact.
    pub score: u64,
    pub kind: MatchKind,
    pub field: Field,
    /// Matched parts of the field's text, as `[start, end)` character offsets.
    pub highlight: Vec<(usize, usize)>,
}

/// The answer to a query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Results {
    pub total: usize,
    /// True when the scan stopped early: there are at least `total`.
    pub total_is_lower_bound: bool,
    pub hits: Vec<Hit>,
    /// What narrowed the name search besides the filters (a year or date,
    /// a country read in the query).
    pub narrowed: Narrowed,
}

/// The year or date and the country a query was narrowed by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrowed {
    pub born: Option<Born>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<&'static str>,
}

#[derive(Debug, Default)]
struct Interner {
    map: HashMap<Box<str>, u32>,
    strs: Vec<Box<str>>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.map.get(s) {
            return i;
        }
        let i = self.strs.len() as u32;
        self.strs.push(s.into());
        self.map.insert(s.into(), i);
        i
    }
    fn get(&self, s: &str) -> Option<u32> {
        self.map.get(s).copied()
    }
    fn str(&self, i: u32) -> Option<&str> {
        self.strs.get(i as usize).map(AsRef::as_ref)
    }
}

#[derive(Debug)]
struct Doc {
    id: i64,
    /// Full name, then `\n` and each other name.
    text: Box<str>,
    /// Name ids: the full name, then each other name.
    names: Box<[u32]>,
    attrs: [u32; ATTRS],
    tags: Box<[u32]>,
    phone_hash: u32,
    /// Birth date as `yyyymmdd` (0 unknown; month or day 0 when not known).
    birth: u32,
    alive: bool,
}

/// Identifier key kinds.
#[derive(Debug, Clone, Copy)]
enum Key {
    Passport = 0,
    Email = 1,
    Phone = 2,
}

fn key_hash(kind: Key, value: &str) -> u64 {
    let mut h = DefaultHasher::new();
    (kind as u8).hash(&mut h);
    value.hash(&mut h);
    h.finish()
}

fn short_hash(value: &str) -> u32 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    (h.finish() >> 32) as u32
}

/// A read-only view of one indexed person, for jurisdiction predicates.
#[derive(Clone, Copy)]
pub struct DocView<'a> {
    index: &'a Index,
    doc: &'a Doc,
}

impl<'a> DocView<'a> {
    pub fn id(&self) -> i64 {
        self.doc.id
    }
    fn attr(&self, a: Attr) -> Option<&'a str> {
        match self.doc.attrs[a as usize] {
            NONE => None,
            v => self.index.values.str(v),
        }
    }
    pub fn new_commune(&self) -> Option<&'a str> {
        self.attr(Attr::NewCommune)
    }
    pub fn legacy_commune(&self) -> Option<&'a str> {
        self.attr(Attr::LegacyCommune)
    }
    pub fn legacy_district(&self) -> Option<&'a str> {
        self.attr(Attr::LegacyDistrict)
    }
    pub fn country(&self) -> Option<&'a str> {
        self.attr(Attr::Country)
    }
    pub fn category(&self) -> Option<&'a str> {
        self.attr(Attr::Category)
    }
}

/// The index. Build with [`Index::upsert`]; query with [`Index::search`].
#[derive(Debug, Default)]
pub struct Index {
    docs: Vec<Doc>,
    by_id: HashMap<i64, u32>,
    live: usize,
    values: Interner,
    /// Accented (lower-case, NFC) syllables.
    acc: Interner,
    acc_fold: Vec<u32>,
    /// Accented syllables of each folded one.
    fold_accs: Vec<Vec<u32>>,
    /// Folded syllables and their postings: the names that hold each.
    fold: Interner,
    postings: Vec<Vec<u32>>,
    /// Distinct names (sequences of accented syllable ids) → name id.
    name_ids: HashMap<Box<[u32]>, u32>,
    /// Accented syllables of name `n`: `name_syl[name_off[n]..name_off[n + 1]]`.
    name_off: Vec<u32>,
    name_syl: Vec<u32>,
    /// Documents bearing each name (full or other), ascending, with what
    /// counting needs to know of them without reading the document.
    name_docs: Vec<Vec<Bearer>>,
    sorted: BTreeMap<Box<str>, u32>,
    /// Each folded syllable and each of its one-deletion variants → syllables.
    neighbours: HashMap<Box<str>, Vec<u32>>,
    keys: HashMap<u64, u32>,
    key_next: Vec<[u32; 3]>,
}

/// One document under one of its names.
#[derive(Debug, Clone, Copy)]
struct Bearer {
    doc: u32,
    /// [`DEAD`], [`OTHER`], and the document's other name ([`PARTNER`] bits).
    meta: u32,
}
/// The document was replaced or removed.
const DEAD: u32 = 1 << 31;
/// The name is one of the document's other names, not its full name.
const OTHER: u32 = 1 << 30;
/// The one other name of a document of two names (full name first, other
/// name second), or [`SOLO`] or [`MANY`].
const PARTNER: u32 = OTHER - 1;
/// The document bears no other name.
const SOLO: u32 = PARTNER;
/// The document's names are read from it.
const MANY: u32 = PARTNER - 1;

/// Per query syllable: bits of a syllable mask.
const EXACT: u32 = 1;
const PREFIX: u32 = 1 << 8;
const TYPO: u32 = 1 << 16;

struct Plan {
    n: usize,
    /// Folded syllable id → bit i (exact), 8+i (prefix), 16+i (typo).
    masks: Vec<u32>,
    /// Accented id of each query syllable when known.
    accents: Vec<u32>,
    /// Folded ids matching each query syllable exactly or by prefix.
    exact: Vec<Vec<u32>>,
    typo: Vec<Vec<u32>>,
    /// Per query syllable: each typo neighbour's [`slip_class`], by folded id.
    slips: Vec<Vec<(u32, u8)>>,
    /// Per query syllable typed with marks: the accented syllables of its
    /// typo neighbours that bear every mark typed, sorted.
    agree: Vec<Vec<u32>>,
}

#[derive(Debug, Clone, Copy)]
struct Eval {
    score: u64,
    kind: MatchKind,
    group: usize,
    /// Per query syllable: (position in the group, prefix?) when matched.
    matched: [Option<(u8, bool)>; MAX_TOKENS],
    faults: usize,
}

impl Index {
    pub fn new() -> Self {
        Self::default()
    }

    /// People findable now.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Internal slots (live and replaced): the index is worth rebuilding
    /// when this is far above [`Index::len`].
    pub fn slots(&self) -> usize {
        self.docs.len()
    }

    /// Distinct folded syllables.
    pub fn syllables(&self) -> usize {
        self.fold.strs.len()
    }

    pub fn contains(&self, id: i64) -> bool {
        self.by_id.contains_key(&id)
    }

    /// Hides a person (deleted, or gone out of the registry).
    pub fn remove(&mut self, id: i64) {
        if let Some(d) = self.by_id.remove(&id)
            && let Some(doc) = self.docs.get_mut(d as usize)
        {
            if doc.alive {
                self.live -= 1;
            }
            doc.alive = false;
            let mut names = doc.names.to_vec();
            names.sort_unstable();
            names.dedup();
            for n in names {
                if let Some(list) = self.name_docs.get_mut(n as usize)
                    && let Ok(i) = list.binary_search_by_key(&d, |b| b.doc)
                {
                    list[i].meta |= DEAD;
                }
            }
        }
    }

    fn fold_id(&mut self, folded: &str) -> u32 {
        if let Some(f) = self.fold.get(folded) {
            return f;
        }
        let f = self.fold.intern(folded);
        self.postings.push(Vec::new());
        self.fold_accs.push(Vec::new());
        self.sorted.insert(folded.into(), f);
        self.neighbours.entry(folded.into()).or_default().push(f);
        for d in deletions(folded) {
            self.neighbours.entry(d.into()).or_default().push(f);
        }
        f
    }

    /// The id of a name (its accented syllables), added when new.
    fn name_id(&mut self, aids: &[u32]) -> u32 {
        if let Some(&n) = self.name_ids.get(aids) {
            return n;
        }
        let n = self.name_docs.len() as u32;
        if self.name_off.is_empty() {
            self.name_off.push(0);
        }
        self.name_syl.extend_from_slice(aids);
        self.name_off.push(self.name_syl.len() as u32);
        self.name_docs.push(Vec::new());
        self.name_ids.insert(aids.into(), n);
        let mut folds: Vec<u32> = aids.iter().map(|&a| self.acc_fold[a as usize]).collect();
        folds.sort_unstable();
        folds.dedup();
        for f in folds {
            self.postings[f as usize].push(n);
        }
        n
    }

    /// Accented syllables of a name.
    fn name(&self, n: u32) -> &[u32] {
        let (a, b) = (
            self.name_off[n as usize] as usize,
            self.name_off[n as usize + 1] as usize,
        );
        &self.name_syl[a..b]
    }

    fn accent_id(&mut self, t: &Token) -> u32 {
        if let Some(a) = self.acc.get(&t.lower) {
            return a;
        }
        let f = self.fold_id(&t.folded);
        let a = self.acc.intern(&t.lower);
        self.acc_fold.push(f);
        self.fold_accs[f as usize].push(a);
        a
    }

    fn value(&mut self, v: Option<&str>) -> u32 {
        match v.map(str::trim) {
            Some(v) if !v.is_empty() => self.values.intern(v),
            _ => NONE,
        }
    }

    fn add_key(&mut self, kind: Key, value: &str, doc: u32) {
        let h = key_hash(kind, value);
        let prev = self.keys.insert(h, doc).unwrap_or(NONE);
        if let Some(n) = self.key_next.get_mut(doc as usize) {
            n[kind as usize] = prev;
        }
    }

    /// Adds or replaces a person; a deleted one is removed.
    pub fn upsert(&mut self, p: &PersonDoc) {
        self.remove(p.id);
        if p.deleted {
            return;
        }
        let d = self.docs.len() as u32;
        let mut text = p.full_name.trim().to_owned();
        let names = std::iter::once(p.full_name.as_str()).chain(
            p.other_names
                .iter()
                .map(String::as_str)
                .filter(|n| !n.trim().is_empty()),
        );
        let mut nids: Vec<u32> = Vec::new();
        let mut aids: Vec<u32> = Vec::new();
        for (g, name) in names.enumerate() {
            if g > 0 {
                text.push('\n');
                text.push_str(name.trim());
            }
            aids.clear();
            for t in tokenize(name.trim()) {
                aids.push(self.accent_id(&t));
            }
            nids.push(self.name_id(&aids));
        }
        for (g, &n) in nids.iter().enumerate() {
            if nids[..g].contains(&n) {
                continue;
            }
            let partner = match nids[..] {
                [_] => SOLO,
                [a, b] if a == b => SOLO,
                [a, b] => {
                    if g == 0 {
                        b
                    } else {
                        a
                    }
                }
                _ if nids.iter().all(|&m| m == n) => SOLO,
                _ => MANY,
            };
            let meta = partner | if g > 0 { OTHER } else { 0 };
            self.name_docs[n as usize].push(Bearer { doc: d, meta });
        }
        let mut attrs = [NONE; ATTRS];
        attrs[Attr::NewCommune as usize] = self.value(p.new_commune.as_deref());
        attrs[Attr::LegacyCommune as usize] = self.value(p.legacy_commune.as_deref());
        attrs[Attr::LegacyDistrict as usize] = self.value(p.legacy_district.as_deref());
        attrs[Attr::Country as usize] = self.value(Some(&p.country.to_uppercase()));
        attrs[Attr::Category as usize] = self.value(Some(&p.category));
        attrs[Attr::Generation as usize] = self.value(p.generation.as_deref());
        attrs[Attr::Status as usize] = self.value(Some(&p.status));
        attrs[Attr::Verification as usize] = self.value(Some(&p.verification));
        let mut tags: Vec<u32> = p
            .tags
            .iter()
            .map(|t| self.value(Some(t)))
            .filter(|v| *v != NONE)
            .collect();
        tags.sort_unstable();
        tags.dedup();
        let digits = phone_digits(&p.phone);
        let birth = p
            .birth_date
            .as_deref()
            .and_then(|b| domain::types::PartialDate::parse(b).ok())
            .map_or(0, |b| {
                u32::from(b.year) * 10_000
                    + u32::from(b.month.unwrap_or(0)) * 100
                    + u32::from(b.day.unwrap_or(0))
            });
        self.docs.push(Doc {
            id: p.id,
            text: text.into(),
            names: nids.into(),
            attrs,
            tags: tags.into(),
            phone_hash: digits.as_deref().map_or(0, short_hash),
            birth,
            alive: true,
        });
        self.key_next.push([NONE; 3]);
        if let Some(pp) = passport_norm(&p.passport) {
            self.add_key(Key::Passport, &pp, d);
        }
        if let Some(e) = email_norm(&p.email) {
            self.add_key(Key::Email, &e, d);
        }
        if let Some(digits) = digits {
            self.add_key(Key::Phone, phone_key(&digits), d);
        }
        self.by_id.insert(p.id, d);
        self.live += 1;
    }

    fn key_docs(&self, kind: Key, value: &str) -> Vec<u32> {
        let mut out = Vec::new();
        let mut cur = self
            .keys
            .get(&key_hash(kind, value))
            .copied()
            .unwrap_or(NONE);
        while cur != NONE {
            out.push(cur);
            cur = self
                .key_next
                .get(cur as usize)
                .map_or(NONE, |n| n[kind as usize]);
        }
        out
    }

    /// Resolves the filters to interned values; `None` when one names a
    /// value no one has (then nothing matches).
    fn resolve(&self, f: &Filters) -> Option<Vec<(usize, u32)>> {
        let mut out = Vec::new();
        let country = f.country.trim().to_uppercase();
        for (attr, v) in [
            (Attr::NewCommune, f.new_commune.trim()),
            (Attr::LegacyCommune, f.legacy_commune.trim()),
            (Attr::LegacyDistrict, f.legacy_district.trim()),
            (Attr::Country, country.as_str()),
            (Attr::Category, f.category.trim()),
            (Attr::Generation, f.generation.trim()),
            (Attr::Status, f.status.trim()),
            (Attr::Verification, f.verification.trim()),
        ] {
            if !v.is_empty() {
                out.push((attr as usize, self.values.get(v)?));
            }
        }
        Some(out)
    }

    fn plan(&self, tokens: &[Token], prefix_last: bool) -> Plan {
        let n = tokens.len();
        let mut masks: Vec<u32> = vec![0; self.fold.strs.len()];
        let mut exact = vec![Vec::new(); n];
        let mut typo = vec![Vec::new(); n];
        let mut slips: Vec<Vec<(u32, u8)>> = vec![Vec::new(); n];
        let mut agree: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, t) in tokens.iter().enumerate() {
            if let Some(f) = self.fold.get(&t.folded) {
                masks[f as usize] |= EXACT << i;
                exact[i].push(f);
            }
            if prefix_last && i + 1 == n {
                let prefix: &str = &t.folded;
                for (s, &f) in self
                    .sorted
                    .range::<str, _>((
                        std::ops::Bound::Excluded(prefix),
                        std::ops::Bound::Unbounded,
                    ))
                    .take_while(|(s, _)| s.starts_with(prefix))
                    .take(MAX_PREFIX)
                {
                    if s.as_ref() != prefix {
                        masks[f as usize] |= PREFIX << i;
                        exact[i].push(f);
                    }
                }
            }
            if t.folded.chars().count() >= 3 {
                let mut seen = HashSet::new();
                let mut probe = vec![t.folded.clone()];
                probe.extend(deletions(&t.folded));
                for p in &probe {
                    for &f in self.neighbours.get(p.as_str()).into_iter().flatten() {
                        if seen.insert(f)
                            && let Some(s) = self.fold.str(f)
                            && s != t.folded
                            && within_one_edit(s, &t.folded)
                        {
                            masks[f as usize] |= TYPO << i;
                            typo[i].push(f);
                            slips[i].push((f, slip_class(&t.folded, s)));
                        }
                    }
                }
            }
        }
        for (i, t) in tokens.iter().enumerate() {
            slips[i].sort_unstable();
            let typed = marks_of(&t.lower);
            if typed.is_empty() {
                continue;
            }
            for &f in &typo[i] {
                for &a in &self.fold_accs[f as usize] {
                    if self
                        .acc
                        .str(a)
                        .is_some_and(|s| marks_agree(&typed, &marks_of(s)))
                    {
                        agree[i].push(a);
                    }
                }
            }
            agree[i].sort_unstable();
        }
        Plan {
            n,
            masks,
            accents: tokens
                .iter()
                .map(|t| self.acc.get(&t.lower).unwrap_or(NONE))
                .collect(),
            exact,
            typo,
            slips,
            agree,
        }
    }

    fn postings_len(&self, fids: &[u32]) -> usize {
        fids.iter().map(|&f| self.postings[f as usize].len()).sum()
    }

    /// Sorted, distinct documents of the union of these syllables' postings.
    fn gather(&self, fids: &[u32]) -> Vec<u32> {
        let total = self.postings_len(fids);
        if fids.len() > 1 && total > 4096 {
            // A bitset over the names: no sort of a long list.
            let mut bits = vec![0u64; self.name_docs.len().div_ceil(64)];
            for &f in fids {
                for &n in &self.postings[f as usize] {
                    bits[n as usize / 64] |= 1 << (n % 64);
                }
            }
            let mut out: Vec<u32> = Vec::with_capacity(total);
            for (w, &word) in bits.iter().enumerate() {
                let mut word = word;
                while word != 0 {
                    out.push((w * 64) as u32 + word.trailing_zeros());
                    word &= word - 1;
                }
            }
            return out;
        }
        let mut out: Vec<u32> = Vec::with_capacity(total);
        for &f in fids {
            out.extend_from_slice(&self.postings[f as usize]);
        }
        if fids.len() > 1 {
            out.sort_unstable();
            out.dedup();
        }
        out
    }

    /// Matches one name against the query syllables (score without the
    /// full-name point, group 0).
    fn evaluate_name(&self, n: u32, plan: &Plan, strict: bool) -> Option<Eval> {
        let group = self.name(n);
        {
            let len = group.len().min(MAX_POS);
            let mut masks = [0u32; MAX_POS];
            let mut any = 0u32;
            for (p, &a) in group.iter().take(len).enumerate() {
                let m = self
                    .acc_fold
                    .get(a as usize)
                    .and_then(|f| plan.masks.get(*f as usize))
                    .copied()
                    .unwrap_or(0);
                masks[p] = m;
                any |= m;
            }
            // Cheap rejection: too few query syllables present at all.
            let low = if strict {
                any | (any >> 8)
            } else {
                any | (any >> 8) | (any >> 16)
            };
            let present = (low & 0xff).count_ones() as usize;
            let need = if strict || plan.n < 3 {
                plan.n
            } else {
                plan.n - 1
            };
            if present < need {
                return None;
            }
            let mut used = 0u64;
            let mut matched: [Option<(u8, bool)>; MAX_TOKENS] = [None; MAX_TOKENS];
            let mut typos = 0usize;
            let mut accents = 0usize;
            let mut exacts = 0usize;
            let mut prefixes = 0usize;
            let mut prior = 0u64;
            // Exact matches first for every query syllable, then prefixes, then typos;
            // among equal positions prefer the one after the previous syllable's.
            for (rank, shift) in [(0u8, EXACT), (1, PREFIX), (2, TYPO)] {
                if any & (0xff * shift) == 0 {
                    continue;
                }
                for i in 0..plan.n {
                    if matched[i].is_some() {
                        continue;
                    }
                    let bit = shift << i;
                    if any & bit == 0 {
                        continue;
                    }
                    let last = matched[..i]
                        .iter()
                        .rev()
                        .flatten()
                        .next()
                        .map(|m| m.0 as usize);
                    let mut first = None;
                    let mut after = None;
                    for (p, m) in masks.iter().enumerate().take(len) {
                        if used & (1 << p) == 0 && m & bit != 0 {
                            if first.is_none() {
                                first = Some(p);
                            }
                            if last.is_none_or(|l| p > l) {
                                after = Some(p);
                                break;
                            }
                        }
                    }
                    let Some(p) = after.or(first) else {
                        continue;
                    };
                    used |= 1 << p;
                    matched[i] = Some((p as u8, rank == 1));
                    match rank {
                        0 => {
                            exacts += 1;
                            if plan.accents[i] != NONE && plan.accents[i] == group[p] {
                                accents += 1;
                            }
                        }
                        1 => prefixes += 1,
                        _ => {
                            typos += 1;
                            // Which name was meant: first by how people
                            // mistype (the marks typed are the name's; a
                            // letter left out, two swapped, a neighbouring
                            // key), then by how many bear it.
                            let people = self.name_docs.get(n as usize).map_or(0, Vec::len);
                            let f = self
                                .acc_fold
                                .get(group[p] as usize)
                                .copied()
                                .unwrap_or(NONE);
                            let slips = &plan.slips[i];
                            let class = slips
                                .binary_search_by_key(&f, |s| s.0)
                                .map_or(0, |k| u64::from(slips[k].1));
                            let marks = u64::from(plan.agree[i].binary_search(&group[p]).is_ok());
                            prior = marks * MARKS_PRIOR
                                + class * SLIP_PRIOR
                                + log2_quarters(people + 1).min(99);
                        }
                    }
                }
            }
            let count = matched.iter().flatten().count();
            let extras = plan.n - count;
            let faults = typos + extras;
            if count == 0 || faults > 1 || (extras > 0 && plan.n < 3) {
                return None;
            }
            let mut in_order = true;
            let mut adjacent = 0u64;
            let mut prev: Option<u8> = None;
            let mut first_pos = None;
            // Steps back in the name's order, and whether the last step was one.
            let (mut back, mut back_last) = (0u32, false);
            for m in matched.iter().flatten() {
                if first_pos.is_none() {
                    first_pos = Some(m.0);
                }
                if let Some(p) = prev {
                    back_last = p >= m.0;
                    if back_last {
                        in_order = false;
                        back += 1;
                    }
                    if p + 1 == m.0 {
                        adjacent += 1;
                    }
                }
                prev = Some(m.0);
            }
            // The family name written last ("Duc Nguyen" for Nguyễn Văn
            // Đức), as foreign papers do: the other syllables in order, the
            // last one the name's first.
            let family_last = back == 1 && back_last && prev == Some(0);
            let full = count == group.len() && faults == 0 && prefixes == 0;
            let kind = if faults > 0 {
                MatchKind::Fuzzy
            } else if full && in_order && accents == plan.n {
                MatchKind::Exact
            } else if full && in_order {
                MatchKind::Folded
            } else if full {
                MatchKind::Reordered
            } else {
                MatchKind::Partial
            };
            let tier: u64 = match kind {
                MatchKind::Identifier => 7,
                MatchKind::Exact => 6,
                MatchKind::Folded => 5,
                MatchKind::Reordered => 4,
                // Part of a name, in its order or with the family name last.
                MatchKind::Partial if in_order || family_last => PARTIAL_TIER,
                // Part of a name in another order departs from it twice (a
                // syllable left out, the order changed): no likelier than a
                // whole name in order with one typo ("hong thi gam" is
                // Hoàng Thị Gấm before Nguyễn Thị Hồng Gấm).
                MatchKind::Partial | MatchKind::Fuzzy => 2,
            };
            let coverage = (count * 1000 / group.len().max(1)) as u64;
            // With a typo, a name wholly typed and no syllable cut short is
            // likelier to be the one meant, then the likelier name and slip.
            let typed_whole = if typos > 0 {
                u64::from(count == group.len()) + u64::from(prefixes == 0)
            } else {
                0
            };
            // Within a tier: more query syllables found, in order, next to
            // each other, a likelier typo, same diacritics, exact syllables,
            // starting at the family name, covering more of the name, the
            // full name before other names.
            let score = tier * TIER
                + (count as u64) * (TIER / 10)
                + u64::from(in_order) * (TIER / 20)
                + adjacent.min(7) * (TIER / 200)
                + typed_whole * (TIER / 1000)
                + prior * (TIER / 1_000_000)
                + (accents.min(9) as u64) * (TIER / 10_000_000)
                + (exacts.min(9) as u64) * (TIER / 100_000_000)
                + u64::from(first_pos == Some(0)) * (TIER / 200_000_000)
                + coverage * 1_000;
            Some(Eval {
                score,
                kind,
                group: 0,
                matched,
                faults,
            })
        }
    }

    fn passes(doc: &Doc, filters: &[(usize, u32)], tag: Option<u32>) -> bool {
        doc.alive
            && filters.iter().all(|(a, v)| doc.attrs[*a] == *v)
            && tag.is_none_or(|t| doc.tags.contains(&t))
    }

    /// Finds people. `allow` is the searcher's jurisdiction: documents it
    /// refuses are neither returned nor counted.
    pub fn search<F>(&self, q: &Query<'_>, allow: F) -> Results
    where
        F: Fn(&DocView<'_>) -> bool,
    {
        let Some(filters) = self.resolve(q.filters) else {
            return Results::default();
        };
        let tag = q.filters.tag.trim();
        let tag = if tag.is_empty() {
            None
        } else {
            match self.values.get(tag) {
                Some(t) => Some(t),
                None => return Results::default(),
            }
        };
        // Words typed as input-method keystrokes ("Nguyeenx") read back;
        // a year or date and a country in the query narrow the name search.
        let typed = self.typed_words(q.text);
        let understood = understand(&typed);
        let born = understood.born;
        // A country no one lives in matches no one.
        let country = understood
            .country
            .as_ref()
            .map(|c| self.values.get(c.code).unwrap_or(NONE));
        // Name passes know which documents are alive: without filters,
        // only the jurisdiction is asked.
        let plain = filters.is_empty() && tag.is_none();
        let admit_in = |d: u32, by_country: bool| -> bool {
            self.docs.get(d as usize).is_some_and(|doc| {
                (plain || Self::passes(doc, &filters, tag))
                    && born.is_none_or(|b| b.matches(doc.birth))
                    && (!by_country
                        || country
                            .is_none_or(|c| c != NONE && doc.attrs[Attr::Country as usize] == c))
                    && allow(&DocView { index: self, doc })
            })
        };
        let (name_text, by_country, ends_before) = self.reading(&understood, &admit_in);
        let admit = |d: u32| admit_in(d, by_country);
        let ok =
            |d: u32| -> bool { self.docs.get(d as usize).is_some_and(|doc| doc.alive) && admit(d) };
        let mut top = TopK::new(q.limit);
        let mut total = 0usize;
        let mut lower = false;
        let mut found: HashSet<u32> = HashSet::new();

        // Identifiers.
        let mut idents: Vec<(u32, u32, Field)> = Vec::new();
        if let Some(e) = email_norm(q.text) {
            for d in self.key_docs(Key::Email, &e) {
                idents.push((d, 0, Field::Email));
            }
        }
        if let Some(p) = passport_norm(q.text) {
            for d in self.key_docs(Key::Passport, &p) {
                idents.push((d, 0, Field::Passport));
            }
        }
        if let Some(digits) = phone_digits(q.text) {
            let full = short_hash(&digits);
            for d in self.key_docs(Key::Phone, phone_key(&digits)) {
                let whole = self
                    .docs
                    .get(d as usize)
                    .is_some_and(|x| x.phone_hash == full);
                idents.push((d, u32::from(whole), Field::Phone));
            }
        }
        for (d, bonus, field) in idents {
            if ok(d) && found.insert(d) {
                total += 1;
                top.push(7 * TIER + u64::from(bonus), d, Pending::Ident(field));
            }
        }

        // Names.
        let mut tokens = tokenize(name_text);
        tokens.truncate(MAX_TOKENS);
        if !tokens.is_empty() {
            let prefix_last = !q.text.ends_with(char::is_whitespace) && !ends_before;
            let plan = self.plan(&tokens, prefix_last);
            let n = plan.n;
            let mut strict = 0usize;
            if plan.exact.iter().all(|e| !e.is_empty()) {
                let cands = self.strict_names(&plan);
                let (count, capped) =
                    self.pass(true, &cands, q.max_scan, &plan, &admit, &found, &mut top);
                strict = count;
                lower |= capped;
            }
            total += strict;
            // Then near names, unless the strict matches fill the page.
            if needs_fuzzy(strict, q.limit, n, top.worst()) {
                let cands = self.fuzzy_names(&plan);
                let (count, capped) =
                    self.pass(false, &cands, q.max_scan, &plan, &admit, &found, &mut top);
                lower |= capped;
                total += count;
            }
        }

        let hits = top
            .into_sorted()
            .into_iter()
            .filter_map(|(score, d, pending)| {
                let doc = self.docs.get(d as usize)?;
                Some(Self::hit(doc, score, pending, &tokens))
            })
            .collect();
        Results {
            total,
            total_is_lower_bound: lower,
            hits,
            // Only a name search is narrowed ("1979" alone searches nothing).
            narrowed: Narrowed {
                born: born.filter(|_| !tokens.is_empty()),
                country: understood
                    .country
                    .as_ref()
                    .filter(|_| by_country && !tokens.is_empty())
                    .map(|c| c.code),
            },
        }
    }

    /// The text with each word that is no syllable of the index, but is
    /// the keystrokes of one typed without an input method (Telex
    /// "Nguyeenx", VNI "Tra62n", VIQR "Nguye^n"), replaced by that syllable
    /// as the index writes it (with the marks typed) or, when no such form
    /// is indexed, by its letters.
    fn typed_words<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        let known = |folded: &str| {
            self.fold
                .get(folded)
                .filter(|&f| !self.postings[f as usize].is_empty())
        };
        let mut out: Option<String> = None;
        for (k, word) in text.split_whitespace().enumerate() {
            let folded = domain::text::fold(word);
            let mut read = None;
            if known(&folded).is_none()
                && let Some(d) = decode(word)
                && let Some(f) = known(&d.base)
            {
                let accs = &self.fold_accs[f as usize];
                let form = |same: &dyn Fn(&Marks) -> bool| {
                    accs.iter()
                        .filter_map(|&a| self.acc.str(a))
                        .find(|s| same(&marks_of(s)))
                };
                read = Some(
                    form(&|m| *m == d.marks)
                        .or_else(|| form(&|m| marks_agree(&d.marks, m)))
                        .unwrap_or(&d.base)
                        .to_owned(),
                );
            }
            if read.is_some() && out.is_none() {
                out = Some(
                    text.split_whitespace()
                        .take(k)
                        .collect::<Vec<_>>()
                        .join(" "),
                );
            }
            if let Some(o) = out.as_mut() {
                if k > 0 {
                    o.push(' ');
                }
                o.push_str(read.as_deref().unwrap_or(word));
            }
        }
        match out {
            Some(mut o) => {
                if text.ends_with(char::is_whitespace) {
                    o.push(' ');
                }
                std::borrow::Cow::Owned(o)
            }
            None => std::borrow::Cow::Borrowed(text),
        }
    }

    /// Which reading of a query with a country phrase holds (see
    /// [`understand`]'s ambiguity rule): the name text, whether the country
    /// narrows, and whether the name's last word is complete.
    fn reading<'u, A>(&self, u: &'u Understood, admit: &A) -> (&'u str, bool, bool)
    where
        A: Fn(u32, bool) -> bool,
    {
        let Some(c) = &u.country else {
            return (&u.name, false, u.name_ends_before);
        };
        let country_reading = (u.name.as_str(), true, u.name_ends_before);
        let name_reading = (u.name_with_country.as_str(), false, u.born_at_end);
        // A word no name holds, nor one typo away from one ("phap" may be
        // Phạm mistyped, not France), is not part of the name.
        if c.separate || !c.folded.iter().all(|w| self.may_be_name_syllable(w)) {
            return country_reading;
        }
        let prefix_last = |ends: bool| !u.raw_ends_with_space && !ends;
        if self.any_strict(name_reading.0, prefix_last(name_reading.2), &|d| {
            admit(d, false)
        }) {
            return name_reading;
        }
        if self.any_strict(country_reading.0, prefix_last(country_reading.2), &|d| {
            admit(d, true)
        }) {
            return country_reading;
        }
        name_reading
    }

    /// True when a folded word is a syllable some name holds, or one typo
    /// away from one.
    fn may_be_name_syllable(&self, w: &str) -> bool {
        let held = |f: u32| !self.postings[f as usize].is_empty();
        if self.fold.get(w).is_some_and(held) {
            return true;
        }
        if w.chars().count() < 3 {
            return false;
        }
        std::iter::once(w.to_owned()).chain(deletions(w)).any(|p| {
            self.neighbours.get(p.as_str()).is_some_and(|fs| {
                fs.iter()
                    .any(|&f| held(f) && self.fold.str(f).is_some_and(|s| within_one_edit(s, w)))
            })
        })
    }

    /// True when someone the predicate admits bears a name holding every
    /// syllable of the text (the strict pass would find them).
    fn any_strict(&self, text: &str, prefix_last: bool, ok: &dyn Fn(u32) -> bool) -> bool {
        let mut tokens = tokenize(text);
        tokens.truncate(MAX_TOKENS);
        if tokens.is_empty() {
            return false;
        }
        let plan = self.plan(&tokens, prefix_last);
        if plan.exact.iter().any(Vec::is_empty) {
            return false;
        }
        self.strict_names(&plan).into_iter().any(|n| {
            self.evaluate_name(n, &plan, true)
                .is_some_and(|e| e.faults == 0)
                && self.name_docs[n as usize]
                    .iter()
                    .any(|b| b.meta & DEAD == 0 && ok(b.doc))
        })
    }

    /// Names that hold every query syllable (exactly, or the last one by
    /// prefix): the rarest syllable's names, intersected with the names of
    /// each other syllable that is one folded syllable (a prefix's several
    /// are left to [`Index::evaluate_name`]).
    fn strict_names(&self, plan: &Plan) -> Vec<u32> {
        let mut order: Vec<usize> = (0..plan.n).collect();
        order.sort_by_key(|&i| self.postings_len(&plan.exact[i]));
        let mut cands = self.gather(&plan.exact[order[0]]);
        for &i in &order[1..] {
            if cands.is_empty() {
                break;
            }
            if let [f] = plan.exact[i][..] {
                intersect(&mut cands, &self.postings[f as usize]);
            }
        }
        cands
    }

    /// Names that hold every query syllable but one (a one-word query: its
    /// one-typo neighbours), sorted.
    fn fuzzy_names(&self, plan: &Plan) -> Vec<u32> {
        let n = plan.n;
        if n == 1 {
            return self.gather(&plan.typo[0]);
        }
        let all_but = |j: usize| -> Vec<u32> {
            let mut order: Vec<usize> = (0..n).filter(|&i| i != j).collect();
            order.sort_by_key(|&i| self.postings_len(&plan.exact[i]));
            let mut cands = self.gather(&plan.exact[order[0]]);
            for &i in &order[1..] {
                if cands.is_empty() {
                    break;
                }
                match plan.exact[i][..] {
                    [f] => intersect(&mut cands, &self.postings[f as usize]),
                    _ => intersect(&mut cands, &self.gather(&plan.exact[i])),
                }
            }
            cands
        };
        // Of two syllables, one cannot be missing: the other holds a typo.
        let fault_at = |j: usize| -> Vec<u32> {
            if n > 2 {
                return all_but(j);
            }
            if plan.typo[j].is_empty() {
                return Vec::new();
            }
            let mut cands = all_but(j);
            intersect(&mut cands, &self.gather(&plan.typo[j]));
            cands
        };
        let empty: Vec<usize> = (0..n).filter(|&i| plan.exact[i].is_empty()).collect();
        match empty[..] {
            [] => {
                let mut out: Vec<u32> = (0..n).flat_map(fault_at).collect();
                if n == 2 {
                    // Names without fault too, so that a person bearing one
                    // is known to belong to the strict pass.
                    out.extend(self.strict_names(plan));
                }
                out.sort_unstable();
                out.dedup();
                out
            }
            // The fault is that syllable: every other one is in the name.
            [j] => fault_at(j),
            _ => Vec::new(),
        }
    }

    /// One pass over candidate names: each is evaluated once; their
    /// documents are then counted (up to `max_scan` examined) and the best
    /// pushed to the page. Names are taken best first, in growing chunks,
    /// until the page is full and no name left can beat it; the rest are only
    /// counted. Returns (documents matched, capped).
    #[allow(clippy::too_many_arguments)]
    fn pass<O>(
        &self,
        strict: bool,
        cands: &[u32],
        max_scan: usize,
        plan: &Plan,
        ok: &O,
        skip: &HashSet<u32>,
        top: &mut TopK,
    ) -> (usize, bool)
    where
        O: Fn(u32) -> bool,
    {
        // Every candidate that matches at all, by name id: the other names
        // of a document are looked up here.
        let mut list: Vec<(u32, u64, bool)> = Vec::new();
        for &n in cands {
            if let Some(e) = self.evaluate_name(n, plan, strict) {
                list.push((n, e.score, e.faults == 0));
            }
        }
        let evals = Evals::new(list, self.name_docs.len());
        let mut named: Vec<(u64, u32)> = evals
            .list
            .iter()
            .filter(|e| e.2 == strict)
            .map(|e| (e.1, e.0))
            .collect();
        let mut count = 0usize;
        let mut scanned = 0usize;
        let by_best = |a: &(u64, u32), b: &(u64, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        let mut done = 0usize;
        let mut chunk = 64usize;
        let mut paging = top.k > 0;
        while paging && done < named.len() {
            let rest = &mut named[done..];
            let take = chunk.min(rest.len());
            if take < rest.len() {
                rest.select_nth_unstable_by(take - 1, by_best);
            }
            rest[..take].sort_unstable_by(by_best);
            for (i, &(score, n)) in named.iter().enumerate().skip(done).take(take) {
                if top.full() && score < top.worst() {
                    paging = false;
                    done = i;
                    break;
                }
                if !self.docs_of(
                    n,
                    score,
                    strict,
                    plan,
                    &evals,
                    ok,
                    skip,
                    max_scan,
                    &mut scanned,
                    &mut count,
                    Some(top),
                ) {
                    return (count, true);
                }
            }
            if paging {
                done += take;
                chunk = chunk.saturating_mul(4);
            }
        }
        for &(score, n) in &named[done..] {
            if !self.docs_of(
                n,
                score,
                strict,
                plan,
                &evals,
                ok,
                skip,
                max_scan,
                &mut scanned,
                &mut count,
                None,
            ) {
                return (count, true);
            }
        }
        (count, false)
    }

    /// Counts the documents of one matching name (those whose best name it
    /// is) and pushes them to the page when given one. False when `max_scan`
    /// documents have been examined.
    #[allow(clippy::too_many_arguments)]
    fn docs_of<O>(
        &self,
        n: u32,
        score: u64,
        strict: bool,
        plan: &Plan,
        evals: &Evals,
        ok: &O,
        skip: &HashSet<u32>,
        max_scan: usize,
        scanned: &mut usize,
        count: &mut usize,
        mut top: Option<&mut TopK>,
    ) -> bool
    where
        O: Fn(u32) -> bool,
    {
        let mut cached: Option<Eval> = None;
        for bearer in &self.name_docs[n as usize] {
            // Filling the page may look further than counting.
            let cap = match &top {
                Some(t) if !t.full() => max_scan.saturating_mul(FILL_SCAN),
                _ => max_scan,
            };
            if *scanned >= cap {
                return false;
            }
            *scanned += 1;
            let d = bearer.doc;
            if bearer.meta & DEAD != 0 || (!skip.is_empty() && skip.contains(&d)) {
                continue;
            }
            // Counted under its best name only (the first on a tie), and in
            // the strict pass when one of its names matches strictly.
            let mut g = usize::from(bearer.meta & OTHER != 0);
            let mine_score = score + u64::from(g == 0);
            let beaten = |h: usize, m: u32, g: usize| -> bool {
                let Some((other, clean)) = evals.get(m) else {
                    return false;
                };
                let other = other + u64::from(h == 0);
                (clean && !strict)
                    || (clean == strict && (other > mine_score || (other == mine_score && h < g)))
            };
            match bearer.meta & PARTNER {
                SOLO => {}
                MANY => {
                    let Some(doc) = self.docs.get(d as usize) else {
                        continue;
                    };
                    let Some(mine) = doc.names.iter().position(|&m| m == n) else {
                        continue;
                    };
                    g = mine;
                    if doc
                        .names
                        .iter()
                        .enumerate()
                        .any(|(h, &m)| h != mine && m != n && beaten(h, m, mine))
                    {
                        continue;
                    }
                }
                partner => {
                    if beaten(1 - g, partner, g) {
                        continue;
                    }
                }
            }
            if !ok(d) {
                continue;
            }
            *count += 1;
            if let Some(top) = top.as_deref_mut()
                && top.accepts(mine_score, d)
            {
                if cached.is_none() {
                    cached = self.evaluate_name(n, plan, strict);
                }
                let Some(mut e) = cached else { continue };
                e.score = mine_score;
                e.group = g;
                top.push(mine_score, d, Pending::Name(e));
            }
        }
        true
    }

    fn hit(doc: &Doc, score: u64, pending: Pending, tokens: &[Token]) -> Hit {
        match pending {
            Pending::Ident(field) => Hit {
                id: doc.id,
                score,
                kind: MatchKind::Identifier,
                field,
                highlight: Vec::new(),
            },
            Pending::Name(e) => {
                let text = doc.text.split('\n').nth(e.group).unwrap_or("");
                let spans = tokenize(text);
                let mut highlight: Vec<(usize, usize)> = e
                    .matched
                    .iter()
                    .enumerate()
                    .filter_map(|(i, m)| {
                        let (p, prefix) = (*m)?;
                        let s = spans.get(usize::from(p))?;
                        let end = if prefix {
                            (s.start + tokens.get(i).map_or(0, |t| t.folded.chars().count()))
                                .min(s.end)
                        } else {
                            s.end
                        };
                        Some((s.start, end))
                    })
                    .collect();
                highlight.sort_unstable();
                Hit {
                    id: doc.id,
                    score,
                    kind: e.kind,
                    field: if e.group == 0 {
                        Field::FullName
                    } else {
                        Field::OtherName(e.group - 1)
                    },
                    highlight,
                }
            }
        }
    }

    /// A rough figure of the heap the index holds, in bytes.
    pub fn approx_bytes(&self) -> usize {
        let docs: usize = self
            .docs
            .iter()
            .map(|d| {
                std::mem::size_of::<Doc>() + d.text.len() + d.names.len() * 4 + d.tags.len() * 4
            })
            .sum();
        let postings: usize = self.postings.iter().map(|p| p.capacity() * 4 + 24).sum();
        let names: usize = self
            .name_docs
            .iter()
            .map(|v| v.capacity() * 8 + 24)
            .sum::<usize>()
            + self.name_syl.capacity() * 4 * 2
            + self.name_off.capacity() * 4
            + self.name_ids.capacity() * 24;
        docs + postings
            + names
            + self.by_id.capacity() * 16
            + self.keys.capacity() * 16
            + self.key_next.capacity() * 12
    }
}

/// A typo's prior, in quarters of a doubling of its name's bearers (at
/// most 99): the marks typed are all the candidate's, and each step of
/// [`slip_class`] (a slip of the fingers). Both outweigh any bearer count:
/// how people mistype ranks first.
const MARKS_PRIOR: u64 = 300;
const SLIP_PRIOR: u64 = 100;

/// Score tier of a partial match in order (below it, fuzzy matches and
/// partial ones out of order).
const PARTIAL_TIER: u64 = 3;

/// Whether a name search runs its fuzzy pass after the strict one found
/// `strict` people (the page's worst score now `worst`): when the page is
/// not full, or holds matches a fuzzy one can equal (a typo can turn one
/// person's name into another's, "Phương" typed "Huong", so near names
/// follow the exact ones). A single word that exists is taken as typed.
fn needs_fuzzy(strict: usize, limit: usize, syllables: usize, worst: u64) -> bool {
    (syllables > 1 || strict == 0) && (strict < limit.max(1) || worst < PARTIAL_TIER * TIER)
}

/// `4 · log2(x)`, rounded down.
fn log2_quarters(x: usize) -> u64 {
    let x = x.max(1) as u64;
    let whole = u64::from(x.ilog2());
    // The fraction from the bits below the top one: x / 2^whole in [1, 2).
    let top = x >> whole.saturating_sub(8);
    let frac = top as f64 / (1u64 << whole.min(8)) as f64;
    whole * 4 + ((frac.log2() * 4.0).floor() as u64).min(3)
}

/// The names of a pass that match the query at all, by name id, with their
/// score and whether they match without fault.
struct Evals {
    list: Vec<(u32, u64, bool)>,
    /// One bit per name of the index when the list is long.
    bits: Vec<u64>,
}

impl Evals {
    fn new(list: Vec<(u32, u64, bool)>, names: usize) -> Self {
        let mut bits = Vec::new();
        if list.len() > 64 {
            bits = vec![0u64; names.div_ceil(64)];
            for e in &list {
                bits[e.0 as usize / 64] |= 1 << (e.0 % 64);
            }
        }
        Self { list, bits }
    }

    fn get(&self, n: u32) -> Option<(u64, bool)> {
        if !self.bits.is_empty()
            && self
                .bits
                .get(n as usize / 64)
                .is_none_or(|w| w & (1 << (n % 64)) == 0)
        {
            return None;
        }
        let i = self.list.binary_search_by_key(&n, |e| e.0).ok()?;
        Some((self.list[i].1, self.list[i].2))
    }
}

/// Keeps the elements of sorted `a` that are in sorted `b` (galloping
/// through `b`, so a short `a` against a long `b` costs little).
fn intersect(a: &mut Vec<u32>, b: &[u32]) {
    let mut lo = 0usize;
    a.retain(|&x| {
        let rest = &b[lo.min(b.len())..];
        if rest.is_empty() {
            return false;
        }
        let mut hi = 1usize;
        while hi < rest.len() && rest[hi] < x {
            hi *= 2;
        }
        let from = hi / 2;
        let to = (hi + 1).min(rest.len());
        lo += from + rest[from..to].partition_point(|&y| y < x);
        b.get(lo) == Some(&x)
    });
}

#[derive(Clone, Copy)]
enum Pending {
    Ident(Field),
    Name(Eval),
}

/// The `k` best (score, doc) seen, ties to the lower document number.
struct TopK {
    k: usize,
    heap: BinaryHeap<Entry>,
}

struct Entry {
    score: u64,
    doc: u32,
    pending: Pending,
}

impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        self.score == o.score && self.doc == o.doc
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    /// Worse first (a max-heap of the worst kept): lower score, then higher doc.
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        o.score.cmp(&self.score).then(self.doc.cmp(&o.doc))
    }
}

impl TopK {
    fn new(k: usize) -> Self {
        Self {
            k,
            heap: BinaryHeap::with_capacity(k.min(10_000) + 1),
        }
    }
    fn push(&mut self, score: u64, doc: u32, pending: Pending) {
        if self.k == 0 {
            return;
        }
        if self.heap.len() < self.k {
            self.heap.push(Entry {
                score,
                doc,
                pending,
            });
        } else if let Some(worst) = self.heap.peek()
            && (score > worst.score || (score == worst.score && doc < worst.doc))
        {
            self.heap.pop();
            self.heap.push(Entry {
                score,
                doc,
                pending,
            });
        }
    }
    fn full(&self) -> bool {
        self.heap.len() >= self.k
    }
    /// The worst score kept (0 when none).
    fn worst(&self) -> u64 {
        self.heap.peek().map_or(0, |e| e.score)
    }
    /// Would `push` keep this?
    fn accepts(&self, score: u64, doc: u32) -> bool {
        self.k > 0
            && (self.heap.len() < self.k
                || self
                    .heap
                    .peek()
                    .is_some_and(|w| score > w.score || (score == w.score && doc < w.doc)))
    }
    fn into_sorted(self) -> Vec<(u64, u32, Pending)> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|e| (e.score, e.doc, e.pending))
            .collect()
    }
}
