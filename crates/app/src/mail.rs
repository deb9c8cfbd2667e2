//! E-mail (issue 23, real components): sent through an SMTP server with
//! `lettre` when `smtp_url` is set; otherwise each message is written to an
//! outbox folder (the data directory's `outbox/`), which administrators read
//! on a page, so a server without mail (the demo) loses nothing.
//!
//! The words of every message come from the web layer (the translations
//! live there); this module only carries and delivers them.

use std::path::PathBuf;

use lettre::message::MultiPart;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::access::{self, Action};
use crate::{Actor, App, AppError, AppResult, FieldError, clock};

/// Where mail goes (`smtp_url`, `mail_from`; the outbox without SMTP).
#[derive(Debug, Clone, Default)]
pub struct MailSettings {
    /// `smtp://host:port` (plain), `smtp://host:port?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host` (TLS): lettre's URL form.
    pub smtp_url: Option<String>,
    /// The sender (`Kiều Bào <no-reply@example.gov.vn>`).
    pub from: String,
    /// Messages are written here when no SMTP server is configured.
    pub outbox_dir: Option<PathBuf>,
}

/// One message in both forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// How this process delivers mail.
pub enum Mailer {
    Smtp(Box<AsyncSmtpTransport<Tokio1Executor>>),
    Outbox(Option<PathBuf>),
}

impl Mailer {
    /// The transport the settings name; an SMTP URL lettre cannot read is
    /// an error naming the setting (start-up stops on it).
    pub fn new(settings: &MailSettings) -> Result<Self, String> {
        match settings
            .smtp_url
            .as_deref()
            .filter(|u| !u.trim().is_empty())
        {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url.trim())
                .map(|b| Mailer::Smtp(Box::new(b.build())))
                .map_err(|e| format!("smtp_url: {e}")),
            None => Ok(Mailer::Outbox(settings.outbox_dir.clone())),
        }
    }
}

/// Checks the sender setting (`mail_from`).
pub fn check_from(from: &str) -> Result<(), String> {
    from.parse::<lettre::message::Mailbox>()
        .map(|_| ())
        .map_err(|_| {
            "mail_from: expected an address such as Kiều Bào <no-reply@example.gov.vn>".to_owned()
        })
}

/// A checked e-mail address (trimmed, lower-cased) or the `email` field's
/// error (portal accounts, staff accounts).
pub fn normalize_address(raw: &str) -> Result<String, FieldError> {
    let e = raw.trim().to_lowercase();
    if e.is_empty() {
        return Err(FieldError::new("email", "required"));
    }
    if e.chars().count() > 254 {
        return Err(FieldError::new("email", "too_long"));
    }
    let ok = e.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
    }) && !e.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(e)
    } else {
        Err(FieldError::new("email", "invalid_email"))
    }
}

/// An address with its user part hidden but its first letter:
/// `n•••@example.org`.
pub fn mask_address(email: &str) -> String {
    match email.split_once('@') {
        Some((user, host)) => {
            let first: String = user.chars().take(1).collect();
            format!("{first}•••@{host}")
        }
        None => "•••".to_owned(),
    }
}

/// The default sender when none is configured.
pub const DEFAULT_FROM: &str = "Kiều Bào <no-reply@kieubao.invalid>";

fn build(from: &str, m: &Message) -> AppResult<lettre::Message> {
    let from = if from.trim().is_empty() {
        DEFAULT_FROM
    } else {
        from
    };
    let from = from
        .parse()
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("mail_from: {e}")))?;
    let to =
        m.to.parse()
            .map_err(|_| AppError::invalid_field("email", "email_invalid"))?;
    lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone())
        .multipart(MultiPart::alternative_plain_html(
            m.text.clone(),
            m.html.clone(),
        ))
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("mail: {e}")))
}

/// Delivers one message now (SMTP or the outbox).
pub async fn send(app: &App, m: &Message) -> AppResult<()> {
    let message = build(&app.settings.mail.from, m)?;
    match &app.mailer {
        Mailer::Smtp(t) => {
            t.send(message)
                .await
                .map_err(|e| AppError::Unexpected(anyhow::anyhow!("smtp: {e}")))?;
        }
        Mailer::Outbox(dir) => {
            let Some(dir) = dir else {
                tracing::warn!("no smtp_url and no outbox: a message was dropped");
                return Ok(());
            };
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| AppError::Unexpected(anyhow::anyhow!("outbox: {e}")))?;
            let now = app.clock.now_utc();
            let stem = format!(
                "{}-{}",
                now.unix_timestamp_nanos(),
                uuid::Uuid::new_v4().simple()
            );
            let entry = OutboxEntry {
                name: stem.clone(),
                at: clock::fmt(now),
                message: m.clone(),
            };
            let json = serde_json::to_vec_pretty(&entry)
                .map_err(|e| AppError::Unexpected(anyhow::anyhow!("outbox: {e}")))?;
            tokio::fs::write(dir.join(format!("{stem}.eml")), message.formatted())
                .await
                .map_err(|e| AppError::Unexpected(anyhow::anyhow!("outbox: {e}")))?;
            tokio::fs::write(dir.join(format!("{stem}.json")), json)
                .await
                .map_err(|e| AppError::Unexpected(anyhow::anyhow!("outbox: {e}")))?;
        }
    }
    Ok(())
}

/// Delivers a message in the background: the answer to the request does
/// not wait for (nor reveal anything by the time of) the SMTP exchange.
/// A failure is logged without the address.
pub fn send_later(app: &App, m: Message) {
    let app = app.clone();
    tokio::spawn(async move {
        if let Err(e) = send(&app, &m).await {
            tracing::error!(error = %e, "mail not delivered");
        }
    });
}

/// A message kept in the outbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// File stem (time and a random id).
    pub name: String,
    /// When it was written (stored time).
    pub at: String,
    pub message: Message,
}

/// The outbox, newest first (administrators only; at most `limit`).
pub async fn outbox(app: &App, actor: &Actor, limit: usize) -> AppResult<Vec<OutboxEntry>> {
    access::authorize(actor, Action::OutboxRead)?;
    let Mailer::Outbox(Some(dir)) = &app.mailer else {
        return Ok(Vec::new());
    };
    let mut names = Vec::new();
    let Ok(mut rd) = tokio::fs::read_dir(dir).await else {
        return Ok(Vec::new());
    };
    while let Ok(Some(e)) = rd.next_entry().await {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".json") {
            names.push(stem.to_owned());
        }
    }
    names.sort_unstable_by(|a, b| b.cmp(a));
    let mut out = Vec::new();
    for stem in names.into_iter().take(limit) {
        if let Ok(bytes) = tokio::fs::read(dir.join(format!("{stem}.json"))).await
            && let Ok(entry) = serde_json::from_slice::<OutboxEntry>(&bytes)
        {
            out.push(entry);
        }
    }
    Ok(out)
}

/// True when messages go to the outbox (no SMTP server configured).
pub fn uses_outbox(app: &App) -> bool {
    matches!(app.mailer, Mailer::Outbox(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_smtp_url_names_the_setting() {
        let s = MailSettings {
            smtp_url: Some("ftp://nowhere".into()),
            ..MailSettings::default()
        };
        assert!(
            Mailer::new(&s)
                .err()
                .unwrap_or_default()
                .contains("smtp_url")
        );
        let s = MailSettings::default();
        assert!(matches!(Mailer::new(&s), Ok(Mailer::Outbox(None))));
    }

    #[test]
    fn a_message_has_both_forms() {
        let m = Message {
            to: "an@example.org".into(),
            subject: "Xác nhận địa chỉ".into(),
            text: "Xin chào".into(),
            html: "<p>Xin chào</p>".into(),
        };
        let built = build("", &m).unwrap();
        let raw = String::from_utf8_lossy(&built.formatted()).into_owned();
        assert!(raw.contains("multipart/alternative"));
        assert!(raw.contains("text/plain") && raw.contains("text/html"));
    }
}
