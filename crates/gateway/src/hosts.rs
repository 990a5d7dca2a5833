//! Which `Host` names the gateway answers to.
//!
//! A DNS-rebinding page (`http://rebind.evil.example:8080`, whose name is
//! made to resolve to 127.0.0.1 after it has loaded) talks to a gateway on
//! loopback as its own origin: the browser sends `Host:
//! rebind.evil.example:8080` and the matching `Origin`, so an origin check
//! that trusts `Host` lets it operate tickets with the gateway's AK/SK. The
//! page cannot choose the `Host` header, though: it is always the page's own
//! name. So the gateway answers only to names it was told are its own, and
//! refuses every other with `421 GATEWAY.HOST_NOT_ALLOWED` before routing.
//!
//! Accepted, port ignored (the port is whatever the client dialled, which a
//! proxy or a port forward may change):
//!
//! - the listen address itself, when it is a specific address;
//! - `localhost`, `127.0.0.1` and `[::1]`, when listening on a loopback or
//!   an unspecified (`0.0.0.0`, `[::]`) address;
//! - any IP address, when listening on an unspecified address: the
//!   machine's own addresses cannot be listed here, and a rebinding page's
//!   `Host` is always a name, never an address;
//! - every `--public-host` (`coc.example.com`, or `coc.example.com:8443` to
//!   pin the port too).
//!
//! A request without `Host` (HTTP/1.0 tools) passes: browsers always send
//! one. More than one `Host` is refused.

use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, header};

use crate::error::GatewayError;

/// The names this gateway answers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPolicy {
    /// Lowercase names (IPv6 in brackets) and, when pinned, their port.
    names: Vec<(String, Option<u16>)>,
    any_ip: bool,
}

/// A `--public-host` value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid --public-host {value:?}: {reason}")]
pub struct HostError {
    value: String,
    reason: &'static str,
}

impl HostPolicy {
    /// The names for a gateway listening on `listen` and reached as `public`.
    pub fn new<S: AsRef<str>>(listen: SocketAddr, public: &[S]) -> Result<Self, HostError> {
        let mut names = Vec::new();
        let ip = listen.ip();
        if !ip.is_unspecified() {
            names.push((ip_name(ip), None));
        }
        if ip.is_loopback() || ip.is_unspecified() {
            for name in ["localhost", "127.0.0.1", "[::1]"] {
                names.push((name.to_owned(), None));
            }
        }
        for raw in public {
            let raw = raw.as_ref();
            let bad = |reason| HostError {
                value: raw.to_owned(),
                reason,
            };
            let value = raw.trim();
            if value.contains("://") {
                return Err(bad(
                    "name the host as a browser sends it in Host (coc.example.com or coc.example.com:8443), without a scheme; a page's origin goes in --allow-origin",
                ));
            }
            let (name, port) = split_host(value).ok_or_else(|| {
                bad("must be a host name or address, with an optional :port, and nothing else")
            })?;
            if name.is_empty() || name.contains('*') {
                return Err(bad("must name one host (no wildcard)"));
            }
            let entry = (name, port);
            if !names.contains(&entry) {
                names.push(entry);
            }
        }
        names.dedup();
        Ok(Self {
            names,
            any_ip: ip.is_unspecified(),
        })
    }

    /// Refuses a request whose `Host` is not one of the gateway's names.
    pub(crate) fn check(&self, headers: &HeaderMap) -> Result<(), GatewayError> {
        let mut hosts = headers.get_all(header::HOST).iter();
        let Some(host) = hosts.next() else {
            return Ok(());
        };
        if hosts.next().is_some() {
            return Err(GatewayError::bad_header("more than one Host header"));
        }
        let text = String::from_utf8_lossy(host.as_bytes());
        if self.allows(&text) {
            Ok(())
        } else {
            Err(GatewayError::host_not_allowed(&text))
        }
    }

    fn allows(&self, host: &str) -> bool {
        let Some((name, port)) = split_host(host) else {
            return false;
        };
        if self.any_ip && is_ip_literal(&name) {
            return true;
        }
        self.names
            .iter()
            .any(|(n, p)| *n == name && (p.is_none() || *p == port))
    }
}

/// `127.0.0.1`, `[::1]`: an address as it appears in a `Host` header.
fn ip_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

fn is_ip_literal(name: &str) -> bool {
    match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => name.parse::<std::net::Ipv4Addr>().is_ok(),
    }
}

/// `Name:8080` → (`name`, 8080); `[::1]:80` → (`[::1]`, 80); a trailing
/// dot (`localhost.`) is the same name. `None` for anything that is not a
/// `Host` value (a path, user info, spaces, an unbracketed IPv6 address).
fn split_host(host: &str) -> Option<(String, Option<u16>)> {
    let (name, port) = if host.starts_with('[') {
        let end = host.find(']')?;
        let (name, rest) = host.split_at(end + 1);
        let port = match rest {
            "" => None,
            _ => Some(rest.strip_prefix(':')?),
        };
        // Normalised through the parser, so [::0001] is [::1].
        let v6: std::net::Ipv6Addr = name[1..name.len() - 1].parse().ok()?;
        (format!("[{v6}]"), port)
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) => (name.to_owned(), Some(port)),
            None => (host.to_owned(), None),
        }
    };
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok()?),
        None => None,
    };
    let name = name.strip_suffix('.').unwrap_or(&name).to_ascii_lowercase();
    let valid = name.starts_with('[')
        || name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '*'));
    valid.then_some((name, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(listen: &str, public: &[&str]) -> HostPolicy {
        HostPolicy::new(listen.parse().unwrap(), public).unwrap()
    }

    #[test]
    fn loopback_answers_to_its_names_only() {
        let p = policy("127.0.0.1:8080", &[]);
        for ok in [
            "127.0.0.1:8080",
            "127.0.0.1",
            "localhost:8080",
            "LOCALHOST:9000",
            "localhost.:8080",
            "[::1]:8080",
            "[0:0:0:0:0:0:0:1]:8080",
        ] {
            assert!(p.allows(ok), "{ok}");
        }
        for bad in [
            "rebind.evil.example:8080",
            "127.0.0.2:8080",
            "10.0.0.1:8080",
            "localhost.evil.example",
            "evil.example:8080@localhost",
            "localhost:80x",
            "",
            "::1",
        ] {
            assert!(!p.allows(bad), "{bad}");
        }
    }

    #[test]
    fn public_hosts_and_unspecified_listeners() {
        let p = policy("0.0.0.0:8080", &["Coc.Example.com", "gw.example.com:8443"]);
        for ok in [
            "coc.example.com",
            "coc.example.com:443",
            "gw.example.com:8443",
            "192.0.2.7:8080",
            "[2001:db8::1]:8080",
            "localhost:8080",
        ] {
            assert!(p.allows(ok), "{ok}");
        }
        for bad in ["gw.example.com:9999", "gw.example.com", "evil.example"] {
            assert!(!p.allows(bad), "{bad}");
        }
        let specific = policy("192.0.2.7:8080", &[]);
        assert!(specific.allows("192.0.2.7:8080"));
        assert!(!specific.allows("localhost:8080"));
        assert!(!specific.allows("192.0.2.8:8080"));
        for bad in [
            "https://coc.example.com",
            "*.example.com",
            "a/b",
            "a b",
            ":80",
        ] {
            assert!(
                HostPolicy::new("127.0.0.1:1".parse().unwrap(), &[bad]).is_err(),
                "{bad}"
            );
        }
    }
}
