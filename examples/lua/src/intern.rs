//! Interned strings: one heap string per distinct text among a state's compile-time constants,
//! library names and metamethod names.
//!
//! Lua compares strings by content, and so does this interpreter; interning only makes the
//! common case cheap: a field written with a constant key and read with the same constant (in
//! any function of any chunk) holds the very same `Gc` string, so the table lookup's key
//! comparison is a pointer comparison. Strings made while a script runs (concatenations,
//! `string.*` results) are not interned, so the collector can free them; the interned ones
//! live as long as the state, as the prototypes holding them usually do.

use std::collections::HashMap;

use gcheap::{Gc, Mutation, Trace};

use crate::value::LuaStr;

/// A state's interned strings.
#[derive(Trace, Default)]
pub struct Interner<'gc> {
    strings: Vec<Gc<'gc, LuaStr<'gc>>>,
    /// Text -> index in `strings`.
    #[trace(static)]
    index: HashMap<Box<[u8]>, usize>,
}

impl<'gc> Interner<'gc> {
    /// The interned string with the text `s`, made on first use.
    pub fn intern(&mut self, mc: &Mutation<'gc>, s: &[u8]) -> Gc<'gc, LuaStr<'gc>> {
        if let Some(&i) = self.index.get(s) {
            return self.strings[i];
        }
        let g = LuaStr::new(mc, s);
        self.index.insert(s.into(), self.strings.len());
        self.strings.push(g);
        g
    }
}

impl std::fmt::Debug for Interner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner")
            .field("strings", &self.strings.len())
            .finish()
    }
}
