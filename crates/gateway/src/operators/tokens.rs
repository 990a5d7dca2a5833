//! Personal access tokens and the operators file that holds their hashes.
//!
//! A token is `cocpat_<id>_<secret>`: `id` is 8 random hex digits that find
//! the entry without trying every hash, `secret` 32 random bytes (256 bits)
//! in base64url. The file keeps the id, a 16-byte random salt and
//! SHA-256(salt ‖ token), never the token. A salted SHA-256 rather than
//! argon2id because the token is random with 256 bits of entropy: nothing
//! is left for a slow hash to protect against, and every API request pays
//! for the check (a SHA-256 of 70 bytes is well under a microsecond).
//!
//! The gateway re-reads the file when its modification time or size
//! changes, so `operators revoke` takes effect on the next request without
//! a restart.

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq as _;

use super::Role;

const PREFIX: &str = "cocpat_";

/// What went wrong with the operators file.
#[derive(Debug, thiserror::Error)]
pub enum TokensError {
    /// It could not be read or written.
    #[error("operators file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// It is not a valid operators file.
    #[error("operators file {}: {reason}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line when TOML says it.
        reason: String,
    },
    /// The name is taken, unknown or malformed.
    #[error("{0}")]
    Name(String),
    /// The system's random source failed.
    #[error("no random bytes for a token: {0}")]
    Random(String),
}

/// One operator's entry, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The operator's name, as audit records show it.
    pub name: String,
    /// Their role.
    pub role: Role,
    /// The token's public id (the 8 hex digits after `cocpat_`).
    pub token_id: String,
    /// Hex of 16 random bytes.
    pub salt: String,
    /// Hex of SHA-256(salt bytes ‖ token).
    pub hash: String,
    /// When the token was made, RFC 3339 UTC.
    pub created: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    #[serde(default, rename = "operator")]
    operators: Vec<Entry>,
}

const HEADER: &str = "\
# coc-gateway operators: one entry per personal access token.
# Managed with `coc-gateway operators add|list|revoke`. Only a salted
# SHA-256 of each token is kept here; the token itself was shown once.
";

/// Operator names are what audit records and the policy file say: short,
/// printable, no spaces (they are also matched against proxy user names).
pub fn check_name(name: &str) -> Result<(), TokensError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(TokensError::Name(format!(
            "operator name {name:?} must be 1 to 64 characters of A-Z a-z 0-9 . _ - @"
        )))
    }
}

fn read(path: &Path) -> Result<File, TokensError> {
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(File::default()),
        Err(source) => {
            return Err(TokensError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    let file: File = toml::from_str(&text).map_err(|e| TokensError::Invalid {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    for e in &file.operators {
        check_name(&e.name).map_err(|err| TokensError::Invalid {
            path: path.to_owned(),
            reason: err.to_string(),
        })?;
    }
    Ok(file)
}

/// Writes atomically (a temporary file renamed over the old one), readable
/// by its owner only: the hashes are not secrets, but nobody else needs them.
fn write(path: &Path, file: &File) -> Result<(), TokensError> {
    let io_err = |source| TokensError::Io {
        path: path.to_owned(),
        source,
    };
    let body = toml::to_string(file).map_err(|e| TokensError::Invalid {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    let tmp = path.with_extension("toml.tmp");
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut out = options.open(&tmp).map_err(io_err)?;
    out.write_all(HEADER.as_bytes()).map_err(io_err)?;
    out.write_all(b"\n").map_err(io_err)?;
    out.write_all(body.as_bytes()).map_err(io_err)?;
    out.sync_all().map_err(io_err)?;
    drop(out);
    fs::rename(&tmp, path).map_err(io_err)
}

fn random<const N: usize>() -> Result<[u8; N], TokensError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| TokensError::Random(e.to_string()))?;
    Ok(buf)
}

fn digest(salt: &[u8], token: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(token.as_bytes());
    h.finalize().into()
}

/// Adds `name` with a new token and returns the token (shown once).
pub fn add(path: &Path, name: &str, role: Role, now: SystemTime) -> Result<String, TokensError> {
    check_name(name)?;
    let mut file = read(path)?;
    if file.operators.iter().any(|e| e.name == name) {
        return Err(TokensError::Name(format!(
            "operator {name:?} already exists in {}; `operators revoke {name}` first to give them a new token",
            path.display()
        )));
    }
    let token_id = hex::encode(random::<4>()?);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random::<32>()?);
    let token = format!("{PREFIX}{token_id}_{secret}");
    let salt = random::<16>()?;
    file.operators.push(Entry {
        name: name.to_owned(),
        role,
        token_id,
        salt: hex::encode(salt),
        hash: hex::encode(digest(&salt, &token)),
        created: crate::clock::rfc3339(now),
    });
    write(path, &file)?;
    Ok(token)
}

/// The operators, in file order.
pub fn list(path: &Path) -> Result<Vec<Entry>, TokensError> {
    Ok(read(path)?.operators)
}

/// Removes `name`; its token stops working at once.
pub fn revoke(path: &Path, name: &str) -> Result<(), TokensError> {
    let mut file = read(path)?;
    let before = file.operators.len();
    file.operators.retain(|e| e.name != name);
    if file.operators.len() == before {
        return Err(TokensError::Name(format!(
            "there is no operator {name:?} in {}",
            path.display()
        )));
    }
    write(path, &file)
}

/// Checks presented tokens against the operators file, re-reading it when
/// it changes.
#[derive(Debug)]
pub struct TokenStore {
    path: PathBuf,
    cache: Mutex<Cache>,
}

#[derive(Debug, Default)]
struct Cache {
    stamp: Option<(SystemTime, u64)>,
    entries: Vec<Entry>,
}

impl TokenStore {
    /// Opens `path`, which must exist: a tokens-mode gateway with no
    /// operators would refuse everyone, which is a mistake to say at start.
    pub fn open(path: &Path) -> Result<Self, TokensError> {
        if !path.is_file() {
            return Err(TokensError::Io {
                path: path.to_owned(),
                source: io::Error::new(
                    io::ErrorKind::NotFound,
                    "does not exist; create it with `coc-gateway operators add NAME --role ROLE`",
                ),
            });
        }
        let store = Self {
            path: path.to_owned(),
            cache: Mutex::default(),
        };
        store.refresh()?;
        Ok(store)
    }

    fn refresh(&self) -> Result<(), TokensError> {
        let meta = fs::metadata(&self.path).map_err(|source| TokensError::Io {
            path: self.path.clone(),
            source,
        })?;
        let stamp = (
            meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            meta.len(),
        );
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.stamp != Some(stamp) {
            cache.entries = read(&self.path)?.operators;
            cache.stamp = Some(stamp);
        }
        Ok(())
    }

    /// The entry whose token this is. An unreadable file refuses every
    /// token (fail closed) and says why in the error.
    pub fn verify(&self, token: &str) -> Result<Option<Entry>, TokensError> {
        self.refresh()?;
        let Some(id) = token
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once('_'))
            .map(|(id, _)| id)
        else {
            return Ok(None);
        };
        let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        for e in cache.entries.iter().filter(|e| e.token_id == id) {
            let (Ok(salt), Ok(want)) = (hex::decode(&e.salt), hex::decode(&e.hash)) else {
                continue;
            };
            if bool::from(digest(&salt, token).ct_eq(want.as_slice())) {
                return Ok(Some(e.clone()));
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_verify_revoke_and_no_token_in_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ops.toml");
        let t1 = add(&path, "ana", Role::Operator, SystemTime::UNIX_EPOCH).unwrap();
        let t2 = add(&path, "vera", Role::Viewer, SystemTime::UNIX_EPOCH).unwrap();
        assert!(t1.starts_with("cocpat_") && t1.len() > 50, "{t1}");
        let text = fs::read_to_string(&path).unwrap();
        let secret = t1.rsplit('_').next().unwrap();
        assert!(!text.contains(&t1) && !text.contains(secret), "{text}");
        assert!(add(&path, "ana", Role::Admin, SystemTime::UNIX_EPOCH).is_err());
        assert!(add(&path, "bad name", Role::Admin, SystemTime::UNIX_EPOCH).is_err());

        let store = TokenStore::open(&path).unwrap();
        assert_eq!(store.verify(&t1).unwrap().unwrap().name, "ana");
        assert_eq!(store.verify(&t2).unwrap().unwrap().role, Role::Viewer);
        // A changed character, a wrong prefix, a bare id: all refused.
        let mut forged = t1.clone();
        forged.pop();
        forged.push(if t1.ends_with('A') { 'B' } else { 'A' });
        assert!(store.verify(&forged).unwrap().is_none());
        assert!(store.verify("Bearer x").unwrap().is_none());
        assert!(store.verify("cocpat_").unwrap().is_none());

        revoke(&path, "ana").unwrap();
        assert!(
            store.verify(&t1).unwrap().is_none(),
            "revoked token still works"
        );
        assert!(store.verify(&t2).unwrap().is_some());
        assert!(revoke(&path, "ana").is_err());
        assert_eq!(list(&path).unwrap().len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn a_missing_or_broken_file_is_an_error_that_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ops.toml");
        let err = TokenStore::open(&path).unwrap_err().to_string();
        assert!(
            err.contains("ops.toml") && err.contains("operators add"),
            "{err}"
        );
        fs::write(&path, "[[operator]]\nname = 3\n").unwrap();
        let err = TokenStore::open(&path).unwrap_err().to_string();
        assert!(err.contains("ops.toml"), "{err}");
    }
}
