//! Free-text hometown (*quê quán*) resolver.
//!
//! 1. The text is cut into parts at commas (and `;`, `/`, `:`, brackets, new lines),
//!    folded (no diacritics, lowercase, "y" as "i"), and cut into syllables; "q1",
//!    "p.03" become a kind word and a number; "Việt Nam", "quê quán:", "địa chỉ" are
//!    dropped; a part starting with a hamlet or street word ("thôn", "xóm", "ấp", "tổ",
//!    "số", "đường", …) is marked as street up to the next kind word.
//! 2. Every run of up to [`MAX_SPAN`] syllables inside one part is looked up in the name
//!    index (short names, full names, former names, nicknames): no scan over all units.
//!    A kind word or abbreviation right before a name ("xã", "X.", "huyện", "H.", "TX",
//!    "TP", "Q.", "P.", "TT", "tỉnh", "T.") makes the match typed. Runs with a syllable
//!    nothing explains are also looked up within one edit (typos).
//! 3. Each matched commune, district or province starts a hypothesis, completed by the
//!    best non-overlapping matches of its own district and province (a legacy commune
//!    may take its new province, a new commune a legacy province merged into it) or by
//!    the caller's province hint. Its score adds, for each part, quality × syllables
//!    explained; minus 0.5 per syllable left unexplained; plus small bonuses for a
//!    deeper level and for the usual order (commune first). An untyped name that is
//!    also the name of a higher unit counts half ("Thạch Hà, Hà Tĩnh" is the district).
//! 4. The best hypothesis wins, unless others that are not the same place (nor one
//!    inside the other, nor one the successor of the other) score within
//!    [`AMBIGUITY`]: then the result is ambiguous and lists them, except when all of
//!    them became the same new commune, which is then the answer.

use serde::Serialize;

use super::countries::country_named;
use super::data::{Data, data};
use super::index::{Entry, FUZZY_MIN_LEN, Form, INDEX, Unit, name_key, normalize_key};
use super::units::{Era, Level, UnitKind};
use crate::text::fold;

/// Why a hometown could not be resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum UnresolvedReason {
    /// Nothing was written, or only "unknown" / "không rõ".
    Empty,
    /// The text names a foreign country, not a place in Vietnam.
    Abroad { country_code: &'static str },
    /// No administrative unit of Vietnam was recognised.
    NotRecognised,
}

/// Kind of result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// One place; [`HometownResolution::place`] holds it.
    Resolved,
    /// Several places fit about equally well (e.g. a commune name found in several
    /// districts, and no district given); [`HometownResolution::place`] holds what they
    /// share, [`HometownResolution::alternatives`] the candidates.
    Ambiguous,
    /// Nothing usable.
    Unresolved { reason: UnresolvedReason },
}

/// A place of Vietnam, in both systems as far as known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    /// Deepest level known.
    pub level: Level,
    /// System whose names the text used for the deepest unit, when one is known.
    pub era: Option<Era>,
    pub legacy_province: Option<&'static str>,
    pub legacy_district: Option<&'static str>,
    /// Legacy commune code (legacy code space). For a text naming a new commune, set
    /// only when it had a single predecessor or the text's name is also that of the
    /// predecessor.
    pub legacy_commune: Option<&'static str>,
    pub new_province: Option<&'static str>,
    /// New commune code (new code space): the one named by the text, else the
    /// successor of the legacy commune (the default one if it was divided).
    pub new_commune: Option<&'static str>,
    /// True when the legacy commune was divided and `new_commune` is only its default
    /// successor (the text did not say which part).
    pub new_commune_is_guess: bool,
    /// For a new commune: the legacy communes merged into it.
    pub legacy_predecessors: Vec<&'static str>,
    /// Vietnamese label for display.
    pub label: String,
}

impl Place {
    fn empty() -> Self {
        Self {
            level: Level::None,
            era: None,
            legacy_province: None,
            legacy_district: None,
            legacy_commune: None,
            new_province: None,
            new_commune: None,
            new_commune_is_guess: false,
            legacy_predecessors: Vec::new(),
            label: String::new(),
        }
    }
}

/// Result of [`resolve_hometown`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HometownResolution {
    pub outcome: Outcome,
    /// The place found (for an ambiguous result: what all candidates share).
    pub place: Place,
    /// In [0, 1]: 1 for a full, typed, unambiguous address; lower with missing levels,
    /// abbreviations of the unknown, typos, unexplained words, and ambiguity.
    pub confidence: f32,
    /// Candidates of an ambiguous result, best first (at most [`MAX_ALTERNATIVES`]).
    pub alternatives: Vec<Place>,
}

impl HometownResolution {
    fn unresolved(reason: UnresolvedReason) -> Self {
        Self {
            outcome: Outcome::Unresolved { reason },
            place: Place::empty(),
            confidence: 0.0,
            alternatives: Vec::new(),
        }
    }

    /// Deepest level reached.
    pub fn level(&self) -> Level {
        self.place.level
    }

    pub fn is_resolved(&self) -> bool {
        self.outcome == Outcome::Resolved
    }
}

/// Longest run of syllables looked up as one name.
const MAX_SPAN: usize = 7;
/// Input beyond this many characters is ignored.
const MAX_INPUT_CHARS: usize = 600;
/// Syllables beyond this many are ignored.
const MAX_TOKENS: usize = 80;
/// Most candidates listed for an ambiguous result.
pub const MAX_ALTERNATIVES: usize = 20;

/// Quality of a name without a kind word.
const UNTYPED_Q: f32 = 0.9;
/// Factor for a nickname or abbreviation of a province ("HN", "Sài Gòn").
const ALIAS_Q: f32 = 0.95;
/// Factor for a former name of a commune or district (merged away before 2025): still
/// written, but a unit bearing the name today comes first.
const FORMER_NAME_Q: f32 = 0.85;
/// Factor for a name found within one edit.
const FUZZY_Q: f32 = 0.8;
/// Factor for a name inside a hamlet/street part ("thôn …", "số 12 đường …").
const STREET_Q: f32 = 0.5;
/// Factor for an untyped commune or district name that is also the name of a unit
/// above it in the same province ("Thạch Hà, Hà Tĩnh" is the district, not the
/// township of Thạch Hà).
const SHADOW_Q: f32 = 0.5;
/// Bonus of a hypothesis by the level of its deepest unit (deeper wins a tie).
const BONUS_COMMUNE: f32 = 0.3;
const BONUS_DISTRICT: f32 = 0.2;
/// Bonus when the units come in the usual order, smallest first.
const BONUS_ORDER: f32 = 0.4;
/// Factor for a district of the same province that is not the commune's own.
const FOREIGN_DISTRICT: f32 = 0.25;
/// Value of the caller's province hint when the text names no province.
const W_HINT: f32 = 0.8;
/// Penalty for a hypothesis outside the hinted province.
const OUT_OF_HINT: f32 = 1.0;
/// Penalty per syllable left unexplained (not a kind word, number or street part).
const W_UNEXPLAINED: f32 = 0.5;
/// Hypotheses scoring within this of the best, and not the same place, make the
/// result ambiguous.
const AMBIGUITY: f32 = 0.3;
/// Hypotheses below this are dropped.
const MIN_SCORE: f32 = 0.8;

/// Kind word written before a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Commune,
    Ward,
    Township,
    SpecialZone,
    Rural,
    Urban,
    Town,
    City,
    Province,
    Capital,
}

impl Marker {
    /// Quality of a name of this kind written after this marker, if it fits at all.
    fn fits(self, kind: UnitKind) -> Option<f32> {
        use UnitKind as K;
        let q = match (self, kind) {
            (Self::Commune, K::Commune)
            | (Self::Ward, K::Ward)
            | (Self::Township, K::Township)
            | (Self::SpecialZone, K::SpecialZone)
            | (Self::Rural, K::RuralDistrict)
            | (Self::Urban, K::UrbanDistrict)
            | (Self::Town, K::DistrictTown)
            | (Self::City, K::ProvincialCity | K::Municipality)
            | (Self::Province, K::Province)
            | (Self::Capital, K::Municipality) => 1.0,
            (Self::Town, K::ProvincialCity) => 0.9,
            (Self::Commune | Self::Ward, K::Township | K::SpecialZone)
            | (Self::Rural | Self::City, K::DistrictTown)
            | (Self::Township, K::Commune)
            | (Self::SpecialZone | Self::Town, K::RuralDistrict)
            | (Self::Province, K::Municipality) => 0.85,
            (Self::Commune | Self::Township, K::Ward)
            | (Self::Ward, K::Commune)
            | (Self::Rural, K::UrbanDistrict | K::ProvincialCity | K::SpecialZone)
            | (Self::Urban, K::RuralDistrict | K::DistrictTown | K::ProvincialCity)
            | (Self::Town, K::UrbanDistrict)
            | (Self::City, K::UrbanDistrict | K::RuralDistrict | K::Province) => 0.8,
            _ => return None,
        };
        Some(q)
    }
}

/// Marker words (already folded, "y" as "i"), longest first.
const MARKERS: &[(&[&str], Marker)] = &[
    (&["thi", "tran"], Marker::Township),
    (&["thi", "xa"], Marker::Town),
    (&["thanh", "pho"], Marker::City),
    (&["dac", "khu"], Marker::SpecialZone),
    (&["thu", "do"], Marker::Capital),
    (&["xa"], Marker::Commune),
    (&["x"], Marker::Commune),
    (&["phuong"], Marker::Ward),
    (&["p"], Marker::Ward),
    (&["f"], Marker::Ward),
    (&["thitran"], Marker::Township),
    (&["tt"], Marker::Township),
    (&["dackhu"], Marker::SpecialZone),
    (&["huien"], Marker::Rural),
    (&["h"], Marker::Rural),
    (&["quan"], Marker::Urban),
    (&["q"], Marker::Urban),
    (&["thixa"], Marker::Town),
    (&["tx"], Marker::Town),
    (&["thanhpho"], Marker::City),
    (&["tp"], Marker::City),
    (&["tinh"], Marker::Province),
    (&["t"], Marker::Province),
    (&["thudo"], Marker::Capital),
];

/// Words starting a hamlet or street part at the start of a comma-separated part.
const STREET_WORDS: &[&str] = &[
    "thon", "xom", "ap", "to", "khu", "kp", "so", "sn", "duong", "pho", "ngo", "ngach", "hem",
    "kiet", "khom", "khoi", "tdp", "doi", "cum", "lo", "nha", "ban", "buon", "lang", "khom",
];

/// Leading words that say "hometown", "address", … and nothing about the place.
const NOISE_PREFIXES: &[&[&str]] = &[
    &["que", "quan"],
    &["nguien", "quan"],
    &["dia", "chi"],
    &["noi", "sinh"],
    &["thuong", "tru"],
    &["tam", "tru"],
    &["ho", "khau"],
];

/// Whole texts meaning "unknown".
const UNKNOWN: &[&str] = &[
    "khong ro",
    "chua ro",
    "khong biet",
    "chua biet",
    "khong co",
    "chua co",
    "khong xac dinh",
    "chua xac dinh",
    "khong",
    "n a",
    "na",
    "none",
    "unknown",
    "null",
    "nil",
    "x",
];

const SEPARATORS: &[char] = &[
    ',', ';', '\n', '\r', '|', '(', ')', '[', ']', '{', '}', '/', '\\', ':', '·', '،', '，', '、',
];

#[derive(Debug, Clone)]
struct Tok {
    text: String,
    seg: u16,
    street: bool,
    number: bool,
    /// Marker starting here: (marker, length in tokens).
    marker: Option<(Marker, usize)>,
}

/// Splits "q1", "p12", "phuong3", "f03" into kind word and number.
fn split_numbered(word: &str) -> Option<(&str, &str)> {
    let digits_at = word.find(|c: char| c.is_ascii_digit())?;
    let (head, tail) = word.split_at(digits_at);
    if tail.bytes().all(|b| b.is_ascii_digit())
        && matches!(head, "p" | "q" | "f" | "phuong" | "quan")
    {
        Some((head, tail))
    } else {
        None
    }
}

fn strip_zeros(digits: &str) -> String {
    let s = digits.trim_start_matches('0');
    if s.is_empty() { "0".into() } else { s.into() }
}

fn tokenize(text: &str) -> Vec<Tok> {
    let text: String = text.chars().take(MAX_INPUT_CHARS).collect();
    let mut toks: Vec<Tok> = Vec::new();
    for (seg, part) in text.split(SEPARATORS).enumerate() {
        let seg = u16::try_from(seg).unwrap_or(u16::MAX);
        let folded = fold(part);
        let mut words: Vec<String> = Vec::new();
        for w in folded.split(' ').filter(|w| !w.is_empty()) {
            let w = normalize_key(w);
            if let Some((head, tail)) = split_numbered(&w) {
                words.push(head.into());
                words.push(strip_zeros(tail));
            } else if w.bytes().all(|b| b.is_ascii_digit()) {
                words.push(strip_zeros(&w));
            } else {
                words.push(w);
            }
        }
        // country of Vietnam, anywhere
        let mut kept: Vec<String> = Vec::with_capacity(words.len());
        let mut i = 0;
        while i < words.len() {
            if words[i] == "viet" && words.get(i + 1).is_some_and(|w| w == "nam") {
                i += 2;
                continue;
            }
            if words[i] == "vietnam" || words[i] == "vn" {
                i += 1;
                continue;
            }
            kept.push(std::mem::take(&mut words[i]));
            i += 1;
        }
        let mut words = kept;
        // "quê quán:", "địa chỉ", … at the start of a part
        while let Some(noise) = NOISE_PREFIXES
            .iter()
            .find(|n| words.len() >= n.len() && words.iter().zip(n.iter()).all(|(w, x)| w == x))
        {
            words.drain(..noise.len());
        }
        let first = toks.len();
        for w in words {
            let number = w.bytes().all(|b| b.is_ascii_digit());
            toks.push(Tok {
                text: w,
                seg,
                street: false,
                number,
                marker: None,
            });
            if toks.len() >= MAX_TOKENS {
                break;
            }
        }
        mark(&mut toks[first..]);
        if toks.len() >= MAX_TOKENS {
            break;
        }
    }
    let single_part = toks
        .iter()
        .all(|t| t.seg == toks.first().map_or(0, |f| f.seg));
    let mut start = 0;
    while start < toks.len() {
        let seg = toks[start].seg;
        let end = toks[start..]
            .iter()
            .position(|t| t.seg != seg)
            .map_or(toks.len(), |p| start + p);
        mark_street(&mut toks[start..end], single_part);
        start = end;
    }
    toks
}

/// Marks kind words within one part.
fn mark(part: &mut [Tok]) {
    for i in 0..part.len() {
        for (words, marker) in MARKERS {
            let n = words.len();
            if i + n <= part.len()
                && part[i..i + n]
                    .iter()
                    .zip(words.iter())
                    .all(|(t, w)| t.text == *w)
            {
                part[i].marker = Some((*marker, n));
                break;
            }
        }
    }
}

/// Marks the hamlet/street words at the start of one part: up to the first kind word,
/// and (when the whole text is one part) at most two words after each street word.
fn mark_street(part: &mut [Tok], single_part: bool) {
    if !part
        .first()
        .is_some_and(|t| STREET_WORDS.contains(&t.text.as_str()))
    {
        return;
    }
    let mut budget = 0usize;
    let mut after_street_word = false;
    for t in part.iter_mut() {
        if t.marker.is_some() {
            break;
        }
        if STREET_WORDS.contains(&t.text.as_str()) {
            budget = 2;
            after_street_word = true;
            t.street = true;
            continue;
        }
        if t.number {
            // "thôn 3", "số 12": the number is the hamlet's or house's name
            t.street = true;
            if after_street_word {
                budget = 0;
            }
            continue;
        }
        after_street_word = false;
        if single_part {
            if budget == 0 {
                break;
            }
            budget -= 1;
        }
        t.street = true;
    }
}

#[derive(Debug, Clone, Copy)]
struct Match {
    unit: Unit,
    /// First token, kind word included.
    start: usize,
    /// First token of the name.
    name_start: usize,
    end: usize,
    q: f32,
    typed: bool,
    fuzzy: bool,
    alias: bool,
}

impl Match {
    /// Evidence of the match: its quality times the syllables it explains (kind
    /// words included).
    fn value(&self) -> f32 {
        self.q * (self.end - self.start) as f32
    }

    fn overlaps(&self, other: &Self) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// Marker that ends right before token `i`, in the same part: (marker, its first token).
fn marker_before(toks: &[Tok], i: usize) -> Option<(Marker, usize)> {
    for n in [2usize, 1] {
        if i >= n {
            let s = i - n;
            if let Some((m, len)) = toks[s].marker
                && len == n
                && toks[s].seg == toks[i].seg
            {
                return Some((m, s));
            }
        }
    }
    None
}

fn is_short_key(key: &str) -> bool {
    key.len() <= 2 || key.bytes().all(|b| b.is_ascii_digit())
}

fn push_match(
    data: &'static Data,
    toks: &[Tok],
    out: &mut Vec<Match>,
    entry: Entry,
    span: (usize, usize),
    key: &str,
    fuzzy: bool,
) {
    let (first, end) = span;
    let Entry { unit, form } = entry;
    let kind = unit.kind(data);
    let mut name_start = first;
    let (start, typed_q) = if form == Form::Full {
        if let Some((_, len)) = toks[first].marker
            && first + len < end
        {
            name_start = first + len;
        }
        (first, Some(1.0))
    } else {
        match marker_before(toks, first) {
            Some((marker, marker_start)) => match marker.fits(kind) {
                Some(fit) => (marker_start, Some(fit)),
                None => (first, None),
            },
            None => (first, None),
        }
    };
    let province = unit.level() == Level::Province;
    if typed_q.is_none() && is_short_key(key) && !(province && form == Form::Alias) {
        return;
    }
    let mut quality = typed_q.unwrap_or(UNTYPED_Q);
    if form == Form::Alias {
        quality *= if province { ALIAS_Q } else { FORMER_NAME_Q };
    }
    if fuzzy {
        quality *= FUZZY_Q;
    }
    if toks[first].street {
        quality *= STREET_Q;
    }
    out.push(Match {
        unit,
        start,
        name_start,
        end,
        q: quality,
        typed: typed_q.is_some(),
        fuzzy,
        alias: form == Form::Alias,
    });
}

fn find_matches(d: &'static Data, toks: &[Tok]) -> Vec<Match> {
    let index = &*INDEX;
    let mut out: Vec<Match> = Vec::new();
    let mut key = String::new();
    for i in 0..toks.len() {
        key.clear();
        for j in i..toks.len().min(i + MAX_SPAN) {
            if toks[j].seg != toks[i].seg {
                break;
            }
            key.push_str(&toks[j].text);
            for e in index.exact(&key) {
                push_match(d, toks, &mut out, *e, (i, j + 1), &key, false);
            }
        }
    }
    // names within one edit, for runs of syllables that contain one no exact name of
    // 4+ letters explains and that are not themselves a name
    let mut covered = vec![false; toks.len()];
    for m in &out {
        let len: usize = toks[m.name_start..m.end].iter().map(|t| t.text.len()).sum();
        if len >= 4 {
            covered[m.name_start..m.end]
                .iter_mut()
                .for_each(|c| *c = true);
        }
    }
    let exact_spans: std::collections::HashSet<(usize, usize)> =
        out.iter().map(|m| (m.name_start, m.end)).collect();
    for i in 0..toks.len() {
        if toks[i].street {
            continue;
        }
        key.clear();
        let mut open = false;
        for j in i..toks.len().min(i + 4) {
            if toks[j].seg != toks[i].seg || toks[j].street {
                break;
            }
            key.push_str(&toks[j].text);
            open |= !covered[j] && !toks[j].number && toks[j].marker.is_none();
            if !open || key.len() < FUZZY_MIN_LEN || exact_spans.contains(&(i, j + 1)) {
                continue;
            }
            for entries in index.within_one_edit(&key) {
                for e in entries.iter().filter(|e| e.form != Form::Full) {
                    push_match(d, toks, &mut out, *e, (i, j + 1), &key, true);
                }
            }
        }
    }
    // one match per unit and span, the best
    out.sort_by(|a, b| {
        (a.unit, a.start, a.end)
            .cmp(&(b.unit, b.start, b.end))
            .then(b.q.total_cmp(&a.q))
    });
    out.dedup_by(|b, a| a.unit == b.unit && a.start == b.start && a.end == b.end);
    // an untyped name that is also the name (not a former one) of a unit of a higher level
    let shadows: Vec<(usize, usize, Level)> = out
        .iter()
        .filter(|m| !m.alias || m.unit.level() == Level::Province)
        .map(|m| (m.name_start, m.end, m.unit.level()))
        .collect();
    for m in &mut out {
        if m.typed || m.unit.level() == Level::Province {
            continue;
        }
        let level = m.unit.level();
        if shadows
            .iter()
            .any(|&(s, e, l)| s == m.name_start && e == m.end && l < level)
        {
            m.q *= SHADOW_Q;
        }
    }
    out
}

/// Province hint of the caller: new province code, and legacy province when the hint
/// named one.
#[derive(Debug, Clone, Copy)]
struct Hint {
    new: &'static str,
    legacy: Option<&'static str>,
}

fn parse_hint(hint: &str) -> Option<Hint> {
    let hint = hint.trim();
    if hint.is_empty() {
        return None;
    }
    if hint.bytes().all(|b| b.is_ascii_digit()) {
        let code = if hint.len() == 1 {
            format!("0{hint}")
        } else {
            hint.to_owned()
        };
        if let Some(p) = super::new_province(&code) {
            return Some(Hint {
                new: p.code,
                legacy: None,
            });
        }
        return super::legacy_province(&code).map(|p| Hint {
            new: p.new_province_code,
            legacy: Some(p.code),
        });
    }
    let d = data();
    let key = name_key(hint);
    let stripped = ["thanhpho", "tinh", "tp", "thudo", "t"]
        .iter()
        .filter_map(|p| key.strip_prefix(p))
        .filter(|k| !k.is_empty());
    for k in std::iter::once(key.as_str()).chain(stripped) {
        let entries = INDEX.exact(k);
        let legacy = entries.iter().find_map(|e| match e.unit {
            Unit::LegacyProvince(i) => Some(&d.legacy_provinces[i as usize]),
            _ => None,
        });
        let new = entries.iter().find_map(|e| match e.unit {
            Unit::NewProvince(i) => Some(&d.new_provinces[i as usize]),
            _ => None,
        });
        match (legacy, new) {
            (Some(l), _) => {
                return Some(Hint {
                    new: l.new_province_code,
                    legacy: Some(l.code),
                });
            }
            (None, Some(n)) => {
                return Some(Hint {
                    new: n.code,
                    legacy: None,
                });
            }
            (None, None) => {}
        }
    }
    None
}

/// New province code for a province hint: a code (new first, else legacy) or a name,
/// legacy or new, in any writing ("Hà Tĩnh", "ha tinh", "TP.HCM", "42").
pub(super) fn province_hint(hint: &str) -> Option<&'static str> {
    parse_hint(hint).map(|h| h.new)
}

#[derive(Debug, Clone)]
struct Hyp {
    main: usize,
    district: Option<usize>,
    /// The district is not the commune's own (same province).
    foreign_district: bool,
    province: Option<usize>,
    hint: bool,
    score: f32,
}

/// Tokens that need no explanation: kind words, numbers, street parts.
fn ignorable_tokens(toks: &[Tok]) -> Vec<bool> {
    let mut out: Vec<bool> = toks.iter().map(|t| t.street || t.number).collect();
    for (i, t) in toks.iter().enumerate() {
        if let Some((_, n)) = t.marker {
            for x in out.iter_mut().skip(i).take(n) {
                *x = true;
            }
        }
    }
    out
}

/// Legacy province, legacy district and new province of a unit, when it has them.
fn region(
    d: &'static Data,
    unit: Unit,
) -> (Option<&'static str>, Option<&'static str>, &'static str) {
    let np = unit.new_province_code(d);
    match unit {
        Unit::LegacyProvince(i) => (Some(d.legacy_provinces[i as usize].code), None, np),
        Unit::LegacyDistrict(i) => {
            let x = &d.legacy_districts[i as usize];
            (Some(x.province_code), Some(x.code), np)
        }
        Unit::LegacyCommune(i) => {
            let x = &d.legacy_communes[i as usize];
            (Some(x.province_code), Some(x.district_code), np)
        }
        Unit::NewProvince(_) | Unit::NewCommune(_) => (None, None, np),
    }
}

fn new_commune_in_district(d: &'static Data, n: u32, district: &str) -> bool {
    let code = d.new_communes[n as usize].code;
    d.predecessors.get(code).is_some_and(|v| {
        v.iter()
            .any(|&c| d.legacy_communes[c as usize].district_code == district)
    }) || d.district_predecessors.get(code).is_some_and(|v| {
        v.iter()
            .any(|&x| d.legacy_districts[x as usize].code == district)
    })
}

fn build_hyps(d: &'static Data, matches: &[Match], toks: &[Tok], hint: Option<Hint>) -> Vec<Hyp> {
    let mut hyps = Vec::new();
    let ignorable = ignorable_tokens(toks);
    for (mi, m) in matches.iter().enumerate() {
        let level = m.unit.level();
        let (lp, ld, np) = region(d, m.unit);
        let legacy = matches!(
            m.unit,
            Unit::LegacyCommune(_) | Unit::LegacyDistrict(_) | Unit::LegacyProvince(_)
        );
        let main_bonus = match level {
            Level::Commune => BONUS_COMMUNE,
            Level::District => BONUS_DISTRICT,
            _ => 0.0,
        };
        // district options
        let mut districts: Vec<(Option<usize>, f32)> = vec![(None, 0.0)];
        let mut foreign: Vec<bool> = vec![false];
        if level == Level::Commune {
            for (i, o) in matches.iter().enumerate() {
                let Unit::LegacyDistrict(x) = o.unit else {
                    continue;
                };
                if o.overlaps(m) {
                    continue;
                }
                let code = d.legacy_districts[x as usize].code;
                let w = match m.unit {
                    Unit::LegacyCommune(_) if ld == Some(code) => 1.0,
                    // another district of the same province: boundaries moved often
                    // before 2025, and hometowns keep their older district
                    Unit::LegacyCommune(_)
                        if lp == Some(d.legacy_districts[x as usize].province_code) =>
                    {
                        FOREIGN_DISTRICT
                    }
                    Unit::NewCommune(n) if new_commune_in_district(d, n, code) => 0.5,
                    _ => continue,
                };
                districts.push((Some(i), w * o.value()));
                foreign.push(w == FOREIGN_DISTRICT);
            }
        }
        // province options
        let mut provinces: Vec<(Option<usize>, f32)> = vec![(None, 0.0)];
        if level != Level::Province {
            for (i, o) in matches.iter().enumerate() {
                if o.overlaps(m) {
                    continue;
                }
                let w =
                    match o.unit {
                        Unit::LegacyProvince(x) => {
                            let p = &d.legacy_provinces[x as usize];
                            if lp == Some(p.code) {
                                1.0
                            } else if p.new_province_code == np {
                                if legacy { 0.7 } else { 0.9 }
                            } else {
                                continue;
                            }
                        }
                        Unit::NewProvince(x) if d.new_provinces[x as usize].code == np => {
                            if legacy { 0.95 } else { 1.0 }
                        }
                        _ => continue,
                    };
                provinces.push((Some(i), w * o.value()));
            }
        }
        let hint_w = match hint {
            Some(h) if h.new == np => {
                if lp.is_some() && h.legacy == lp {
                    W_HINT * 1.2
                } else {
                    W_HINT
                }
            }
            Some(_) => -OUT_OF_HINT,
            None => 0.0,
        };
        let mut best: Option<Hyp> = None;
        for (&(di, dw), &foreign_district) in districts.iter().zip(&foreign) {
            for &(pi, pw) in &provinces {
                if let (Some(a), Some(b)) = (di, pi)
                    && matches[a].overlaps(&matches[b])
                {
                    continue;
                }
                let used: Vec<usize> = [Some(mi), di, pi].into_iter().flatten().collect();
                if used.iter().all(|&u| matches[u].fuzzy) {
                    continue;
                }
                let unexplained = (0..toks.len())
                    .filter(|&t| {
                        !ignorable[t]
                            && !used
                                .iter()
                                .any(|&u| matches[u].start <= t && t < matches[u].end)
                    })
                    .count();
                let (pw, by_hint) = if hint_w > pw {
                    (hint_w, hint_w > 0.0)
                } else if hint_w < 0.0 {
                    (pw + hint_w, false)
                } else {
                    (pw, false)
                };
                // smallest unit first: commune, then district, then province
                let in_order = (di.is_some() || pi.is_some()) && {
                    let starts: Vec<usize> = [Some(mi), di, pi]
                        .into_iter()
                        .flatten()
                        .map(|u| matches[u].start)
                        .collect();
                    starts.windows(2).all(|w| w[0] < w[1])
                };
                let score =
                    m.value() + main_bonus + dw + pw + if in_order { BONUS_ORDER } else { 0.0 }
                        - W_UNEXPLAINED * unexplained as f32;
                if best.as_ref().is_none_or(|b| score > b.score) {
                    best = Some(Hyp {
                        main: mi,
                        district: di,
                        foreign_district,
                        province: pi,
                        hint: by_hint,
                        score,
                    });
                }
            }
        }
        if let Some(h) = best
            && h.score >= MIN_SCORE
        {
            hyps.push(h);
        }
    }
    hyps
}

/// True when unit `inner` lies within unit `outer` (or is it); a legacy commune and a
/// new commune lie within each other when one succeeded the other.
fn within(data: &'static Data, inner: Unit, outer: Unit) -> bool {
    if inner == outer {
        return true;
    }
    let (inner_lp, inner_ld, inner_np) = region(data, inner);
    match outer {
        Unit::NewProvince(_) => inner_np == outer.new_province_code(data),
        Unit::LegacyProvince(idx) => {
            let province = &data.legacy_provinces[idx as usize];
            match inner {
                Unit::NewProvince(_) | Unit::NewCommune(_) => {
                    inner_np == province.new_province_code
                }
                _ => inner_lp == Some(province.code),
            }
        }
        Unit::LegacyDistrict(idx) => {
            let code = data.legacy_districts[idx as usize].code;
            match inner {
                Unit::NewCommune(new) => new_commune_in_district(data, new, code),
                _ => inner_ld == Some(code),
            }
        }
        Unit::LegacyCommune(idx) => match inner {
            Unit::NewCommune(new) => super::successors(data.legacy_communes[idx as usize].code)
                .iter()
                .any(|s| s.new_code == data.new_communes[new as usize].code),
            _ => false,
        },
        Unit::NewCommune(_) => {
            matches!(inner, Unit::LegacyCommune(_)) && within(data, outer, inner)
        }
    }
}

fn same_place(data: &'static Data, one: Unit, other: Unit) -> bool {
    within(data, one, other) || within(data, other, one)
}

/// New commune written with the same words as the main match, if it succeeded the
/// legacy commune.
fn named_successor(
    data: &'static Data,
    matches: &[Match],
    main: &Match,
    successors: &[super::Successor],
) -> Option<&'static str> {
    matches.iter().find_map(|other| {
        let Unit::NewCommune(idx) = other.unit else {
            return None;
        };
        let code = data.new_communes[idx as usize].code;
        (other.name_start == main.name_start
            && other.end == main.end
            && successors.iter().any(|s| s.new_code == code))
        .then_some(code)
    })
}

/// Legacy commune written with the same words, as well, as the main match (a new
/// commune), if it is one of its predecessors.
fn named_predecessor(
    data: &'static Data,
    matches: &[Match],
    main: &Match,
    predecessors: &[&'static super::LegacyCommune],
) -> Option<&'static super::LegacyCommune> {
    matches.iter().find_map(|other| {
        let Unit::LegacyCommune(idx) = other.unit else {
            return None;
        };
        let commune = &data.legacy_communes[idx as usize];
        (other.name_start == main.name_start
            && other.end == main.end
            && other.q >= main.q
            && predecessors.iter().any(|p| p.code == commune.code))
        .then_some(commune)
    })
}

/// Place of a new commune; `named` is the predecessor the text named, if any.
fn new_commune_place(
    commune: &'static super::NewCommune,
    named: Option<&'static super::LegacyCommune>,
) -> Place {
    let mut place = Place::empty();
    place.level = Level::Commune;
    place.era = Some(Era::New);
    place.new_commune = Some(commune.code);
    place.new_province = Some(commune.province_code);
    let preds = super::predecessors(commune.code);
    place.legacy_predecessors = preds.iter().map(|x| x.code).collect();
    let single = if preds.len() == 1 {
        preds.first().copied()
    } else {
        None
    };
    if let Some(legacy) = named.or(single) {
        place.legacy_commune = Some(legacy.code);
    }
    let common = |field: fn(&super::LegacyCommune) -> &'static str| {
        let first = preds.first().map(|x| field(x))?;
        preds.iter().all(|x| field(x) == first).then_some(first)
    };
    if let Some(legacy) = named {
        place.legacy_district = Some(legacy.district_code);
        place.legacy_province = Some(legacy.province_code);
    } else {
        place.legacy_district = common(|x| x.district_code);
        place.legacy_province = common(|x| x.province_code);
    }
    if preds.is_empty()
        && let [district] = super::district_predecessors(commune.code)[..]
    {
        place.legacy_district = Some(district.code);
        place.legacy_province = Some(district.province_code);
    }
    place.label = label(&place);
    place
}

/// Builds the place of one hypothesis.
fn place_of(data: &'static Data, matches: &[Match], hyp: &Hyp) -> Place {
    let main = &matches[hyp.main];
    let mut place = Place::empty();
    place.level = main.unit.level();
    match main.unit {
        Unit::LegacyCommune(idx) => {
            let commune = &data.legacy_communes[idx as usize];
            place.era = Some(Era::Legacy);
            place.legacy_commune = Some(commune.code);
            place.legacy_district = Some(commune.district_code);
            place.legacy_province = Some(commune.province_code);
            place.new_province =
                super::legacy_province(commune.province_code).map(|x| x.new_province_code);
            let successors = super::successors(commune.code);
            if let Some(code) = named_successor(data, matches, main, successors) {
                place.new_commune = Some(code);
            } else if let Some(default) = successors.iter().find(|s| s.is_default) {
                place.new_commune = Some(default.new_code);
                place.new_commune_is_guess = successors.len() > 1;
            }
        }
        Unit::NewCommune(idx) => {
            let commune = &data.new_communes[idx as usize];
            let preds = super::predecessors(commune.code);
            let named = named_predecessor(data, matches, main, &preds);
            return new_commune_place(commune, named);
        }
        Unit::LegacyDistrict(idx) => {
            let district = &data.legacy_districts[idx as usize];
            place.era = Some(Era::Legacy);
            place.legacy_district = Some(district.code);
            place.legacy_province = Some(district.province_code);
            place.new_province =
                super::legacy_province(district.province_code).map(|x| x.new_province_code);
            if let [successor] = super::district_successors(district.code) {
                place.new_commune = Some(successor.new_code);
            }
        }
        Unit::LegacyProvince(idx) => {
            let province = &data.legacy_provinces[idx as usize];
            place.era = Some(Era::Legacy);
            place.legacy_province = Some(province.code);
            place.new_province = Some(province.new_province_code);
        }
        Unit::NewProvince(idx) => {
            let province = &data.new_provinces[idx as usize];
            place.era = Some(Era::New);
            place.new_province = Some(province.code);
            // the same words naming a legacy province of the same territory
            place.legacy_province = matches.iter().find_map(|other| {
                let Unit::LegacyProvince(legacy) = other.unit else {
                    return None;
                };
                let legacy = &data.legacy_provinces[legacy as usize];
                (other.name_start == main.name_start
                    && other.end == main.end
                    && legacy.new_province_code == province.code)
                    .then_some(legacy.code)
            });
        }
    }
    place.label = label(&place);
    place
}

/// Vietnamese label of a place.
fn label(p: &Place) -> String {
    let new_part = || {
        let province = p.new_province.and_then(super::new_province);
        match (p.new_commune.and_then(super::new_commune), province) {
            (Some(c), Some(pr)) => format!("{}, {}", c.name, pr.name),
            (None, Some(pr)) => pr.name.to_owned(),
            _ => String::new(),
        }
    };
    let legacy_part = || {
        let mut parts: Vec<&str> = Vec::new();
        if let Some(c) = p.legacy_commune.and_then(super::legacy_commune) {
            parts.push(c.name);
        }
        if let Some(x) = p.legacy_district.and_then(super::legacy_district) {
            parts.push(x.name);
        }
        if let Some(x) = p.legacy_province.and_then(super::legacy_province) {
            parts.push(x.name);
        }
        parts.join(", ")
    };
    match (p.era, p.level) {
        (_, Level::None) => {
            let legacy = legacy_part();
            if legacy.is_empty() {
                new_part()
            } else {
                legacy
            }
        }
        (Some(Era::New), Level::Commune) => format!("{} (mới)", new_part()),
        (Some(Era::New), _) => new_part(),
        _ => {
            let legacy = legacy_part();
            let new = new_part();
            if new.is_empty() || legacy == new {
                legacy
            } else if p.new_commune_is_guess {
                format!("{legacy} (nay: {new}, mặc định)")
            } else {
                format!("{legacy} (nay: {new})")
            }
        }
    }
}

/// What all candidate places share.
fn common_place(places: &[Place]) -> Place {
    let mut p = Place::empty();
    let Some(first) = places.first() else {
        return p;
    };
    let all = |f: fn(&Place) -> Option<&'static str>| {
        let v = f(first)?;
        places.iter().all(|x| f(x) == Some(v)).then_some(v)
    };
    p.legacy_province = all(|x| x.legacy_province);
    p.legacy_district = all(|x| x.legacy_district);
    p.new_province = all(|x| x.new_province);
    if p.legacy_province.is_none() {
        p.legacy_district = None;
    }
    p.level = if p.legacy_district.is_some() {
        Level::District
    } else if p.legacy_province.is_some() || p.new_province.is_some() {
        Level::Province
    } else {
        Level::None
    };
    let eras: Vec<Option<Era>> = places.iter().map(|x| x.era).collect();
    p.era = if eras.iter().all(|e| *e == first.era) {
        first.era
    } else {
        None
    };
    if p.era == Some(Era::New) && p.level == Level::Province {
        p.legacy_province = None;
    }
    p.label = label(&p);
    p
}

fn confidence(matches: &[Match], hyp: &Hyp, toks: &[Tok]) -> f32 {
    let m = &matches[hyp.main];
    let q = (m.q / UNTYPED_Q).min(1.0);
    let has_d = hyp.district.is_some();
    let has_p = hyp.province.is_some();
    let support = match (m.unit, has_d, has_p) {
        (Unit::LegacyCommune(_), true, _) if hyp.foreign_district => 0.8,
        (Unit::LegacyCommune(_), true, true)
        | (Unit::NewCommune(_) | Unit::LegacyDistrict(_), _, true)
        | (Unit::LegacyProvince(_) | Unit::NewProvince(_), _, _) => 1.0,
        (Unit::LegacyCommune(_), false, true) => 0.92,
        (Unit::LegacyCommune(_), true, false) => 0.9,
        _ if hyp.hint => 0.82,
        (Unit::NewCommune(_), _, false) => 0.7,
        (Unit::LegacyDistrict(_), _, false) => 0.75,
        _ => 0.65,
    };
    let part_q = [hyp.district, hyp.province]
        .into_iter()
        .flatten()
        .map(|i| (matches[i].q / UNTYPED_Q).min(1.0))
        .fold(1.0f32, f32::min);
    let used: Vec<&Match> = [Some(hyp.main), hyp.district, hyp.province]
        .into_iter()
        .flatten()
        .map(|i| &matches[i])
        .collect();
    let unexplained = toks
        .iter()
        .enumerate()
        .filter(|(i, t)| {
            !t.street
                && !t.number
                && t.marker.is_none()
                && !used.iter().any(|u| u.start <= *i && *i < u.end)
        })
        .count();
    let penalty = (1.0 - 0.08 * unexplained as f32).max(0.5);
    (q * support * (0.7 + 0.3 * part_q) * penalty).clamp(0.0, 1.0)
}

/// Turns a free-text hometown into administrative units, old and new.
///
/// Accepts any case, with or without diacritics, old or new names, kind words and
/// their abbreviations ("H.", "TX", "TP.", "Q.", "P.", "X.", "TT", "T.", "Tỉnh"),
/// commas, dashes or no separators, any order, missing levels, one-letter typos, and
/// hamlet or street parts before the commune ("Thôn 3, xã …", "số 12 đường …").
/// `province_hint` (a code or name, legacy or new) stands in for a missing province
/// and favours its communes. Never panics; work is bounded by the input length (only
/// the first 600 characters are read).
///
/// ```
/// use domain::geo::{resolve_hometown, Level, Outcome};
///
/// let r = resolve_hometown("xa thach long huyen thach ha tinh ha tinh", None);
/// assert_eq!(r.outcome, Outcome::Resolved);
/// assert_eq!(r.place.level, Level::Commune);
/// assert_eq!(r.place.legacy_commune, Some("18607")); // Xã Thạch Long (legacy code)
/// assert_eq!(r.place.new_commune, Some("18562")); // Xã Thạch Hà (new code)
///
/// // the same name in two provinces, no province given: candidates, no guess
/// let r = resolve_hometown("Thạch Long", None);
/// assert_eq!(r.outcome, Outcome::Ambiguous);
/// assert!(r.alternatives.len() >= 2);
/// assert!(resolve_hometown("Thạch Long", Some("Hà Tĩnh")).is_resolved());
/// ```
pub fn resolve_hometown(text: &str, province_hint: Option<&str>) -> HometownResolution {
    let d = data();
    let folded = fold(text);
    if folded.is_empty() || UNKNOWN.contains(&folded.as_str()) {
        return HometownResolution::unresolved(UnresolvedReason::Empty);
    }
    let toks = tokenize(text);
    if toks.is_empty() {
        return HometownResolution::unresolved(UnresolvedReason::Empty);
    }
    let hint = province_hint.and_then(parse_hint);
    let matches = find_matches(d, &toks);
    let mut hyps = build_hyps(d, &matches, &toks, hint);
    if hyps.is_empty() {
        let abroad = text
            .split(SEPARATORS)
            .map(fold)
            .chain(std::iter::once(folded))
            .find_map(|part| country_named(&part).filter(|c| c.code != "VN"));
        return HometownResolution::unresolved(match abroad {
            Some(c) => UnresolvedReason::Abroad {
                country_code: c.code,
            },
            None => UnresolvedReason::NotRecognised,
        });
    }
    hyps.sort_by(|a, b| {
        let (ua, ub) = (matches[a.main].unit, matches[b.main].unit);
        b.score
            .total_cmp(&a.score)
            .then(ub.level().cmp(&ua.level()))
            .then(ua.cmp(&ub))
    });
    let best = &hyps[0];
    let best_unit = matches[best.main].unit;
    let mut others: Vec<&Hyp> = Vec::new();
    for h in &hyps[1..] {
        if h.score < best.score - AMBIGUITY {
            break;
        }
        let u = matches[h.main].unit;
        if same_place(d, u, best_unit)
            || others
                .iter()
                .any(|o| same_place(d, u, matches[o.main].unit))
        {
            continue;
        }
        others.push(h);
    }
    let place = place_of(d, &matches, best);
    let conf = confidence(&matches, best, &toks);
    if others.is_empty() {
        return HometownResolution {
            outcome: Outcome::Resolved,
            place,
            confidence: conf,
            alternatives: Vec::new(),
        };
    }
    let mut alternatives = vec![place];
    alternatives.extend(
        others
            .iter()
            .take(MAX_ALTERNATIVES - 1)
            .map(|h| place_of(d, &matches, h)),
    );
    let n = others.len() + 1;
    // candidates that all became the same new commune: that one, whichever they were
    if n <= MAX_ALTERNATIVES
        && let Some(code) = alternatives[0].new_commune
        && alternatives
            .iter()
            .all(|a| a.new_commune == Some(code) && !a.new_commune_is_guess)
        && let Some(commune) = super::new_commune(code)
    {
        return HometownResolution {
            outcome: Outcome::Resolved,
            place: new_commune_place(commune, None),
            confidence: conf * 0.9,
            alternatives: Vec::new(),
        };
    }
    HometownResolution {
        outcome: Outcome::Ambiguous,
        place: common_place(&alternatives),
        confidence: (conf / n as f32).min(0.5),
        alternatives,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_splits_kinds_and_numbers() {
        let toks = tokenize("P.03, Q10, TP.HCM");
        let words: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(words, ["p", "3", "q", "10", "tp", "hcm"]);
        assert_eq!(toks[0].marker, Some((Marker::Ward, 1)));
        assert_eq!(toks[2].marker, Some((Marker::Urban, 1)));
    }

    #[test]
    fn tokenizer_marks_street_parts_and_drops_noise() {
        let toks = tokenize("Quê quán: Thôn 3, xã Thạch Long, Việt Nam");
        let words: Vec<(&str, bool)> = toks.iter().map(|t| (t.text.as_str(), t.street)).collect();
        assert_eq!(
            words,
            [
                ("thon", true),
                ("3", true),
                ("xa", false),
                ("thach", false),
                ("long", false)
            ]
        );
        let toks = tokenize("xom 5 nghi phong nghi loc nghe an");
        let street: Vec<bool> = toks.iter().map(|t| t.street).collect();
        // the number ends the hamlet's name
        assert_eq!(
            street,
            [true, true, false, false, false, false, false, false]
        );
        let toks = tokenize("thon dong xa thach long");
        let street: Vec<bool> = toks.iter().map(|t| t.street).collect();
        assert_eq!(street, [true, true, false, false, false]);
    }

    #[test]
    fn hints_accept_codes_and_names() {
        assert_eq!(province_hint("42"), Some("42"));
        assert_eq!(province_hint("Hà Tĩnh"), Some("42"));
        assert_eq!(province_hint("tinh ha tinh"), Some("42"));
        assert_eq!(province_hint("Quảng Bình"), Some("44"));
        assert_eq!(province_hint("TP.HCM"), Some("79"));
        assert_eq!(province_hint("Bà Rịa - Vũng Tàu"), Some("79"));
        assert_eq!(province_hint("nowhere"), None);
    }
}
