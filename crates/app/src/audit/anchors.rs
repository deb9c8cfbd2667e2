//! Signed anchors of the audit chain: now and then (every
//! `audit_anchor_minutes`, at shutdown, on `kieubao audit anchor`) the head
//! of the chain — row count, last row id, last hash, key id — is signed with
//! an Ed25519 key kept outside the database and appended to a file. Whoever
//! owns the database can then neither drop the last rows nor rewrite the
//! chain without the anchors saying so.
//!
//! One line per anchor:
//! `kb-anchor-v1 <time, RFC 3339 UTC> <rows> <last id> <last hash> <key id or -> <signature, hex>`,
//! the signature covering everything before it.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use rand::RngCore as _;

const TAG: &str = "kb-anchor-v1";

/// Where anchors go.
#[derive(Debug, Clone, Default)]
pub struct Files {
    /// The anchor log (`audit_anchor_file`).
    pub log: Option<PathBuf>,
    /// The Ed25519 secret (`audit_anchor_key_file`); its public half sits
    /// next to it with the extension `.pub`.
    pub secret: Option<PathBuf>,
    /// A syslog socket (`audit_anchor_syslog`, e.g. `/dev/log`) that also
    /// gets each anchor line, so a copy lives on another machine.
    pub syslog: Option<PathBuf>,
}

impl Files {
    pub fn public(&self) -> Option<PathBuf> {
        self.secret.as_ref().map(|p| p.with_extension("pub"))
    }
}

/// One anchor read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub at: String,
    pub rows: i64,
    pub last_id: i64,
    pub last_hash: String,
    pub key_id: String,
}

impl Anchor {
    fn message(&self) -> String {
        let key = if self.key_id.is_empty() {
            "-"
        } else {
            &self.key_id
        };
        format!(
            "{TAG} {} {} {} {} {key}",
            self.at, self.rows, self.last_id, self.last_hash
        )
    }
}

/// An anchor file problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadAnchor {
    pub line: usize,
    pub reason: &'static str,
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("audit anchors {}: {e}", path.display())
}

fn signing_key(files: &Files) -> anyhow::Result<SigningKey> {
    let (Some(secret), Some(public)) = (&files.secret, files.public()) else {
        anyhow::bail!("no anchor key configured");
    };
    if !secret.exists() {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let key = SigningKey::from_bytes(&bytes);
        match super::keys::create_private(secret, &format!("{}\n", hex::encode(bytes))) {
            Ok(()) => {
                std::fs::write(
                    &public,
                    format!("{}\n", hex::encode(key.verifying_key().to_bytes())),
                )
                .map_err(|e| io_err(&public, e))?;
                tracing::info!(public = %public.display(), "audit anchor key created");
                return Ok(key);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io_err(secret, e)),
        }
    }
    let text = std::fs::read_to_string(secret).map_err(|e| io_err(secret, e))?;
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| io_err(secret, "not an anchor key"))?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// Reads the public key (for verification).
fn verifying_key(files: &Files) -> Option<VerifyingKey> {
    let text = std::fs::read_to_string(files.public()?).ok()?;
    let bytes: [u8; 32] = hex::decode(text.trim()).ok()?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

/// Signs `anchor` and appends it to the anchor log.
pub fn write(files: &Files, anchor: &Anchor) -> anyhow::Result<()> {
    let Some(log) = &files.log else {
        anyhow::bail!("no anchor file configured");
    };
    let key = signing_key(files)?;
    let message = anchor.message();
    let signature = key.sign(message.as_bytes());
    if let Some(dir) = log.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| io_err(log, e))?;
    let line = format!("{message} {}", hex::encode(signature.to_bytes()));
    // One write per line: concurrent writers never interleave within a line.
    f.write_all(format!("{line}\n").as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| io_err(log, e))?;
    if let Some(socket) = &files.syslog
        && let Err(e) = to_syslog(socket, &line)
    {
        // The file holds the anchor; the copy is best effort.
        tracing::warn!(socket = %socket.display(), error = %e, "audit anchor not sent to syslog");
    }
    Ok(())
}

/// Sends one anchor line to a local syslog socket (facility log audit, 13;
/// severity info).
fn to_syslog(socket: &Path, line: &str) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let s = std::os::unix::net::UnixDatagram::unbound()?;
        s.send_to(
            format!("<110>kieubao[{}]: {line}", std::process::id()).as_bytes(),
            socket,
        )?;
        Ok(())
    }
    #[cfg(not(unix))]
    {
        let _ = (socket, line);
        Err(std::io::Error::other("syslog sockets need Unix"))
    }
}

/// Reads and checks every anchor (none when no log exists yet).
pub fn read(files: &Files) -> Result<Vec<Anchor>, BadAnchor> {
    let Some(log) = &files.log else {
        return Ok(Vec::new());
    };
    let Ok(text) = std::fs::read_to_string(log) else {
        return Ok(Vec::new());
    };
    let key = verifying_key(files);
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |reason| BadAnchor {
            line: n + 1,
            reason,
        };
        let parts: Vec<&str> = line.split(' ').collect();
        let [tag, at, rows, last_id, last_hash, key_id, sig] = parts[..] else {
            return Err(bad("not an anchor line"));
        };
        if tag != TAG {
            return Err(bad("not an anchor line"));
        }
        let (Ok(rows), Ok(last_id)) = (rows.parse::<i64>(), last_id.parse::<i64>()) else {
            return Err(bad("not an anchor line"));
        };
        let anchor = Anchor {
            at: at.to_owned(),
            rows,
            last_id,
            last_hash: last_hash.to_owned(),
            key_id: if key_id == "-" {
                String::new()
            } else {
                key_id.to_owned()
            },
        };
        let Some(key) = &key else {
            return Err(bad("the anchor public key is missing or unreadable"));
        };
        let Some(sig) = hex::decode(sig)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
        else {
            return Err(bad("signature does not verify"));
        };
        let sig = ed25519_dalek::Signature::from_bytes(&sig);
        if key
            .verify_strict(anchor.message().as_bytes(), &sig)
            .is_err()
        {
            return Err(bad("signature does not verify"));
        }
        out.push(anchor);
    }
    Ok(out)
}

/// This process's anchoring: the files, and the last row it anchored (an
/// unchanged head is not anchored again by the periodic task).
#[derive(Clone, Default)]
pub struct Anchoring {
    pub files: Files,
    pub(crate) last: Arc<Mutex<i64>>,
}

impl Anchoring {
    pub fn new(files: Files) -> Self {
        Self {
            files,
            last: Arc::default(),
        }
    }
}
