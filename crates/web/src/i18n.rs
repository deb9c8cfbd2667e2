//! Vietnamese first, with an English switch. Keys are stable; the API
//! returns keys and the UI translates them (lemmy's habit).
//!
//! The texts live in Fluent files, `locales/{vi,en}/<area>.ftl`, which
//! translators edit; they are compiled into the binary (`fluent-templates`).
//! A message key such as `people.title` is the Fluent id `people-title`
//! (Fluent ids cannot hold a dot; see [`fluent_id`]). The messages take no
//! arguments, so each is rendered once, at first use, into one table.

use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_templates::{LanguageIdentifier, StaticLoader};

/// Interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn from_code(code: &str) -> Self {
        if code.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Vi
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
    #[must_use]
    pub fn other(self) -> Lang {
        match self {
            Lang::Vi => Lang::En,
            Lang::En => Lang::Vi,
        }
    }
}

/// Translator handed to templates: `{{ t.s("nav.home") }}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    /// Text for a key; the key itself when missing (visible, never empty).
    pub fn s<'a>(&self, key: &'a str) -> &'a str {
        match lookup(key) {
            Some((vi, en)) => match self.lang {
                Lang::Vi => vi,
                Lang::En => en,
            },
            None => key,
        }
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }
}

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "vi",
        // No Unicode isolation marks: the texts go as they are into HTML,
        // spreadsheets and documents.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The areas, each with one Fluent file per language.
pub const AREAS: [&str; 9] = [
    "common",
    "accounts",
    "registry",
    "intake",
    "stats",
    "community",
    "publishing",
    "portal",
    "exchange",
];

/// The Fluent files' text, per area (Vietnamese, English): the same files
/// `LOCALES` is built from, read here to list their message ids.
pub static SOURCES: [(&str, &str, &str); 9] = [
    (
        "common",
        include_str!("../locales/vi/common.ftl"),
        include_str!("../locales/en/common.ftl"),
    ),
    (
        "accounts",
        include_str!("../locales/vi/accounts.ftl"),
        include_str!("../locales/en/accounts.ftl"),
    ),
    (
        "registry",
        include_str!("../locales/vi/registry.ftl"),
        include_str!("../locales/en/registry.ftl"),
    ),
    (
        "intake",
        include_str!("../locales/vi/intake.ftl"),
        include_str!("../locales/en/intake.ftl"),
    ),
    (
        "stats",
        include_str!("../locales/vi/stats.ftl"),
        include_str!("../locales/en/stats.ftl"),
    ),
    (
        "community",
        include_str!("../locales/vi/community.ftl"),
        include_str!("../locales/en/community.ftl"),
    ),
    (
        "publishing",
        include_str!("../locales/vi/publishing.ftl"),
        include_str!("../locales/en/publishing.ftl"),
    ),
    (
        "portal",
        include_str!("../locales/vi/portal.ftl"),
        include_str!("../locales/en/portal.ftl"),
    ),
    (
        "exchange",
        include_str!("../locales/vi/exchange.ftl"),
        include_str!("../locales/en/exchange.ftl"),
    ),
];

/// The Fluent id of a message key: Fluent ids cannot contain `.`, so each
/// becomes `-` (keys never contain `-`, so the mapping goes both ways).
pub fn fluent_id(key: &str) -> String {
    key.replace('.', "-")
}

/// The message ids a Fluent file defines (`id = ...` at the start of a line;
/// comments, attributes and continuation lines start otherwise).
pub fn ids(source: &str) -> impl Iterator<Item = &str> {
    source.lines().filter_map(|line| {
        let (id, _) = line.split_once('=')?;
        let id = id.trim_end();
        (line.starts_with(|c: char| c.is_ascii_alphabetic())
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .then_some(id)
    })
}

/// Every message, rendered once: key → (Vietnamese, English).
static TEXTS: LazyLock<HashMap<String, (String, String)>> = LazyLock::new(|| {
    let vi: LanguageIdentifier = "vi".parse().unwrap_or_default();
    let en: LanguageIdentifier = "en".parse().unwrap_or_default();
    let render = |loader: &StaticLoader, lang: &LanguageIdentifier, id: &str| {
        loader.lookup_single_language::<&str>(lang, id, None).ok()
    };
    let mut texts = HashMap::new();
    for (_, vi_source, en_source) in &SOURCES {
        for id in ids(vi_source).chain(ids(en_source)) {
            let key = id.replace('-', ".");
            // A message missing in one language shows the key there
            // (the tests refuse that).
            let v = render(&LOCALES, &vi, id).unwrap_or_else(|| key.clone());
            let e = render(&LOCALES, &en, id).unwrap_or_else(|| key.clone());
            texts.insert(key, (v, e));
        }
    }
    texts
});

pub(crate) fn lookup(key: &str) -> Option<(&'static str, &'static str)> {
    TEXTS.get(key).map(|(vi, en)| (vi.as_str(), en.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `t.s("key")` of every template, and every `.s("key")` of the
    /// Rust code, names a message some Fluent file defines (a missing key
    /// would show the key itself to the user).
    #[test]
    fn every_key_the_templates_and_code_use_exists() {
        fn walk(dir: &std::path::Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, ext, out);
                } else if p.extension().is_some_and(|x| x == ext) {
                    out.push(p);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut templates = Vec::new();
        walk(&root.join("templates"), "html", &mut templates);
        assert!(templates.len() > 10, "templates found");
        let mut code = Vec::new();
        walk(&root.join("src"), "rs", &mut code);
        // This file's own tests name a key that does not exist on purpose.
        code.retain(|p| !p.ends_with("i18n.rs"));
        assert!(code.len() > 10, "sources found");
        let mut missing = Vec::new();
        let mut used = 0;
        for (files, call) in [(&templates, "t.s(\""), (&code, ".s(\"")] {
            for f in files {
                let text = std::fs::read_to_string(f).unwrap();
                for part in text.split(call).skip(1) {
                    let key = part.split('"').next().unwrap_or_default();
                    used += 1;
                    if lookup(key).is_none() {
                        missing.push(format!("{}: {key}", f.display()));
                    }
                }
            }
        }
        assert!(used > 100, "keys found: {used}");
        assert!(missing.is_empty(), "keys without a message: {missing:?}");
    }

    #[test]
    fn every_key_is_unique_and_translated() {
        let mut keys: Vec<&str> = SOURCES.iter().flat_map(|(_, vi, _)| ids(vi)).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(n, keys.len(), "duplicate message keys");
        assert!(n > 400, "messages found: {n}");
        for k in keys {
            let (vi, en) = lookup(&k.replace('-', ".")).unwrap();
            assert!(!vi.is_empty() && !en.is_empty(), "{k} lacks a translation");
        }
    }

    /// Each area's two files define the same ids: a message added in one
    /// language and not the other fails here, naming the file and the id.
    #[test]
    fn every_key_exists_in_both_languages() {
        let mut missing = Vec::new();
        for (area, vi, en) in &SOURCES {
            let vi: std::collections::BTreeSet<&str> = ids(vi).collect();
            let en: std::collections::BTreeSet<&str> = ids(en).collect();
            missing.extend(
                vi.difference(&en)
                    .map(|id| format!("en/{area}.ftl lacks {id}")),
            );
            missing.extend(
                en.difference(&vi)
                    .map(|id| format!("vi/{area}.ftl lacks {id}")),
            );
        }
        assert!(missing.is_empty(), "{missing:?}");
    }

    /// Every file of `locales/` is one of the areas' (a file the binary
    /// would not list could hold ids no test checks), and each parses.
    #[test]
    fn every_fluent_file_is_listed_and_parses() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
        let mut found = Vec::new();
        for lang in ["vi", "en"] {
            for e in std::fs::read_dir(dir.join(lang)).unwrap() {
                let name = e.unwrap().file_name().into_string().unwrap();
                found.push(format!("{lang}/{name}"));
            }
        }
        found.sort();
        let mut listed: Vec<String> = ["vi", "en"]
            .iter()
            .flat_map(|l| AREAS.iter().map(move |a| format!("{l}/{a}.ftl")))
            .collect();
        listed.sort();
        assert_eq!(found, listed);
        for (area, vi, en) in &SOURCES {
            for (lang, text) in [("vi", vi), ("en", en)] {
                assert!(
                    fluent_templates::fs::resource_from_str(text).is_ok(),
                    "{lang}/{area}.ftl does not parse"
                );
            }
        }
    }

    #[test]
    fn keys_map_to_fluent_ids_and_back() {
        assert_eq!(fluent_id("search.kind.exact"), "search-kind-exact");
        assert_eq!(Tr::new(Lang::En).s("search.kind.exact"), "Exact");
    }

    #[test]
    fn vietnamese_is_the_default() {
        assert_eq!(Tr::default().s("login.title"), "Đăng nhập");
        assert_eq!(Tr::new(Lang::En).s("login.title"), "Sign in");
        assert_eq!(Tr::default().s("no.such.key"), "no.such.key");
    }
}
