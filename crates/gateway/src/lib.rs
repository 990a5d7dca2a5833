//! Placeholder: the gateway lands with issue 3.
