//! Tokens of names and normal forms of identifiers.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// One syllable of a name as written, with its place in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// First character (in Unicode scalar values, not bytes).
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// Folded: no diacritics, `đ` → `d`, lower case.
    pub folded: String,
    /// Lower case with its diacritics (NFC).
    pub lower: String,
}

/// Splits a text into syllables: runs of letters, digits and combining marks.
/// Runs that fold to nothing are dropped.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut run = String::new();
    let mut start = 0;
    let mut n = 0;
    let flush = |run: &mut String, start: usize, end: usize, out: &mut Vec<Token>| {
        if run.is_empty() {
            return;
        }
        let folded = domain::text::fold(run);
        if !folded.is_empty() {
            let lower: String = run.nfc().flat_map(char::to_lowercase).collect();
            out.push(Token {
                start,
                end,
                folded,
                lower,
            });
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() || (is_combining_mark(c) && !run.is_empty()) {
            if run.is_empty() {
                start = n;
            }
            run.push(c);
        } else {
            flush(&mut run, start, n, &mut out);
        }
        n += 1;
    }
    flush(&mut run, start, n, &mut out);
    out
}

/// The digits of a phone number in international form without `+`:
/// `+1 (408) 555-0101` → `14085550101`, `0084 912…` → `84912…`, a Vietnamese
/// national `0912…` (ten digits) → `84912…`. `None` when it is not a phone.
pub fn phone_digits(text: &str) -> Option<String> {
    let t = text.trim();
    let mut digits = String::new();
    for c in t.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '+' | ' ' | '-' | '(' | ')' | '.' | '/' => {}
            _ => return None,
        }
    }
    let plus = t.starts_with('+');
    let d = if plus {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_owned()
    } else if digits.len() == 10 && digits.starts_with('0') {
        format!("84{}", &digits[1..])
    } else {
        digits
    };
    (d.len() >= 7).then_some(d)
}

/// The key a phone is indexed under: its last nine digits (the national
/// number in most countries), so that any prefix form finds it.
pub fn phone_key(digits: &str) -> &str {
    let cut = digits.len().saturating_sub(9);
    &digits[cut..]
}

/// A passport number without spaces or dashes, upper case. `None` when it
/// holds no digit or is too short to be one.
pub fn passport_norm(text: &str) -> Option<String> {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if c != ' ' && c != '-' {
            return None;
        }
    }
    (out.len() >= 5 && out.chars().any(|c| c.is_ascii_digit())).then_some(out)
}

/// An e-mail address in the form it is indexed under (trimmed, lower case).
pub fn email_norm(text: &str) -> Option<String> {
    let t = text.trim();
    (t.contains('@') && !t.contains(char::is_whitespace)).then(|| t.to_lowercase())
}

/// True when `a` and `b` differ by at most one insertion, deletion,
/// substitution or transposition of adjacent characters.
pub fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (la, lb) = (a.len(), b.len());
    if la.abs_diff(lb) > 1 {
        return false;
    }
    let mut i = 0;
    while i < la && i < lb && a[i] == b[i] {
        i += 1;
    }
    if i == la && i == lb {
        return true;
    }
    match la.cmp(&lb) {
        std::cmp::Ordering::Equal => {
            // substitution or transposition
            a[i + 1..] == b[i + 1..]
                || (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && a[i + 2..] == b[i + 2..])
        }
        std::cmp::Ordering::Greater => a[i + 1..] == b[i..],
        std::cmp::Ordering::Less => a[i..] == b[i + 1..],
    }
}

/// Every string made by deleting one character.
pub fn deletions(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    (0..chars.len())
        .map(|skip| {
            chars
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, c)| *c)
                .collect()
        })
        .collect()
}
