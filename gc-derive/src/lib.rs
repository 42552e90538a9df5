//! # gcheap-derive
//!
//! `#[derive(Trace)]` for gcheap. Empty until the collector issue lands.
