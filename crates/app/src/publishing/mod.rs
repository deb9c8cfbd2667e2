//! Publishing (issue 24): the province's voice to its diaspora — news,
//! policies, procedure guides, the legal-document library and written
//! FAQs, in Vietnamese (required) and English (optional).
//!
//! [`content`] is the editorial desk: items, their translations, links
//! between documents, every version with who and when, and the workflow
//! draft → in review → scheduled → published → archived, each step decided
//! by [`crate::access::content_step_allowed`] and audited. Scheduled items
//! are published by [`content::publish_due`], which any number of servers
//! may run at once: one `UPDATE … WHERE state = 'scheduled' AND publish_at
//! <= now` claims each item, so it is published once. [`public`] reads what
//! is published for the public site (no sign-in, no personal data).

pub mod content;
pub mod demo;
pub mod faq;
pub mod files;
pub mod markdown;
pub mod newsletters;
pub mod public;

use std::sync::atomic::{AtomicU64, Ordering};

/// A counter this process bumps whenever content changes, so that cached
/// public pages are made again (other servers' caches expire within
/// [`public::CACHE_SECONDS`]).
#[derive(Debug, Default)]
pub struct Generation(AtomicU64);

impl Generation {
    /// The current generation.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Content changed.
    pub fn bump(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// How often each server looks for scheduled items that are due.
pub const PUBLISH_CHECK_SECONDS: u64 = 20;

/// The server's publishing task: every [`PUBLISH_CHECK_SECONDS`], the
/// scheduled items whose time has come are published (by one server only).
pub async fn publish_every(app: crate::App) {
    let every = std::time::Duration::from_secs(PUBLISH_CHECK_SECONDS);
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match content::publish_due(&app).await {
            Ok(ids) if ids.is_empty() => {}
            Ok(ids) => tracing::info!(items = ids.len(), "scheduled content published"),
            Err(e) => tracing::error!(error = %e, "scheduled publishing failed"),
        }
    }
}
