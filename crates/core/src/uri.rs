//! The URL pieces that requests, signing and verification all share: the
//! one percent-encoding set and the URL splitter.
//!
//! They live apart so that `endpoint` (which builds URLs), `http` (which
//! reads them back) and `sign` (which canonicalises them) each depend on
//! this module instead of on one another. This is not a URL parser: base
//! URLs are checked by [`crate::BaseUrl::parse`], and `split_url` only cuts
//! a URL this crate built, or one a verifier received, where the signer
//! needs it cut.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything except the unreserved characters `A-Z a-z 0-9 - _ . ~`.
///
/// Paths and query values on the wire use exactly the set the signer uses
/// for its canonical form, so what is signed is what is sent.
pub(crate) const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `s` percent-encoded (everything but `A-Z a-z 0-9 - _ . ~`), for a path
/// segment or a query value: what the core sends and signs. The console's
/// own URLs use it too, so an id or a filter is written one way everywhere.
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, ENCODE).to_string()
}

/// The pieces of a URL the signer needs. Relative URLs (`/path?q`) have an
/// empty authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// `host[:port]`, or empty.
    pub authority: &'a str,
    /// `/path`, `/` when empty.
    pub path: &'a str,
    /// The query without `?`, possibly empty.
    pub query: &'a str,
    /// Path and query as on the request line.
    pub path_and_query: &'a str,
}

/// Splits an absolute or origin-relative URL; a fragment is dropped.
pub fn split_url(url: &str) -> UrlParts<'_> {
    let url = url.split('#').next().unwrap_or_default();
    let (authority, rest) = match url.split_once("://") {
        Some((_, after)) => match after.find(['/', '?']) {
            Some(i) => (&after[..i], &after[i..]),
            None => (after, ""),
        },
        None => ("", url),
    };
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    UrlParts {
        authority,
        path: if path.is_empty() { "/" } else { path },
        query,
        path_and_query: if rest.is_empty() { "/" } else { rest },
    }
}
