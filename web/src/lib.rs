//! Placeholder: the console lands with issue 4.
