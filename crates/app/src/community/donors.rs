//! Who a list means by a name: a contribution's donor or a project's
//! investor, as an officer writes it (issue 22 rules: imports of
//! contributions and projects). A person is a registry person the actor may
//! see, found by the name folded without marks and narrowed by the clues the
//! list gives (birth year, country, hometown) when several bear it; an
//! association or an enterprise by its name folded, an enterprise also by
//! its registration number. Nothing is guessed: no match or more than one
//! is answered as such, with the candidates, so the import can refuse the row.

use domain::text::fold;

use crate::access;
use crate::{Actor, AppResult};

use super::investment::enterprise_scope;

/// What a list says besides the name, to tell namesakes apart.
#[derive(Debug, Clone, Default)]
pub(crate) struct Clues {
    /// Year of birth.
    pub birth_year: Option<i64>,
    /// Country of residence, ISO alpha-2.
    pub country: Option<String>,
    /// Hometown as written (a commune, old or new, or any text).
    pub hometown: Option<String>,
}

/// A record a name was matched to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Match {
    Person(i64),
    Association(i64),
    Enterprise(i64),
}

/// The answer for a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    One(Match),
    /// Nothing of that name within reach.
    None,
    /// Several: how each reads ("Nguyễn Văn An (1965 · Hoa Kỳ)"), and
    /// the registry people among them (their view is audited).
    Many {
        words: Vec<String>,
        people: Vec<i64>,
    },
}

struct Candidate {
    found: Match,
    words: String,
}

fn country_name(code: &str) -> String {
    domain::geo::countries::country(code).map_or_else(|| code.to_owned(), |c| c.name_vi.to_owned())
}

/// The communes `text` may name, old or new (codes), for a hometown clue.
fn hometown_codes(text: &str, home: &str) -> Vec<String> {
    use domain::geo::Era;
    use domain::geo::pick::commune_named;
    [Era::New, Era::Legacy]
        .into_iter()
        .filter_map(|era| commune_named(text, era, Some(home)).ok())
        .map(|c| c.code().to_owned())
        .collect()
}

/// A person's name folded, without the "Ông", "Bà" lists put before it.
fn without_title(name: &str) -> String {
    let f = fold(name);
    for title in ["ong ", "ba ", "ngai "] {
        if let Some(rest) = f.strip_prefix(title)
            && rest.split(' ').count() >= 2
        {
            return rest.to_owned();
        }
    }
    f
}

/// id, name, birth year, country, new and old hometown codes, hometown as written.
type PersonRow = (i64, String, Option<i64>, String, String, String, String);

async fn people(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    name: &str,
    clues: &Clues,
    home: &str,
) -> AppResult<Vec<Candidate>> {
    let scope = access::person_scope(actor, 2);
    let sql = format!(
        "SELECT p.id, p.full_name, p.birth_year, p.country, \
         COALESCE(p.hometown_new_code, ''), COALESCE(p.hometown_legacy_code, ''), p.hometown_text \
         FROM persons p WHERE p.full_name_folded = $1 AND p.deleted_at IS NULL AND {} \
         ORDER BY p.id",
        scope.sql
    );
    let mut q = sqlx::query_as::<_, PersonRow>(&sql).bind(without_title(name));
    for a in &scope.args {
        q = q.bind(a);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let towns = clues
        .hometown
        .as_deref()
        .map(|h| (hometown_codes(h, home), fold(h)));
    Ok(rows
        .into_iter()
        .filter(|r| clues.birth_year.is_none_or(|y| r.2 == Some(y)))
        .filter(|r| clues.country.as_ref().is_none_or(|c| &r.3 == c))
        .filter(|r| {
            towns.as_ref().is_none_or(|(codes, text)| {
                codes.iter().any(|c| c == &r.4 || c == &r.5)
                    || (!text.is_empty() && fold(&r.6).contains(text.as_str()))
            })
        })
        .map(|r| {
            let mut what: Vec<String> = Vec::new();
            if let Some(y) = r.2 {
                what.push(y.to_string());
            }
            if !r.3.is_empty() {
                what.push(country_name(&r.3));
            }
            if !r.6.is_empty() {
                what.push(r.6.clone());
            }
            Candidate {
                found: Match::Person(r.0),
                words: if what.is_empty() {
                    r.1
                } else {
                    format!("{} ({})", r.1, what.join(" · "))
                },
            }
        })
        .collect())
}

async fn associations(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    name: &str,
) -> AppResult<Vec<Candidate>> {
    let scope = access::association_scope(actor, 1);
    let sql = format!(
        "SELECT a.id, a.name, a.country FROM associations a \
         WHERE a.merged_into IS NULL AND {} ORDER BY a.id",
        scope.sql
    );
    let mut q = sqlx::query_as::<_, (i64, String, String)>(&sql);
    for a in &scope.args {
        q = q.bind(a);
    }
    let want = fold(name);
    Ok(q.fetch_all(&mut *conn)
        .await?
        .into_iter()
        .filter(|r| fold(&r.1) == want)
        .map(|r| Candidate {
            found: Match::Association(r.0),
            words: format!("{} ({})", r.1, country_name(&r.2)),
        })
        .collect())
}

async fn enterprises(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    name: &str,
) -> AppResult<Vec<Candidate>> {
    let scope = enterprise_scope(actor, 1);
    let sql = format!(
        "SELECT e.id, e.name, e.registration_no FROM enterprises e WHERE {} ORDER BY e.id",
        scope.sql
    );
    let mut q = sqlx::query_as::<_, (i64, String, String)>(&sql);
    for a in &scope.args {
        q = q.bind(a);
    }
    let want = fold(name);
    let number = name.trim();
    Ok(q.fetch_all(&mut *conn)
        .await?
        .into_iter()
        .filter(|r| fold(&r.1) == want || (!r.2.is_empty() && r.2 == number))
        .map(|r| Candidate {
            found: Match::Enterprise(r.0),
            words: if r.2.is_empty() {
                r.1
            } else {
                format!("{} ({})", r.1, r.2)
            },
        })
        .collect())
}

/// The one record among `kinds` (`person`, `association`, `enterprise`)
/// that `name` means, within the actor's reach.
pub(crate) async fn find(
    conn: &mut sqlx::AnyConnection,
    actor: &Actor,
    kinds: &[&str],
    name: &str,
    clues: &Clues,
    home: &str,
) -> AppResult<Found> {
    let mut all: Vec<Candidate> = Vec::new();
    for k in kinds {
        let mut found = match *k {
            "person" => people(conn, actor, name, clues, home).await?,
            "association" => associations(conn, actor, name).await?,
            "enterprise" => enterprises(conn, actor, name).await?,
            _ => Vec::new(),
        };
        all.append(&mut found);
    }
    Ok(match all.as_slice() {
        [] => Found::None,
        [one] => Found::One(one.found),
        many => Found::Many {
            words: many.iter().map(|c| c.words.clone()).collect(),
            people: many
                .iter()
                .filter_map(|c| match c.found {
                    Match::Person(id) => Some(id),
                    _ => None,
                })
                .collect(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::without_title;

    #[test]
    fn a_title_before_a_name_is_not_part_of_it() {
        assert_eq!(without_title("Ông Trần Minh Đức"), "tran minh duc");
        assert_eq!(without_title("Bà Lê Thị Hoa"), "le thi hoa");
        // "Ba" alone before one word is a name, not a title.
        assert_eq!(without_title("Ba Vì"), "ba vi");
    }
}
