//! Letters of an event in the official format (issue 22 §6): invitations,
//! thank-you letters, letters introducing a delegation and commendation
//! proposals, as .docx laid out as Decree 30/2020/NĐ-CP (Appendix I) asks:
//! issuing body top left with the number and symbol and the subject line
//! ("V/v ..."), the national motto top right with place and date, "Kính
//! gửi", the body, "Nơi nhận" bottom left and the signature block bottom
//! right; Times New Roman 13 pt on A4 with margins 20/15/30/15 mm.
//!
//! One letter per invitee (mail merge: one .docx, a page each) or one
//! letter to the whole list (with the list attached). Officers may instead
//! upload their own .docx with named placeholders (`{{ho_ten}}`,
//! `{{su_kien}}`...): the system fills it once per invitee, even where
//! Word split a placeholder across text runs, and hands back a .zip.
//! The placeholders are listed in docs/LETTERS.md and [`PLACEHOLDERS`].

use std::io::{Cursor, Read, Write};

use docx_rs::{AlignmentType, BreakType, Docx, Paragraph, Run, Table, TableRow, WidthType};
use serde::{Deserialize, Serialize};

use super::events::{self, Event, Invitee};
use crate::audit::{self, Event as AuditEvent};
use crate::official::{
    BODY, SMALL, TINY, borderless, cell, centered, date_line, new_document, pack, run,
};
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// Kinds of letter (labels `code.letter_kind.*`).
pub const KINDS: &[&str] = &[
    "invitation",
    "thank_you",
    "delegation_introduction",
    "commendation_proposal",
];

/// `merge`: one letter per invitee; `list`: one letter to the list.
pub const MODES: &[&str] = &["merge", "list"];

/// The placeholders a letter body or an uploaded template may hold.
pub const PLACEHOLDERS: &[&str] = &[
    "ho_ten",
    "quoc_gia",
    "que_quan",
    "su_kien",
    "thoi_gian",
    "dia_diem",
    "chuong_trinh",
    "thanh_vien",
    "so_ky_hieu",
    "ngay_van_ban",
    "co_quan",
];

/// Largest template accepted (a letter, not a book).
pub const MAX_TEMPLATE_BYTES: usize = 5 * 1024 * 1024;

/// What the officer asks for; empty fields take the kind's defaults.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LetterInput {
    /// `invitation`, `thank_you`, `delegation_introduction` or `commendation_proposal`.
    pub kind: Option<String>,
    /// `merge` (default: one letter per invitee) or `list` (one letter, the list attached).
    pub mode: Option<String>,
    /// Number and symbol ("15/SNgV-LS"); the number may be left for the clerk ("/SNgV-LS").
    pub number: Option<String>,
    /// Date of the letter (default today).
    pub date: Option<String>,
    /// Subject line after "V/v" (default by kind).
    pub subject: Option<String>,
    /// Body, paragraphs a line each, with placeholders (default by kind).
    pub body: Option<String>,
    /// "Kính gửi" of a list letter (default: the people on the attached list).
    pub addressee: Option<String>,
    /// "Nơi nhận", one a line (default "Như trên; Lưu: VT").
    pub recipients: Option<String>,
    /// Signer's title ("GIÁM ĐỐC", "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC").
    pub signer_title: Option<String>,
    pub signer_name: Option<String>,
}

/// A letter as validated, defaults filled.
#[derive(Debug, Clone)]
struct Letter {
    mode: String,
    number: String,
    date: String,
    subject: String,
    body: String,
    addressee: String,
    recipients: Vec<String>,
    signer_title: String,
    signer_name: String,
    authority: String,
    issuer: String,
    place: String,
}

/// The subject and body of each kind when the officer writes none.
fn defaults(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "thank_you" => (
            "Thư cảm ơn",
            "Sở Ngoại vụ tỉnh trân trọng cảm ơn Ông/Bà {{ho_ten}} đã dành thời gian tham dự {{su_kien}} ({{thoi_gian}}, {{dia_diem}}).\n\
             Sự có mặt và những ý kiến đóng góp của Ông/Bà đã góp phần vào thành công chung; mong tiếp tục nhận được sự đồng hành của Ông/Bà với quê hương.\n\
             Trân trọng cảm ơn!",
        ),
        "delegation_introduction" => (
            "Giới thiệu đoàn công tác",
            "Sở Ngoại vụ tỉnh trân trọng giới thiệu {{su_kien}}, thời gian {{thoi_gian}}, địa điểm {{dia_diem}}.\n\
             Thành phần đoàn: {{thanh_vien}}.\n\
             Kính đề nghị Ông/Bà {{ho_ten}} quan tâm, tạo điều kiện để đoàn hoàn thành chương trình công tác.\n\
             Trân trọng!",
        ),
        "commendation_proposal" => (
            "Đề nghị khen thưởng",
            "Ghi nhận những đóng góp tích cực của Ông/Bà {{ho_ten}} (cư trú tại {{quoc_gia}}, quê quán {{que_quan}}) đối với quê hương, nhất là trong {{su_kien}}, Sở Ngoại vụ kính đề nghị xem xét, khen thưởng.\n\
             Hồ sơ kèm theo gồm tóm tắt thành tích của người được đề nghị.\n\
             Trân trọng!",
        ),
        _ => (
            "Mời dự {{su_kien}}",
            "Sở Ngoại vụ tỉnh trân trọng kính mời Ông/Bà {{ho_ten}} tới dự {{su_kien}}.\n\
             Thời gian: {{thoi_gian}}.\n\
             Địa điểm: {{dia_diem}}.\n\
             Sự hiện diện của Ông/Bà là niềm vinh dự cho quê hương. Rất mong Ông/Bà thu xếp thời gian tham dự.\n\
             Trân trọng!",
        ),
    }
}

fn validate(app: &App, input: &LetterInput) -> Result<(String, Letter), Vec<FieldError>> {
    let mut errs = Vec::new();
    let t = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
    let mut kind = t(&input.kind);
    if kind.is_empty() {
        "invitation".clone_into(&mut kind);
    }
    if !KINDS.contains(&kind.as_str()) {
        errs.push(FieldError::new("kind", "invalid_code"));
    }
    let mut mode = t(&input.mode);
    if mode.is_empty() {
        "merge".clone_into(&mut mode);
    }
    if !MODES.contains(&mode.as_str()) {
        errs.push(FieldError::new("mode", "invalid_code"));
    }
    let date_text = t(&input.date);
    let date = if date_text.is_empty() {
        clock::today()
    } else if let Some(d) = domain::dates::read_day(&date_text) {
        d
    } else {
        errs.push(FieldError::new("date", "invalid_date"));
        String::new()
    };
    let (subject0, body0) = defaults(&kind);
    let subject = Some(t(&input.subject))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| subject0.to_owned());
    let body = Some(t(&input.body))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| body0.to_owned());
    let recipients: Vec<String> = Some(t(&input.recipients))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "Như trên;\nLưu: VT.".to_owned())
        .lines()
        .map(|l| l.trim().trim_start_matches('-').trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    let number = t(&input.number);
    for (f, v, max) in [
        ("number", &number, 60),
        ("subject", &subject, 300),
        ("body", &body, 8000),
        ("signer_title", &t(&input.signer_title), 200),
        ("signer_name", &t(&input.signer_name), 200),
        ("addressee", &t(&input.addressee), 300),
    ] {
        if domain::text::has_forbidden_control(v) {
            errs.push(FieldError::new(f, "control_chars"));
        } else if v.chars().count() > max {
            errs.push(FieldError::new(f, "too_long"));
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    let province = app.settings.home_province.clone();
    Ok((
        kind,
        Letter {
            mode,
            number: if number.is_empty() {
                "/SNgV".to_owned()
            } else {
                number
            },
            date,
            subject,
            body,
            addressee: Some(t(&input.addressee))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "Các Ông/Bà có tên trong danh sách kèm theo".to_owned()),
            recipients,
            signer_title: Some(t(&input.signer_title))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "GIÁM ĐỐC".to_owned()),
            signer_name: t(&input.signer_name),
            authority: format!("UBND TỈNH {}", province.to_uppercase()),
            issuer: "SỞ NGOẠI VỤ".to_owned(),
            place: province,
        },
    ))
}

/// The values of the placeholders for one invitee (or the list, `None`).
fn values(event: &Event, letter: &Letter, who: Option<&Invitee>) -> Vec<(&'static str, String)> {
    let show = domain::dates::show;
    let when = match &event.ends_on {
        Some(e) if *e != event.starts_on => {
            format!("từ ngày {} đến ngày {}", show(&event.starts_on), show(e))
        }
        _ => format!("ngày {}", show(&event.starts_on)),
    };
    let country =
        |c: &str| domain::geo::country(c).map_or_else(|| c.to_owned(), |c| c.name_vi.to_owned());
    let place = if event.country.is_empty() {
        event.place.clone()
    } else if event.place.is_empty() {
        country(&event.country)
    } else {
        format!("{} ({})", event.place, country(&event.country))
    };
    let join = |s: &str| {
        s.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ")
    };
    vec![
        (
            "ho_ten",
            who.map_or_else(
                || "các Ông/Bà có tên trong danh sách kèm theo".to_owned(),
                |w| w.full_name.clone(),
            ),
        ),
        (
            "quoc_gia",
            who.map(|w| country(&w.country)).unwrap_or_default(),
        ),
        (
            "que_quan",
            who.map(|w| w.hometown_text.clone()).unwrap_or_default(),
        ),
        ("su_kien", event.name.clone()),
        ("thoi_gian", when),
        ("dia_diem", place),
        ("chuong_trinh", join(&event.programme)),
        ("thanh_vien", join(&event.members)),
        ("so_ky_hieu", letter.number.clone()),
        ("ngay_van_ban", show(&letter.date)),
        ("co_quan", letter.issuer.clone()),
    ]
}

/// A placeholder's name as compared: without marks, case, spaces or
/// underscores, so that `{{ho_ten}}`, `{{Họ tên}}` and `{{HO TEN}}` are one.
fn placeholder_key(name: &str) -> String {
    domain::text::fold(name)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// The value of the placeholder `name`, if it names one.
fn value_of<'a>(values: &'a [(&str, String)], name: &str) -> Option<&'a str> {
    let key = placeholder_key(name);
    values
        .iter()
        .find(|(k, _)| placeholder_key(k) == key)
        .map(|(_, v)| v.as_str())
}

/// `text` with each known `{{name}}` replaced; unknown ones stay as typed.
pub fn fill(text: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        if let Some(end) = after.find("}}") {
            match value_of(values, &after[..end]) {
                Some(v) => out.push_str(v),
                None => out.push_str(&rest[start..start + 2 + end + 2]),
            }
            rest = &after[end + 2..];
        } else {
            out.push_str(&rest[start..]);
            rest = "";
        }
    }
    out.push_str(rest);
    out
}

// ------------------------------------------------------------------ the layout

/// Half-points: 13 pt body, 12 pt header lines, 11 pt recipients.
/// Appends one letter (its header, body and signature) to `doc`.
fn letter_into(
    mut doc: Docx,
    letter: &Letter,
    subject: &str,
    addressee: &str,
    body: &str,
    list: Option<&[Invitee]>,
    page_break: bool,
) -> Docx {
    if page_break {
        doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));
    }
    // Issuing body, number and symbol, subject | motto, place and date.
    let left = cell(
        vec![
            centered(vec![run(&letter.authority, SMALL)]),
            centered(vec![run(&letter.issuer, SMALL).bold()]),
            centered(vec![run("________", SMALL)]),
            centered(vec![run(&format!("Số: {}", letter.number), BODY)]),
            centered(vec![run(&format!("V/v {subject}"), SMALL)]),
        ],
        3600,
    );
    let right = cell(
        vec![
            centered(vec![
                run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", SMALL).bold(),
            ]),
            centered(vec![run("Độc lập - Tự do - Hạnh phúc", BODY).bold()]),
            centered(vec![run("________________________", BODY)]),
            centered(vec![
                run(&date_line(&letter.place, &letter.date), BODY).italic(),
            ]),
        ],
        5755,
    );
    doc = doc.add_table(borderless(vec![left, right]));
    doc = doc.add_paragraph(Paragraph::new());
    doc = doc.add_paragraph(centered(vec![run(&format!("Kính gửi: {addressee}"), BODY)]));
    doc = doc.add_paragraph(Paragraph::new());
    for line in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
        doc = doc.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Both)
                .indent(
                    None,
                    Some(docx_rs::SpecialIndentType::FirstLine(567)),
                    None,
                    None,
                )
                .add_run(run(line, BODY)),
        );
    }
    doc = doc.add_paragraph(Paragraph::new());
    // Recipients | signature block.
    let mut recip = vec![Paragraph::new().add_run(run("Nơi nhận:", SMALL).bold().italic())];
    let last = letter.recipients.len().saturating_sub(1);
    for (i, r) in letter.recipients.iter().enumerate() {
        let mut r = r.trim_end_matches([';', '.']).to_owned();
        r.push(if i == last { '.' } else { ';' });
        recip.push(Paragraph::new().add_run(run(&format!("- {r}"), TINY)));
    }
    let mut sign: Vec<Paragraph> = letter
        .signer_title
        .lines()
        .map(|l| centered(vec![run(&l.trim().to_uppercase(), BODY).bold()]))
        .collect();
    for _ in 0..3 {
        sign.push(Paragraph::new());
    }
    sign.push(centered(vec![run(&letter.signer_name, BODY).bold()]));
    doc = doc.add_table(borderless(vec![cell(recip, 4677), cell(sign, 4678)]));
    if let Some(people) = list {
        doc = doc.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));
        doc = doc.add_paragraph(centered(vec![run("DANH SÁCH KÈM THEO", BODY).bold()]));
        doc = doc.add_paragraph(centered(vec![
            run(&format!("(Kèm theo văn bản số {})", letter.number), BODY).italic(),
        ]));
        let header = ["STT", "Họ và tên", "Quốc gia", "Quê quán"];
        let widths = [700, 3300, 2200, 3155];
        let mut rows = vec![TableRow::new(
            header
                .iter()
                .zip(widths)
                .map(|(h, w)| cell(vec![centered(vec![run(h, SMALL).bold()])], w))
                .collect(),
        )];
        for (i, p) in people.iter().enumerate() {
            let country = domain::geo::country(&p.country)
                .map_or_else(|| p.country.clone(), |c| c.name_vi.to_owned());
            let texts = [
                (i + 1).to_string(),
                p.full_name.clone(),
                country,
                p.hometown_text.clone(),
            ];
            rows.push(TableRow::new(
                texts
                    .iter()
                    .zip(widths)
                    .map(|(t, w)| cell(vec![Paragraph::new().add_run(run(t, SMALL))], w))
                    .collect(),
            ));
        }
        doc = doc.add_table(Table::new(rows).width(9355, WidthType::Dxa));
    }
    doc
}

/// The letters of an event as one .docx: a page per invitee the actor may
/// see (`merge`) or one letter with the list attached (`list`). Audited.
pub async fn generate(
    app: &App,
    actor: &Actor,
    event_id: i64,
    input: &LetterInput,
) -> AppResult<(Vec<u8>, String)> {
    let event = events::managed(app, actor, event_id).await?;
    let (kind, letter) = validate(app, input).map_err(AppError::Invalid)?;
    if event.invitees.is_empty() {
        return Err(AppError::invalid_field("invitees", "no_invitees"));
    }
    let mut doc = new_document();
    if letter.mode == "list" {
        let v = values(&event, &letter, None);
        doc = letter_into(
            doc,
            &letter,
            &fill(&letter.subject, &v),
            &letter.addressee,
            &fill(&letter.body, &v),
            Some(&event.invitees),
            false,
        );
    } else {
        for (i, who) in event.invitees.iter().enumerate() {
            let v = values(&event, &letter, Some(who));
            doc = letter_into(
                doc,
                &letter,
                &fill(&letter.subject, &v),
                &format!("Ông/Bà {}", who.full_name),
                &fill(&letter.body, &v),
                None,
                i > 0,
            );
        }
    }
    let bytes = pack(doc)?;
    audit_letters(
        app,
        actor,
        event_id,
        &kind,
        &letter.mode,
        event.invitees.len(),
    )
    .await?;
    Ok((bytes, format!("thu-{kind}-su-kien-{event_id}.docx")))
}

async fn audit_letters(
    app: &App,
    actor: &Actor,
    event_id: i64,
    kind: &str,
    mode: &str,
    people: usize,
) -> AppResult<()> {
    let mut tx = app.db.begin_write().await?;
    audit::append(
        &mut tx,
        app,
        actor,
        AuditEvent::new("event.letters", "event", &event_id)
            .with(serde_json::json!({"letter_kind": kind, "letter_mode": mode, "people": people})),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ------------------------------------------------------------------ templates

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The text runs (`<w:t>` elements) of a `WordprocessingML` part: for each,
/// the byte range of its opening tag and of its content.
fn text_runs(xml: &str) -> Vec<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = xml[at..].find("<w:t") {
        let start = at + i;
        let after = &xml[start + 4..];
        // `<w:t>` or `<w:t ...>`, not `<w:tab/>`, `<w:tbl>`, `<w:tc>`...
        let next = after.chars().next().unwrap_or(' ');
        if next != '>' && next != ' ' {
            at = start + 4;
            continue;
        }
        let Some(close) = after.find('>') else { break };
        let tag_end = start + 4 + close + 1;
        if xml[start..tag_end].ends_with("/>") {
            at = tag_end;
            continue;
        }
        let Some(end) = xml[tag_end..].find("</w:t>") else {
            break;
        };
        out.push((start..tag_end, tag_end..tag_end + end));
        at = tag_end + end + 6;
    }
    out
}

/// Replaces the placeholders of a `WordprocessingML` part, also those Word
/// split across several runs ("{{ho_" in one, "ten}}" in the next): the
/// runs' texts are read as one, each placeholder found in it is written
/// where it began, and its characters are taken out of the runs it spanned
/// (their formatting stays).
pub fn fill_xml(xml: &str, values: &[(&str, String)]) -> String {
    let runs = text_runs(xml);
    if runs.is_empty() {
        return xml.to_owned();
    }
    // The joined text, and for each character the run it belongs to.
    let mut joined: Vec<char> = Vec::new();
    let mut owner: Vec<usize> = Vec::new();
    for (k, (_, content)) in runs.iter().enumerate() {
        for c in unescape(&xml[content.clone()]).chars() {
            joined.push(c);
            owner.push(k);
        }
    }
    // What replaces each position: `Some(text)` at a placeholder's start,
    // `Some("")` inside one, `None` to keep the character.
    let mut replace: Vec<Option<String>> = vec![None; joined.len()];
    let mut i = 0;
    while i + 1 < joined.len() {
        if joined[i] == '{' && joined[i + 1] == '{' {
            let mut j = i + 2;
            while j + 1 < joined.len() && !(joined[j] == '}' && joined[j + 1] == '}') && j - i < 60
            {
                j += 1;
            }
            if j + 1 < joined.len() && joined[j] == '}' && joined[j + 1] == '}' {
                let name: String = joined[i + 2..j].iter().collect();
                if let Some(v) = value_of(values, &name) {
                    replace[i] = Some(v.to_owned());
                    for r in replace.iter_mut().take(j + 2).skip(i + 1) {
                        *r = Some(String::new());
                    }
                    i = j + 2;
                    continue;
                }
            }
        }
        i += 1;
    }
    let mut texts: Vec<String> = vec![String::new(); runs.len()];
    let mut changed = vec![false; runs.len()];
    for (p, c) in joined.iter().enumerate() {
        match &replace[p] {
            None => texts[owner[p]].push(*c),
            Some(v) => {
                texts[owner[p]].push_str(v);
                changed[owner[p]] = true;
            }
        }
    }
    let mut out = String::with_capacity(xml.len());
    let mut at = 0;
    for (k, (tag, content)) in runs.iter().enumerate() {
        if !changed[k] {
            continue;
        }
        out.push_str(&xml[at..tag.start]);
        // Spaces at either end of a filled run are kept.
        out.push_str("<w:t xml:space=\"preserve\">");
        out.push_str(&escape(&texts[k]));
        at = content.end;
    }
    out.push_str(&xml[at..]);
    out
}

/// The parts of a .docx whose text is filled: the body, headers and footers.
fn is_text_part(name: &str) -> bool {
    name == "word/document.xml"
        || (name.starts_with("word/header") || name.starts_with("word/footer"))
            && std::path::Path::new(name)
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("xml"))
}

/// `template` (a .docx) filled with `values`.
pub fn fill_docx(template: &[u8], values: &[(&str, String)]) -> AppResult<Vec<u8>> {
    let bad = || AppError::invalid_field("file", "not_docx");
    let mut zip = zip::ZipArchive::new(Cursor::new(template)).map_err(|_| bad())?;
    if zip.by_name("word/document.xml").is_err() {
        return Err(bad());
    }
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let unexpected = |e: zip::result::ZipError| AppError::Unexpected(anyhow::Error::from(e));
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|_| bad())?;
        let name = f.name().map_err(|_| bad())?.into_owned();
        if is_text_part(&name) {
            let mut xml = String::new();
            f.read_to_string(&mut xml).map_err(|_| bad())?;
            out.start_file(name, opts).map_err(unexpected)?;
            out.write_all(fill_xml(&xml, values).as_bytes())
                .map_err(|e| AppError::Unexpected(anyhow::Error::from(e)))?;
        } else {
            out.raw_copy_file(f).map_err(unexpected)?;
        }
    }
    Ok(out.finish().map_err(unexpected)?.into_inner())
}

/// Fills the officer's own template once per invitee the actor may see:
/// a .zip of .docx files named by invitee. Audited.
pub async fn fill_template(
    app: &App,
    actor: &Actor,
    event_id: i64,
    template: &[u8],
    input: &LetterInput,
) -> AppResult<(Vec<u8>, String)> {
    let event = events::managed(app, actor, event_id).await?;
    if template.len() > MAX_TEMPLATE_BYTES {
        return Err(AppError::invalid_field("file", "too_large"));
    }
    let (_, letter) = validate(app, input).map_err(AppError::Invalid)?;
    if event.invitees.is_empty() {
        return Err(AppError::invalid_field("invitees", "no_invitees"));
    }
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let unexpected = |e: zip::result::ZipError| AppError::Unexpected(anyhow::Error::from(e));
    for (i, who) in event.invitees.iter().enumerate() {
        let filled = fill_docx(template, &values(&event, &letter, Some(who)))?;
        let name: String = domain::text::fold(&who.full_name)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        out.start_file(format!("{:03}-{name}.docx", i + 1), opts)
            .map_err(unexpected)?;
        out.write_all(&filled)
            .map_err(|e| AppError::Unexpected(anyhow::Error::from(e)))?;
    }
    let bytes = out.finish().map_err(unexpected)?.into_inner();
    audit_letters(
        app,
        actor,
        event_id,
        "template",
        "merge",
        event.invitees.len(),
    )
    .await?;
    Ok((bytes, format!("thu-su-kien-{event_id}.zip")))
}

/// One letter of the Sở Ngoại vụ in the same Decree 30 layout, for other
/// areas (a petition forwarded to a competent body, issue 23 §7): the
/// caller has checked who may make it and audits it.
#[derive(Debug, Clone, Default)]
pub struct OfficialLetter {
    /// Number and symbol; empty: left for the clerk (`/SNgV`).
    pub number: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// After "V/v".
    pub subject: String,
    /// After "Kính gửi:".
    pub addressee: String,
    /// Paragraphs, a line each.
    pub body: String,
    /// "Nơi nhận", one each.
    pub recipients: Vec<String>,
}

/// The .docx of one [`OfficialLetter`].
pub fn official_letter(app: &App, l: &OfficialLetter) -> AppResult<Vec<u8>> {
    let province = app.settings.home_province.clone();
    let letter = Letter {
        mode: "list".to_owned(),
        number: if l.number.trim().is_empty() {
            "/SNgV".to_owned()
        } else {
            l.number.trim().to_owned()
        },
        date: l.date.clone(),
        subject: l.subject.clone(),
        body: l.body.clone(),
        addressee: l.addressee.clone(),
        recipients: l.recipients.clone(),
        signer_title: "GIÁM ĐỐC".to_owned(),
        signer_name: String::new(),
        authority: format!("UBND TỈNH {}", province.to_uppercase()),
        issuer: "SỞ NGOẠI VỤ".to_owned(),
        place: province,
    };
    pack(letter_into(
        new_document(),
        &letter,
        &letter.subject,
        &letter.addressee,
        &letter.body,
        None,
        false,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_as_the_decree_asks() {
        assert_eq!(
            date_line("Hà Tĩnh", "2026-12-07"),
            "Hà Tĩnh, ngày 07 tháng 12 năm 2026"
        );
        assert_eq!(
            date_line("Hà Tĩnh", "2027-02-15"),
            "Hà Tĩnh, ngày 15 tháng 02 năm 2027"
        );
        assert_eq!(
            date_line("Hà Tĩnh", "2027-03-05"),
            "Hà Tĩnh, ngày 05 tháng 3 năm 2027"
        );
    }

    #[test]
    fn placeholders_split_across_runs_are_filled() {
        let xml = "<w:body><w:p><w:r><w:t>Kính gửi {{ho_</w:t></w:r><w:r><w:rPr><w:b/></w:rPr>\
                   <w:t xml:space=\"preserve\">ten}} &amp; </w:t></w:r><w:r><w:tab/><w:t>{{ su_kien }}, {{khac}}</w:t></w:r></w:p></w:body>";
        let v = vec![
            ("ho_ten", "Nguyễn Văn <An>".to_owned()),
            ("su_kien", "Xuân Quê hương".to_owned()),
        ];
        let out = fill_xml(xml, &v);
        assert!(
            out.contains("Kính gửi Nguyễn Văn &lt;An&gt;</w:t>"),
            "{out}"
        );
        assert!(
            out.contains("<w:rPr><w:b/></w:rPr><w:t xml:space=\"preserve\"> &amp; </w:t>"),
            "{out}"
        );
        assert!(
            out.contains("<w:tab/><w:t xml:space=\"preserve\">Xuân Quê hương, {{khac}}</w:t>"),
            "{out}"
        );
        assert_eq!(fill("{{ho_ten}} {{x}} {{", &v), "Nguyễn Văn <An> {{x}} {{");
        assert_eq!(
            fill("{{Họ tên}}, {{ SỰ KIỆN }}", &v),
            "Nguyễn Văn <An>, Xuân Quê hương"
        );
    }
}
