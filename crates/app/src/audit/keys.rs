//! The audit chain's HMAC keys: a file outside the database (`audit_key_file`,
//! default `<data_dir>/audit.key`, mode 0600), one line per key, the last one
//! current. Servers sharing a database share the file. Rotation appends a key
//! and keeps the old ones, so earlier segments still verify. The secret never
//! goes to the database, a log line or an error message (only its id does).

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rand::RngCore as _;

const HEADER: &str =
    "# Kiều Bào audit chain keys: keep secret, back up, never put in the database.";
const TAG: &str = "kb-audit-key-v1";

/// One HMAC key.
pub struct Key {
    pub id: String,
    pub(crate) secret: [u8; 32],
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({}, secret hidden)", self.id)
    }
}

/// The keys of one key file, oldest first (the last is current).
#[derive(Debug, Default)]
pub struct Ring {
    pub keys: Vec<Key>,
}

impl Ring {
    pub fn get(&self, id: &str) -> Option<&Key> {
        self.keys.iter().find(|k| k.id == id)
    }
    pub fn current(&self) -> Option<&Key> {
        self.keys.last()
    }
}

/// A key file problem (names the file, never its content).
#[derive(Debug, thiserror::Error)]
#[error("audit key file {path}: {problem}")]
pub struct KeyError {
    pub path: String,
    pub problem: String,
}

fn err(path: &Path, problem: impl Into<String>) -> KeyError {
    KeyError {
        path: path.display().to_string(),
        problem: problem.into(),
    }
}

fn new_key() -> Key {
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let mut id = [0u8; 6];
    rand::rngs::OsRng.fill_bytes(&mut id);
    Key {
        id: format!("k{}", hex::encode(id)),
        secret,
    }
}

/// Reads a key file.
pub fn read(path: &Path) -> Result<Ring, KeyError> {
    let text = std::fs::read_to_string(path).map_err(|e| err(path, e.to_string()))?;
    let mut ring = Ring::default();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = || err(path, format!("line {} is not a key", n + 1));
        let mut parts = line.split_whitespace();
        if parts.next() != Some(TAG) {
            return Err(bad());
        }
        let (Some(id), Some(secret), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        let secret: [u8; 32] = hex::decode(secret)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(bad)?;
        ring.keys.push(Key {
            id: id.to_owned(),
            secret,
        });
    }
    if ring.keys.is_empty() {
        return Err(err(path, "holds no key"));
    }
    Ok(ring)
}

fn render(ring: &Ring) -> String {
    let mut s = format!("{HEADER}\n");
    for k in &ring.keys {
        let _ = writeln!(s, "{TAG} {} {}", k.id, hex::encode(k.secret));
    }
    s
}

/// Writes `content` to a new file only the owner can read (fails if it exists).
pub(crate) fn create_private(path: &Path, content: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(path)?;
    f.write_all(content.as_bytes())?;
    f.sync_all()
}

/// Reads the key file, creating it with one fresh key if it does not exist
/// (several servers starting at once: the first creates, the others read).
pub fn read_or_create(path: &Path) -> Result<Ring, KeyError> {
    if !path.exists() {
        let ring = Ring {
            keys: vec![new_key()],
        };
        match create_private(path, &render(&ring)) {
            Ok(()) => {
                tracing::info!(path = %path.display(), key_id = %ring.keys[0].id, "audit key created");
                return Ok(ring);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(err(path, e.to_string())),
        }
    }
    read(path)
}

/// Adds a new current key to the file (old keys kept), replacing the file
/// atomically; returns the new key's id.
pub fn rotate(path: &Path) -> Result<String, KeyError> {
    let mut ring = read_or_create(path)?;
    let key = new_key();
    let id = key.id.clone();
    ring.keys.push(key);
    let tmp = path.with_extension(format!("new-{}", std::process::id()));
    let _ = std::fs::remove_file(&tmp);
    create_private(&tmp, &render(&ring)).map_err(|e| err(&tmp, e.to_string()))?;
    std::fs::rename(&tmp, path).map_err(|e| err(path, e.to_string()))?;
    tracing::info!(path = %path.display(), key_id = %id, "audit key rotated");
    Ok(id)
}

/// This process's view of the key file: read on first use, read again when
/// the chain names a key it does not hold (another server or the command
/// line rotated).
#[derive(Clone, Default)]
pub struct Keys {
    path: Option<PathBuf>,
    ring: Arc<RwLock<Option<Arc<Ring>>>>,
}

impl Keys {
    /// No path: an unkeyed chain (plain SHA-256), as before keys existed.
    pub fn new(path: Option<PathBuf>) -> Self {
        Self {
            path,
            ring: Arc::default(),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The keys, reading (or creating) the file on first use; `None` when
    /// the chain is not keyed in this configuration.
    pub fn ring(&self) -> Result<Option<Arc<Ring>>, KeyError> {
        let Some(path) = &self.path else {
            return Ok(None);
        };
        if let Some(r) = self.ring.read().ok().and_then(|g| g.clone()) {
            return Ok(Some(r));
        }
        self.reload(path).map(Some)
    }

    fn reload(&self, path: &Path) -> Result<Arc<Ring>, KeyError> {
        let ring = Arc::new(read_or_create(path)?);
        if let Ok(mut g) = self.ring.write() {
            *g = Some(ring.clone());
        }
        Ok(ring)
    }

    /// The keys, holding `id` if the file holds it (read again on a miss).
    pub fn ring_with(&self, id: &str) -> Result<Option<Arc<Ring>>, KeyError> {
        match self.ring()? {
            Some(r) if r.get(id).is_none() => {
                let path = self.path.as_deref().unwrap_or(Path::new(""));
                self.reload(path).map(Some)
            }
            other => Ok(other),
        }
    }

    /// Reads the file again (after a rotation by this process).
    pub fn refresh(&self) -> Result<(), KeyError> {
        if let Some(path) = &self.path {
            self.reload(path)?;
        }
        Ok(())
    }
}
