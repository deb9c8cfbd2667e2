//! Words, not codes: the one place the pages turn what is stored (coded
//! values, field names, history summaries, audit rows, account scopes,
//! timestamps) into what a person reads, in the page's language.
//!
//! Coded values take their labels from `domain` (`domain::label_of`,
//! countries and communes from `domain::geo`); everything else from the
//! Fluent files. Dates read `dd/mm/yyyy` (partial: `mm/yyyy`, `yyyy`) and
//! times "16:38 06/12/2026" in the configured time zone (`app::clock`).
//! The JSON API keeps its codes and ISO timestamps: this is for people.

use crate::i18n::{Lang, Tr};

impl Tr {
    /// A stored timestamp as "16:38 06/12/2026" (a date alone as
    /// `dd/mm/yyyy`); empty stays empty.
    pub fn time(&self, stored: &str) -> String {
        app::clock::show(stored)
    }

    /// The day of a stored timestamp or date, `dd/mm/yyyy` (`mm/yyyy`,
    /// `yyyy` for partial dates).
    pub fn day(&self, stored: &str) -> String {
        app::clock::show_day(stored)
    }

    /// The text of a key, or `None` when no Fluent file defines it.
    pub fn get(&self, key: &str) -> Option<&'static str> {
        crate::i18n::lookup(key).map(|(vi, en)| match self.lang {
            Lang::Vi => vi,
            Lang::En => en,
        })
    }

    /// The label of a coded value of `kind` ("relationship", "agency",
    /// `country`, `new_commune`...); the code itself when it has none (the
    /// browser test of every page catches that).
    pub fn label(&self, kind: &str, code: &str) -> String {
        let lc = self.lang.code();
        if code.is_empty() {
            return String::new();
        }
        if let Some(l) = domain::label_of(kind, code, lc) {
            return l.to_owned();
        }
        let named = match kind {
            "country" => domain::geo::country(code).map(|c| {
                if self.lang == Lang::En {
                    c.name_en
                } else {
                    c.name_vi
                }
            }),
            "new_commune" => domain::geo::new_commune(code).map(|c| c.name),
            "legacy_commune" => domain::geo::legacy_commune(code).map(|c| c.name),
            "legacy_district" => domain::geo::legacy_district(code).map(|c| c.name),
            _ => None,
        };
        if let Some(n) = named {
            return n.to_owned();
        }
        self.get(&format!("code.{kind}.{code}"))
            .map_or_else(|| code.to_owned(), str::to_owned)
    }

    /// Several coded values, comma-separated, each by its label.
    pub fn labels(&self, kind: &str, codes: &str) -> String {
        codes
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| self.label(kind, c))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// A record's field value as a person reads it: coded values by their
    /// labels (lists too), dates day first, communes and countries by name.
    pub fn value(&self, field: &str, value: &str) -> String {
        if value.starts_with(app::access::MASK) {
            return value.to_owned();
        }
        if app::portal::changes::is_relative_field(field) {
            // A relative in a correction (issue 23 §3): "Lê Văn Hùng, Cha, 1950".
            return app::portal::changes::RelativeValue::from_json(value).map_or_else(
                String::new,
                |r| {
                    let relationship = self.label("relationship", &r.relationship);
                    match r.birth_year {
                        Some(y) => format!("{}, {relationship}, {y}", r.full_name),
                        None => format!("{}, {relationship}", r.full_name),
                    }
                },
            );
        }
        let kind = match field {
            "gender" | "category" | "generation" | "status" | "consent" | "verification"
            | "relationship" | "agency" => field,
            "tags" => "tag",
            "country" | "nationalities" | "spouse_nationality" => "country",
            "hometown_code" | "commune_code" => "new_commune",
            "hometown_legacy_code" | "legacy_commune_code" => "legacy_commune",
            "hometown_legacy_district" => "legacy_district",
            "birth_date" | "marriage_date" => return domain::dates::show(value),
            _ => return value.to_owned(),
        };
        self.labels(kind, value)
    }

    /// How a candidate pair was found: the scan of the whole registry, or
    /// an import (`import:ID`).
    pub fn found_by(&self, found_by: &str) -> String {
        match found_by.strip_prefix("import:") {
            Some(id) => format!("{} #{id}", self.s("review.found_by_import")),
            None if found_by == "scan" => self.s("review.found_by_scan").to_owned(),
            None if found_by == "reviewer" => self.s("review.found_by_reviewer").to_owned(),
            None => found_by.to_owned(),
        }
    }

    /// A field's name (`birth_date` → "Ngày sinh"); a department's own
    /// field (`extra.key`) by its label too.
    pub fn field(&self, name: &str) -> String {
        let name = name.trim();
        if let Some(rest) = name.strip_prefix("relative_") {
            return self.relative_field(rest);
        }
        let key = name.strip_prefix("extra.").unwrap_or(name);
        // A read-only name where the form's label carries a hint ("Quốc
        // tịch (mã 2 chữ, cách nhau dấu phẩy)" reads "Quốc tịch").
        self.get(&format!("label.{key}"))
            .or_else(|| self.get(&format!("field.{key}")))
            .map_or_else(|| key.replace('_', " "), str::to_owned)
    }

    /// A relative's entry of a correction (issue 23 §3): `new` → "Thân
    /// nhân (thêm)", `12_remove` → "Thân nhân (bỏ)", `12` → "Thân nhân
    /// (sửa)", and a typed part (`new_full_name`) → "Thân nhân (thêm) — Họ
    /// và tên".
    fn relative_field(self, rest: &str) -> String {
        let (entry, part) = ["full_name", "relationship", "birth_year"]
            .iter()
            .find_map(|p| {
                rest.strip_suffix(p)
                    .and_then(|e| e.strip_suffix('_'))
                    .map(|e| (e, Some(*p)))
            })
            .unwrap_or((rest, None));
        let what = if entry == "new" {
            "portal.relatives.added"
        } else if entry.ends_with("_remove") {
            "portal.relatives.removed"
        } else {
            "portal.relatives.changed"
        };
        let what = self.s(what).to_owned();
        match part {
            Some(p) => format!("{what} — {}", self.field(p)),
            None => what,
        }
    }

    /// An account's scope: "Xã/phường mới: Phường Thành Sen",
    /// "Cơ quan: Công an tỉnh", "Quốc gia: Nhật Bản".
    pub fn scope(&self, kind: &str, code: &str) -> String {
        let what = self.get(&format!("scope.{kind}")).unwrap_or(kind);
        let value = match kind {
            "association" => format!("#{code}"),
            _ => self.label(kind, code),
        };
        format!("{what}: {value}")
    }

    /// A version's summary in the record's history, as stored by the
    /// registry (`created`, `birth_date, occupation`, `merged into #1`,
    /// "import #3 undone"...), in words. A person's own text (a reason
    /// typed when deleting) is returned as it is.
    pub fn history(&self, summary: &str) -> String {
        let s = summary.trim();
        let num = |rest: &str| rest.trim().trim_start_matches('#').parse::<i64>().ok();
        let with = |key: &str, n: i64| format!("{} #{n}", self.s(key));
        match s {
            "created" => return self.s("history.created").to_owned(),
            "deleted" => return self.s("history.deleted").to_owned(),
            "restored" => return self.s("history.undeleted").to_owned(),
            "anonymised" => return self.s("history.anonymised").to_owned(),
            _ => {}
        }
        if let Some(n) = s.strip_prefix("merged into ").and_then(num) {
            return with("history.merged_into", n);
        }
        if let Some(n) = s.strip_prefix("unmerged from ").and_then(num) {
            return with("history.unmerged_from", n);
        }
        if let Some(n) = s.strip_prefix("unmerged ").and_then(num) {
            return with("history.unmerged", n);
        }
        if let Some(n) = s.strip_prefix("merged ").and_then(num) {
            return with("history.merged", n);
        }
        if let Some(n) = s.strip_prefix("restored version ").and_then(num) {
            return format!("{} {n}", self.s("history.restored_version"));
        }
        if let Some(rest) = s.strip_prefix("import ") {
            if let Some(n) = rest.strip_suffix(" undone").and_then(num) {
                return with("history.import_undone", n);
            }
            if let Some(n) = num(rest) {
                return with("history.imported", n);
            }
        }
        if let Some(rest) = s.strip_prefix("verification visit ")
            && let Some((day, result)) = rest.split_once(": ")
        {
            return format!(
                "{} {}: {}",
                self.s("history.visit"),
                self.day(day),
                self.label("verification", result)
            );
        }
        // Field names the edit changed, as the registry lists them.
        let names: Vec<&str> = s.split(", ").collect();
        // Only names the registry has: a reason typed as one lowercase word
        // ("duplicate") is a person's text, shown as typed.
        if !s.is_empty()
            && names
                .iter()
                .all(|n| n.starts_with("extra.") || self.get(&format!("field.{n}")).is_some())
        {
            let fields: Vec<String> = names.iter().map(|n| self.field(n)).collect();
            return format!("{}: {}", self.s("history.changed"), fields.join(", "));
        }
        summary.to_owned()
    }
}

/// An audit row in words: "Nguyễn Văn A đã sửa hồ sơ #560: Nghề nghiệp",
/// with its details (label, value) for on demand.
pub struct AuditLine {
    pub sentence: String,
    pub details: Vec<(String, String)>,
}

impl Tr {
    /// The audit log's actions as the filter offers them: `(code, "Đã
    /// đăng nhập")`, from the sentences the log is read in (every action
    /// with words has its `audit-did-` message), sorted by their words.
    pub fn audit_actions(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = crate::i18n::SOURCES
            .iter()
            .flat_map(|(_, vi, _)| crate::i18n::ids(vi))
            .filter_map(|id| id.strip_prefix("audit-did-"))
            .map(|key| {
                // Codes use `_` within words and `.` between them; ids `-`.
                let code = key.replace('-', ".");
                let key = format!("audit.did.{code}");
                let mut c = self.s(&key).chars();
                let label = c
                    .next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default();
                (code, label)
            })
            .collect();
        out.sort_by(|a, b| a.1.cmp(&b.1));
        out.dedup_by(|a, b| a.0 == b.0);
        out
    }

    /// The kinds of record the audit log's filter offers, by name.
    pub fn audit_entities(&self) -> Vec<(String, String)> {
        const KINDS: [&str; 17] = [
            "person",
            "household",
            "import",
            "match_pair",
            "merge",
            "association",
            "content",
            "newsletter",
            "event",
            "commendation",
            "expert_visits",
            "user",
            "api_token",
            "portal_account",
            "portal_claim",
            "portal_change",
            "backup",
        ];
        KINDS
            .iter()
            .map(|k| {
                (
                    (*k).to_owned(),
                    self.s(&format!("audit.entity_kind.{k}")).to_owned(),
                )
            })
            .collect()
    }

    /// An audit row as a sentence, with its details as (label, value).
    pub fn audit(&self, e: &app::audit::Entry) -> AuditLine {
        let who = if e.actor_name.is_empty() {
            self.s("audit.someone").to_owned()
        } else {
            e.actor_name.clone()
        };
        let did = self
            .get(&format!("audit.did.{}", e.action))
            .map_or_else(|| e.action.replace(['.', '_'], " "), str::to_owned);
        let mut sentence = format!("{who} {did}");
        // The record the action was on, by number; an account's own
        // sign-in does not name itself.
        let numbered = matches!(
            e.entity.as_str(),
            "person"
                | "household"
                | "import"
                | "merge"
                | "match_pair"
                | "user"
                | "association"
                | "content"
        ) && !(e.entity == "user"
            && e.actor_id.map(|a| a.to_string()) == Some(e.entity_id.clone()));
        if numbered && !e.entity_id.is_empty() && e.entity_id.bytes().all(|b| b.is_ascii_digit()) {
            sentence.push_str(" #");
            sentence.push_str(&e.entity_id);
        }
        let details: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&e.details).unwrap_or_default();
        if let Some(changed) = details.get("changed").and_then(|v| v.as_str()) {
            let fields: Vec<String> = changed.split(", ").map(|n| self.field(n)).collect();
            sentence.push_str(": ");
            sentence.push_str(&fields.join(", "));
        } else if let Some(reason) = details.get("reason").and_then(|v| v.as_str()) {
            sentence.push_str(": ");
            sentence.push_str(&self.history(reason));
        }
        let mut lines = Vec::new();
        for (k, v) in &details {
            let label = self
                .get(&format!("audit.detail.{k}"))
                .map_or_else(|| k.replace('_', " "), str::to_owned);
            let value = match v {
                serde_json::Value::String(s) if k == "changed" => s
                    .split(", ")
                    .map(|n| self.field(n))
                    .collect::<Vec<_>>()
                    .join(", "),
                serde_json::Value::String(s) if k == "result" => self.label("verification", s),
                serde_json::Value::String(s) if k == "role" => self.label("role", s),
                serde_json::Value::String(s) if k == "kind" => self.label("content_kind", s),
                // A project's status change (issue 22 §2): its stages.
                serde_json::Value::String(s)
                    if e.entity == "project" && matches!(k.as_str(), "from" | "to") =>
                {
                    self.label("project_status", s)
                }
                serde_json::Value::String(s) if e.entity == "project" && k == "on" => {
                    domain::dates::show(s)
                }
                serde_json::Value::String(s) if matches!(k.as_str(), "from" | "to" | "state") => {
                    self.label("content_state", s)
                }
                serde_json::Value::String(s) if k == "step" => self
                    .get(&format!("content.step.{s}"))
                    .map_or_else(|| s.clone(), str::to_owned),
                serde_json::Value::String(s) if k == "purpose" => self.label("purpose", s),
                serde_json::Value::String(s) if k == "request_kind" => {
                    self.label("request_kind", s)
                }
                serde_json::Value::String(s) if k == "petition_category" => {
                    self.label("petition_category", s)
                }
                serde_json::Value::String(s) if k == "decision" => self.label("claim_status", s),
                // Events, letters, experts, commendations (issue 22 §4–§7).
                serde_json::Value::String(s)
                    if matches!(
                        k.as_str(),
                        "event_reply"
                            | "event_attendance"
                            | "letter_kind"
                            | "letter_mode"
                            | "commendation_level"
                            | "commendation_status"
                            | "expertise"
                    ) =>
                {
                    self.labels(k, s)
                }
                serde_json::Value::Array(a) if k == "fields" || k == "accepted" => a
                    .iter()
                    .filter_map(|v| v.as_str())
                    .map(|n| self.field(n))
                    .collect::<Vec<_>>()
                    .join(", "),
                serde_json::Value::String(s) if k == "action" => self
                    .get(&format!("audit.did.{s}"))
                    .map_or_else(|| s.clone(), str::to_owned),
                serde_json::Value::String(s) => self.history(s),
                serde_json::Value::Bool(b) => self
                    .s(if *b { "common.yes" } else { "common.no" })
                    .to_owned(),
                serde_json::Value::Null => continue,
                other => self.detail(other),
            };
            lines.push((label, value));
        }
        if !e.ip.is_empty() {
            lines.push((self.s("audit.ip").to_owned(), e.ip.clone()));
        }
        AuditLine {
            sentence,
            details: lines,
        }
    }
}

impl Tr {
    /// A structured detail of an audit row in words: an account's scopes
    /// by name, a role by its label, lists and records spelled out.
    fn detail(self, v: &serde_json::Value) -> String {
        use serde_json::Value;
        match v {
            Value::Array(items) => items
                .iter()
                .map(|x| self.detail(x))
                .collect::<Vec<_>>()
                .join(", "),
            Value::Object(map) => {
                if let (Some(Value::String(kind)), Some(Value::String(code))) =
                    (map.get("kind"), map.get("code"))
                {
                    return self.scope(kind, code);
                }
                map.iter()
                    .map(|(k, x)| {
                        let label = self
                            .get(&format!("audit.detail.{k}"))
                            .map_or_else(|| self.field(k), str::to_owned);
                        let value = match (k.as_str(), x) {
                            ("role", Value::String(r)) => self.label("role", r),
                            (_, Value::String(s)) => s.clone(),
                            _ => self.detail(x),
                        };
                        format!("{label}: {value}")
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            }
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_reads_in_words_in_both_languages() {
        let vi = Tr::new(Lang::Vi);
        let en = Tr::new(Lang::En);
        assert_eq!(
            vi.history("birth_date, occupation"),
            "Sửa: Ngày sinh, Nghề nghiệp"
        );
        assert_eq!(en.history("merged into #1"), "Merged into record #1");
        assert_eq!(vi.history("import #3 undone"), "Hủy lần nhập #3");
        assert_eq!(vi.history("created"), "Tạo hồ sơ");
        assert_eq!(vi.history("Trùng với hồ sơ khác"), "Trùng với hồ sơ khác");
        assert_eq!(vi.history("duplicate"), "duplicate");
        assert_eq!(
            en.history("verification visit 2026-12-06: police"),
            "Home verification visit on 06/12/2026: Confirmed by police"
        );
    }

    #[test]
    fn codes_and_scopes_read_as_names() {
        let vi = Tr::new(Lang::Vi);
        let en = Tr::new(Lang::En);
        assert_eq!(vi.label("relationship", "uncle_aunt"), "Chú/bác/cô/dì/cậu");
        assert_eq!(en.label("country", "JP"), "Japan");
        assert_eq!(vi.scope("agency", "police"), "Cơ quan: Công an tỉnh");
        assert!(!vi.scope("new_commune", "18073").contains("18073"));
    }

    #[test]
    fn audit_rows_read_as_sentences() {
        let e = app::audit::Entry {
            id: 1,
            at: "2026-12-06T09:38:00.000000Z".into(),
            actor_id: Some(1),
            actor_name: "Nguyễn Văn A".into(),
            ip: String::new(),
            action: "person.update".into(),
            entity: "person".into(),
            entity_id: "560".into(),
            details: r#"{"version": 3, "changed": "occupation"}"#.into(),
            prev_hash: String::new(),
            hash: String::new(),
            key_id: String::new(),
        };
        let line = Tr::new(Lang::Vi).audit(&e);
        assert_eq!(line.sentence, "Nguyễn Văn A đã sửa hồ sơ #560: Nghề nghiệp");
    }
}
