//! Placeholder: full-stack tests land with issue 4.
