//! Who is calling, and what they may do.
//!
//! Three ways to know the operator ([`OperatorsConfig`]): `local` (one
//! operator, for a gateway on loopback), `proxy` (an identity-aware proxy
//! in front has signed the user in and says who it is in headers, which are
//! believed only from [`OperatorsConfig::Proxy::trusted`] source addresses),
//! and `tokens` (personal access tokens, [`tokens`]). [`Authenticator`]
//! turns a request into an [`Identity`] or a 401; [`Policy`] turns an
//! identity into [`Grants`].
//!
//! This is about operators only. How the gateway authenticates to COC
//! (AK/SK signing, IAM-token pass-through) is `crate::forward`'s business,
//! and every combination of the two works.

pub mod policy;
pub mod tokens;

use std::net::IpAddr;
use std::path::PathBuf;

use axum::http::{HeaderMap, HeaderName, header};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

pub use policy::{Grants, Policy, PolicyError};
pub use tokens::TokenStore;

use crate::error::GatewayError;

/// The built-in roles. Each includes the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads tickets and the audit trail.
    Viewer,
    /// Also RESUME, RETRY, SKIP_BATCH and TERMINATE.
    Operator,
    /// Also ExecuteDocument.
    Admin,
}

impl Role {
    /// `viewer`, `operator` or `admin`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }

    /// Parses [`Role::as_str`]'s spelling.
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "viewer" => Ok(Role::Viewer),
            "operator" => Ok(Role::Operator),
            "admin" => Ok(Role::Admin),
            other => Err(format!(
                "{other:?} is not a role; use viewer, operator or admin"
            )),
        }
    }
}

/// The header names an identity-aware proxy uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyHeaders {
    /// The user name (required on every request through the proxy).
    pub user: HeaderName,
    /// The e-mail (optional).
    pub email: HeaderName,
    /// Groups, comma-separated (optional).
    pub groups: HeaderName,
}

impl Default for ProxyHeaders {
    fn default() -> Self {
        Self {
            user: HeaderName::from_static("x-forwarded-user"),
            email: HeaderName::from_static("x-forwarded-email"),
            groups: HeaderName::from_static("x-forwarded-groups"),
        }
    }
}

impl ProxyHeaders {
    fn all(&self) -> [&HeaderName; 3] {
        [&self.user, &self.email, &self.groups]
    }
}

/// How the gateway knows operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperatorsConfig {
    /// One operator: whoever can reach the (loopback) port.
    Local {
        /// Their name in audit records.
        name: String,
    },
    /// An identity-aware proxy in front says who the user is.
    Proxy {
        /// Which headers it uses.
        headers: ProxyHeaders,
        /// Source addresses whose identity headers are believed.
        trusted: Vec<IpNet>,
    },
    /// Personal access tokens from the operators file.
    Tokens {
        /// The operators file.
        file: PathBuf,
    },
}

impl Default for OperatorsConfig {
    fn default() -> Self {
        OperatorsConfig::Local {
            name: "local".to_owned(),
        }
    }
}

impl OperatorsConfig {
    /// `local`, `proxy` or `tokens`, as `/gateway/v1/me` says it.
    pub fn mode(&self) -> &'static str {
        match self {
            OperatorsConfig::Local { .. } => "local",
            OperatorsConfig::Proxy { .. } => "proxy",
            OperatorsConfig::Tokens { .. } => "tokens",
        }
    }
}

/// Who the gateway takes the caller to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Name, as audit records show it.
    pub name: String,
    /// E-mail, from a proxy.
    pub email: Option<String>,
    /// Groups, from a proxy.
    pub groups: Vec<String>,
    /// The role the mode itself gives: the token's in tokens mode, admin
    /// for the local operator, none for a proxy user (the policy decides).
    pub base_role: Option<Role>,
    /// The address the request came from, and for a trusted proxy the
    /// client it forwarded for (`203.0.113.5 via 127.0.0.1`).
    pub source: String,
}

/// Resolves identities for one configuration.
#[derive(Debug)]
pub struct Authenticator {
    config: OperatorsConfig,
    tokens: Option<TokenStore>,
}

impl Authenticator {
    /// Opens what the mode needs (the operators file for tokens).
    pub fn new(config: OperatorsConfig) -> Result<Self, tokens::TokensError> {
        let tokens = match &config {
            OperatorsConfig::Tokens { file } => Some(TokenStore::open(file)?),
            _ => None,
        };
        Ok(Self { config, tokens })
    }

    /// The configuration.
    pub fn config(&self) -> &OperatorsConfig {
        &self.config
    }

    /// Who sent a request with these headers from `peer`. Identity headers
    /// from an address that is not a trusted proxy are refused, never
    /// ignored: their presence means someone tried to claim an identity.
    pub fn identify(
        &self,
        headers: &HeaderMap,
        peer: Option<IpAddr>,
    ) -> Result<Identity, GatewayError> {
        let peer_text = peer.map_or_else(|| "unknown".to_owned(), |p| p.to_string());
        match &self.config {
            OperatorsConfig::Local { name } => Ok(Identity {
                name: name.clone(),
                email: None,
                groups: Vec::new(),
                base_role: Some(Role::Admin),
                source: peer_text,
            }),
            OperatorsConfig::Proxy {
                headers: names,
                trusted,
            } => {
                let trusted_peer = peer.is_some_and(|p| trusted.iter().any(|n| n.contains(&p)));
                let claimed: Vec<&str> = names
                    .all()
                    .into_iter()
                    .filter(|n| headers.contains_key(*n))
                    .map(HeaderName::as_str)
                    .collect();
                if !trusted_peer {
                    if !claimed.is_empty() {
                        tracing::warn!(
                            target: "coc_gateway::security",
                            source = %peer_text,
                            headers = %claimed.join(","),
                            "identity headers from an untrusted source address refused"
                        );
                        return Err(GatewayError::untrusted_identity(&peer_text));
                    }
                    return Err(GatewayError::unauthenticated(
                        "this gateway knows operators through its identity-aware proxy; sign in through the proxy",
                    ));
                }
                let text = |name: &HeaderName| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_owned)
                };
                let Some(user) = text(&names.user) else {
                    return Err(GatewayError::unauthenticated(&format!(
                        "the proxy sent no {} header",
                        names.user
                    )));
                };
                if user.chars().count() > 256 || user.chars().any(char::is_control) {
                    return Err(GatewayError::unauthenticated(&format!(
                        "the proxy's {} header is not a usable user name",
                        names.user
                    )));
                }
                let groups = text(&names.groups)
                    .map(|g| {
                        g.split(',')
                            .map(str::trim)
                            .filter(|g| !g.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                // The last entry is the one the trusted proxy itself added;
                // anything before it came from the client and may be forged.
                let forwarded_for = headers
                    .get("x-forwarded-for")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.rsplit(',').next())
                    .map(str::trim)
                    .and_then(|v| v.parse::<IpAddr>().ok());
                Ok(Identity {
                    name: user,
                    email: text(&names.email),
                    groups,
                    base_role: None,
                    source: match forwarded_for {
                        Some(client) => format!("{client} via {peer_text}"),
                        None => peer_text,
                    },
                })
            }
            OperatorsConfig::Tokens { file } => {
                let Some(value) = headers.get(header::AUTHORIZATION) else {
                    return Err(GatewayError::unauthenticated(
                        "send your operator token as Authorization: Bearer <token> (the console takes it in Settings)",
                    ));
                };
                let token = value
                    .to_str()
                    .ok()
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .map(str::trim)
                    .ok_or_else(|| {
                        GatewayError::unauthenticated(
                            "the Authorization header is not \"Bearer <operator token>\"",
                        )
                    })?;
                let store = self.tokens.as_ref().ok_or_else(|| {
                    GatewayError::internal("tokens mode without an operators file")
                })?;
                match store.verify(token) {
                    Ok(Some(entry)) => Ok(Identity {
                        name: entry.name,
                        email: None,
                        groups: Vec::new(),
                        base_role: Some(entry.role),
                        source: peer_text,
                    }),
                    Ok(None) => Err(GatewayError::unauthenticated(
                        "the operator token is not valid: mistyped, or revoked",
                    )),
                    Err(e) => {
                        tracing::error!(file = %file.display(), error = %e, "cannot read the operators file; refusing every token");
                        Err(GatewayError::unauthenticated(
                            "the gateway cannot read its operators file; ask its administrator",
                        ))
                    }
                }
            }
        }
    }

    /// Headers that carry identity (the proxy's, `Authorization`): removed
    /// from every request once read, so that no later layer can see them.
    pub fn strip(&self, headers: &mut HeaderMap) {
        headers.remove(header::AUTHORIZATION);
        if let OperatorsConfig::Proxy { headers: names, .. } = &self.config {
            for name in names.all() {
                headers.remove(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxy() -> Authenticator {
        Authenticator::new(OperatorsConfig::Proxy {
            headers: ProxyHeaders::default(),
            trusted: vec!["127.0.0.1/32".parse().unwrap()],
        })
        .unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn proxy_headers_are_believed_only_from_trusted_sources() {
        let a = proxy();
        let h = headers(&[
            ("x-forwarded-user", "ana"),
            ("x-forwarded-email", "ana@example.com"),
            ("x-forwarded-groups", "sre, oncall"),
            ("x-forwarded-for", "198.51.100.66, 203.0.113.5"),
        ]);
        let id = a.identify(&h, Some("127.0.0.1".parse().unwrap())).unwrap();
        assert_eq!(id.name, "ana");
        assert_eq!(id.groups, ["sre", "oncall"]);
        assert_eq!(id.source, "203.0.113.5 via 127.0.0.1");
        let err = a
            .identify(&h, Some("127.0.0.2".parse().unwrap()))
            .unwrap_err();
        assert_eq!(err.code, "GATEWAY.UNTRUSTED_IDENTITY");
        let err = a.identify(&HeaderMap::new(), None).unwrap_err();
        assert_eq!(err.code, "GATEWAY.UNAUTHENTICATED");
        let err = a
            .identify(
                &headers(&[("x-forwarded-email", "x@y")]),
                Some("127.0.0.1".parse().unwrap()),
            )
            .unwrap_err();
        assert!(err.message.contains("x-forwarded-user"), "{err}");
        let mut h = h;
        a.strip(&mut h);
        assert!(!h.contains_key("x-forwarded-user") && !h.contains_key("x-forwarded-groups"));
    }
}
