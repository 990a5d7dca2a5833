//! Reading query strings into operations: the value parsers behind the
//! `from_query` constructors, with which a gateway or a simulator reads an
//! incoming request and a console reads its own URL.
//!
//! The pairs arrive already percent-decoded; splitting a query string and
//! decoding it is the caller's HTTP library's job. Which keys an operation
//! accepts, and the checks on the values taken together, stay with the
//! operation in `ops.rs`.

use crate::Error;
use crate::model::KeyValue;

/// Parses `k1=v1,k2=v2` (the `tags` filter); empty means no tags.
pub fn parse_tags(s: &str) -> Result<Vec<KeyValue>, Error> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                Ok(KeyValue::new(k.trim(), v.trim()))
            }
            _ => Err(Error::invalid(
                "tags",
                format!("{p:?} is not key=value (tags look like env=prod,team=ops)"),
            )),
        })
        .collect()
}

/// The error for a query key the operation does not know: listing the
/// known ones spares the caller a trip to the docs.
pub(crate) fn unknown_query_key(key: &str, known: &str) -> Error {
    Error::invalid(
        "query",
        format!("unknown parameter {key:?}; known: {known}"),
    )
}

/// A number from a query value; surrounding spaces are forgiven.
pub(crate) fn parse_num<T: std::str::FromStr>(field: &'static str, v: &str) -> Result<T, Error> {
    v.trim()
        .parse()
        .map_err(|_| Error::invalid(field, format!("{v:?} is not a whole number in range")))
}

/// `true` or `false`, exactly, as the service's own query values are.
pub(crate) fn parse_bool(field: &'static str, v: &str) -> Result<bool, Error> {
    match v {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Error::invalid(field, format!("{v:?} is not true or false"))),
    }
}
