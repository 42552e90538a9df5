//! gcheap-lua: a Lua 5.4 whose every value lives on a gcheap heap.
//!
//! The crates it is built from, in reading order:
//!
//! - `gcheap-lua-syntax` (`crates/syntax`): the lexer, the parser and scope resolution, from
//!   source bytes to a plain AST whose names are resolved to local slots, upvalues and globals;
//! - `gcheap-lua-strlib` (`crates/strlib`): the byte-string core of the string library (Lua
//!   patterns, `string.format`, number formatting and parsing), independent of any heap;
//! - this crate: the values on the heap ([`value`], [`intern`]), tables ([`table`],
//!   [`weak_table`]), functions ([`function`]), the bytecode ([`opcode`]) and its compiler
//!   ([`compiler`]), the interpreter ([`vm`]: the loop, coroutines, errors, metamethods,
//!   finalizers), the standard library ([`stdlib`]) and the state that runs chunks ([`Lua`]).
//!
//! ```
//! let mut lua = gcheap_lua::Lua::new();
//! let mut out = Vec::new();
//! lua.run(b"local t = setmetatable({}, {__index = function(_, k) return k * 2 end}) print(t[21])",
//!         "example", &mut out).unwrap();
//! assert_eq!(out, b"42\n");
//! ```
//!
//! The corpus in `tests/corpus/` holds Lua scripts with the output PUC Lua 5.4 prints for each.

#![warn(missing_docs, missing_debug_implementations)]

pub mod compiler;
pub mod function;
pub mod intern;
mod lua;
pub mod opcode;
pub mod stdlib;
pub mod table;
pub mod value;
pub mod vm;
pub mod weak_table;

pub use lua::Lua;
pub use table::{Table, TableData};
pub use value::{KeyError, LuaStr, Value};
