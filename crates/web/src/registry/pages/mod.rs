//! The registry's HTML pages.

pub mod people;
pub mod search;

use crate::i18n::Lang;

/// `(code, label, selected)` options of a coded select, with an empty first option.
fn options<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    selected: &str,
    empty: &str,
) -> Vec<(String, String, bool)> {
    let mut v = vec![(String::new(), empty.to_owned(), selected.is_empty())];
    v.extend(all.iter().map(|x| {
        (
            code(*x).to_owned(),
            label(*x).to_owned(),
            code(*x) == selected,
        )
    }));
    v
}

/// A country's name in the page's language; the code when unknown.
fn country_label(code: &str, lang: Lang) -> String {
    domain::geo::country(code).map_or_else(
        || code.to_owned(),
        |c| {
            if lang == Lang::En {
                c.name_en.to_owned()
            } else {
                c.name_vi.to_owned()
            }
        },
    )
}
