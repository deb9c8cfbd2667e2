//! The portal's e-mails, each in Vietnamese and English, as plain text and
//! HTML (one layout, the words from `locales/*/portal.ftl`).

use askama::Template;

use crate::i18n::{Lang, Tr};

/// The messages: their keys are `mail.<kind>.subject`, `.body` and `.action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Confirm the address (registration).
    Confirm,
    /// Someone registered with an address that already has an account.
    Known,
    /// Reset the password.
    Reset,
    /// An officer decided the claim.
    ClaimDecided,
    /// An officer decided a correction.
    ChangeDecided,
    /// A data-subject request was acknowledged.
    RequestAcknowledged,
    /// A data-subject request was completed or refused.
    RequestClosed,
    /// A petition was answered.
    PetitionAnswered,
    /// A relay message through the directory (issue 23 §6).
    DirectoryMessage,
    /// A petition was forwarded to a competent body.
    PetitionForwarded,
    /// A petition sent without an account: verify the address.
    PetitionVerify,
    /// A petition sent without an account was registered: its number and
    /// the secret link to follow it.
    PetitionRegistered,
    /// To staff: a petition is near its deadline (issue 23 §7).
    PetitionDue,
    /// To the province's officers: a petition is overdue and escalated.
    PetitionEscalated,
}

impl Kind {
    fn key(self) -> &'static str {
        match self {
            Kind::Confirm => "confirm",
            Kind::Known => "known",
            Kind::Reset => "reset",
            Kind::ClaimDecided => "claim_decided",
            Kind::ChangeDecided => "change_decided",
            Kind::RequestAcknowledged => "request_acknowledged",
            Kind::RequestClosed => "request_closed",
            Kind::PetitionAnswered => "petition_answered",
            Kind::DirectoryMessage => "directory_message",
            Kind::PetitionForwarded => "petition_forwarded",
            Kind::PetitionVerify => "petition_verify",
            Kind::PetitionRegistered => "petition_registered",
            Kind::PetitionDue => "petition_due",
            Kind::PetitionEscalated => "petition_escalated",
        }
    }

    /// The opening line: people abroad are greeted as such, staff as
    /// colleagues.
    fn greeting(self) -> &'static str {
        match self {
            Kind::PetitionDue | Kind::PetitionEscalated => "mail.staff_greeting",
            _ => "mail.greeting",
        }
    }
}

#[derive(Template)]
#[template(path = "portal/mail.txt")]
struct Text<'a> {
    t: Tr,
    greeting: &'a str,
    body: &'a str,
    action: &'a str,
    link: &'a str,
    lines: &'a [String],
}

#[derive(Template)]
#[template(path = "portal/mail.html")]
struct Html<'a> {
    t: Tr,
    greeting: &'a str,
    subject: &'a str,
    body: &'a str,
    action: &'a str,
    link: &'a str,
    lines: &'a [String],
}

/// Builds one message in `lang` (`vi` or `en`) to `to`, with the link to
/// follow and extra lines (a decision's fields and reasons).
pub fn compose(
    lang: &str,
    kind: Kind,
    to: &str,
    link: &str,
    lines: &[String],
) -> app::mail::Message {
    let t = Tr::new(Lang::from_code(lang));
    let k = kind.key();
    let subject = t.get(&format!("mail.{k}.subject")).unwrap_or_default();
    let body = t.get(&format!("mail.{k}.body")).unwrap_or_default();
    let action = t.get(&format!("mail.{k}.action")).unwrap_or_default();
    let greeting = t.s(kind.greeting());
    let text = Text {
        t,
        greeting,
        body,
        action,
        link,
        lines,
    }
    .render()
    .unwrap_or_default();
    let html = Html {
        t,
        greeting,
        subject,
        body,
        action,
        link,
        lines,
    }
    .render()
    .unwrap_or_default();
    app::mail::Message {
        to: to.to_owned(),
        subject: subject.to_owned(),
        text,
        html,
    }
}

/// The messages of a petition the watch marked (issue 23 §7): one per
/// recipient in their language, its number and deadline, a link to it on
/// the officers' pages (`origin`: the configured public address).
pub fn due_mails(origin: Option<String>) -> app::portal::petitions::DueMail {
    std::sync::Arc::new(move |d: &app::portal::petitions::Due| {
        let link = format!(
            "{}/portal/petitions/{}",
            origin.as_deref().unwrap_or_default().trim_end_matches('/'),
            d.id
        );
        let kind = if d.escalated {
            Kind::PetitionEscalated
        } else {
            Kind::PetitionDue
        };
        d.to.iter()
            .map(|(to, lang)| {
                let t = Tr::new(Lang::from_code(lang));
                let lines = [
                    format!("{}: {}", t.s("portal.mail_due.number"), d.number),
                    format!(
                        "{}: {}",
                        t.s("portal.mail_due.answer_by"),
                        t.day(&d.answer_by)
                    ),
                ];
                compose(lang, kind, to, &link, &lines)
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mail_has_both_languages_and_both_forms() {
        for kind in [
            Kind::Confirm,
            Kind::Known,
            Kind::Reset,
            Kind::ClaimDecided,
            Kind::ChangeDecided,
            Kind::RequestAcknowledged,
            Kind::RequestClosed,
            Kind::PetitionAnswered,
            Kind::DirectoryMessage,
            Kind::PetitionDue,
            Kind::PetitionEscalated,
        ] {
            let vi = compose("vi", kind, "an@example.org", "http://x/kieu-bao", &[]);
            let en = compose("en", kind, "an@example.org", "http://x/kieu-bao", &[]);
            for m in [&vi, &en] {
                assert!(!m.subject.is_empty(), "{kind:?}");
                assert!(m.text.contains("http://x/kieu-bao"), "{kind:?}");
                assert!(m.html.contains("href=\"http://x/kieu-bao\""), "{kind:?}");
                assert!(!m.text.contains("mail."), "{kind:?}: {}", m.text);
            }
            assert_ne!(vi.subject, en.subject, "{kind:?}");
        }
        let m = compose(
            "vi",
            Kind::Confirm,
            "a@b.cd",
            "http://x/<b>",
            &["<i>".into()],
        );
        assert!(
            !m.html.contains("<i>") && !m.html.contains("<b>"),
            "{}",
            m.html
        );
    }
}
