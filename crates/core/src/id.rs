//! Validated identifiers.
//!
//! Ids end up in URL paths and query strings. Percent-encoding alone would
//! make any string safe on the wire, but a proxy or gateway that decodes
//! before routing (many do) would turn `a%2F..%2Fb` back into a path escape.
//! So ids are checked before anything is built, and a refused id names the
//! field and the offending character.

use std::fmt;

use crate::Error;

/// The longest id accepted. Real ids are about 26 characters
/// (`EX2025070121014501xxxxxx`); anything near this limit is a paste accident.
pub const MAX_ID_LEN: usize = 128;

/// Checks one id value for `field`: `Ok(())` when it may go into a URL,
/// otherwise [`Error::InvalidArgument`] naming `field` and what is wrong.
pub fn validate_id(field: &'static str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    let len = value.chars().count();
    if len > MAX_ID_LEN {
        return Err(Error::invalid(
            field,
            format!("is {len} characters long; at most {MAX_ID_LEN} are allowed"),
        ));
    }
    if value == "." || value.contains("..") {
        return Err(Error::invalid(field, "must not contain \"..\" or be \".\""));
    }
    for c in value.chars() {
        let what = match c {
            '/' => "a slash \"/\"",
            '\\' => "a backslash \"\\\"",
            '?' => "a question mark \"?\"",
            '#' => "a hash \"#\"",
            '%' => "a percent sign \"%\"",
            c if c.is_control() => "a control character",
            c if is_invisible(c) => "an invisible or bidirectional-control character",
            c if c.is_whitespace() => "whitespace",
            _ => continue,
        };
        return Err(Error::invalid(
            field,
            format!("must not contain {what} (found {:?})", c),
        ));
    }
    Ok(())
}

/// Zero-width and bidirectional-control characters. They are neither
/// control characters (`Cc`) nor whitespace to `char`, yet in a console an
/// id carrying one can display as a different ticket's (U+202E reverses
/// what follows; U+200B shows nothing at all).
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $field:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            /// The API's name for this field.
            pub const FIELD: &'static str = $field;

            /// Validates `value` (see the module docs for the rules).
            pub fn parse(value: &str) -> Result<Self, Error> {
                validate_id($field, value)?;
                Ok(Self(value.to_owned()))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                Self::parse(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

id_type!(
    /// A ticket id (`execution_id`), e.g. `EX2025070121014501xxxxxx`.
    ExecutionId,
    "execution_id"
);
id_type!(
    /// A job id (`document_id`), e.g. `DM2025070118023901xxxxxx`.
    DocumentId,
    "document_id"
);
id_type!(
    /// A step id (`execution_step_id`).
    StepId,
    "execution_step_id"
);
