//! Unit tests of the engine, without HTTP.
