//! Code shared by the collector's integration tests.
//!
//! Each test binary that declares `mod common;` compiles all of it and uses only part of it, so
//! the parts one binary leaves unused are not dead code.
#![allow(dead_code)]

pub mod drops;
pub mod model;
