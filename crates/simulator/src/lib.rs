//! Placeholder: the simulator lands with issue 3.
