//! `gcheap-lua-syntax`: the front end of a Lua 5.4 implementation.
//!
//! This crate turns Lua 5.4 source (bytes) into a scope-resolved abstract
//! syntax tree that a compiler or interpreter can walk. It contains no
//! evaluation, no constant folding and no garbage-collected values: the
//! tree ([`ast`]) is plain owned data.
//!
//! * [`lexer`] reads tokens exactly as Lua 5.4 does (numerals, escapes,
//!   long brackets, comments, line counting) with Lua's error messages;
//! * [`parse`] runs the recursive-descent parser, which follows Lua's
//!   grammar, operator precedence and error texts, and resolves every name
//!   to a local slot, an upvalue (with capture descriptors) or a global
//!   (`_ENV.name`), checking `goto`/label and `<const>` rules;
//! * [`pretty`] prints trees back as fully parenthesised Lua, handy for
//!   tests and debugging; [`visit`] lists nested functions in Lua's
//!   prototype order.
//!
//! What follows Lua 5.4.4 exactly (checked against the reference
//! implementation): the accepted language, every error message and the
//! line it reports (except that the nesting limit is counted as for a
//! top-level `lua -e` chunk), and for every function its parameters,
//! vararg flag, line range, local names in order and upvalue descriptors
//! (as listed by `luac -l -l`). Differences: `<const>` locals get a slot
//! like any other local (Lua folds compile-time constants away), and
//! while calls carry Lua's line (where the callee starts), other
//! expressions carry the line of their operator, `.`/`[` or name token,
//! which in expressions spanning lines can differ from the line of the
//! instruction `luac` emits.
//!
//! ```
//! let chunk = gcheap_lua_syntax::parse(b"local x = 1 + 2 * 3 return x", "=example").unwrap();
//! assert_eq!(chunk.to_string(), "local x = (1 + (2 * 3))\nreturn x");
//! let err = gcheap_lua_syntax::parse(b"x = = 1", "=example").unwrap_err();
//! assert_eq!(err.to_string(), "example:1: unexpected symbol near '='");
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

pub mod ast;
pub mod error;
pub mod lexer;
mod parser;
pub mod pretty;
mod scope;
pub mod token;
pub mod visit;

pub use error::{SyntaxError, SyntaxErrorKind, chunk_id};

/// Parses a Lua 5.4 chunk.
///
/// `chunk_name` follows Lua's conventions (`=name`, `@filename`, or the
/// source itself) and is used for error messages; the returned
/// [`ast::Chunk`] holds the main function, which is vararg and has the
/// single upvalue `_ENV`. Like Lua's `load`, a first line starting with
/// `#` is *not* skipped; use [`strip_file_prefix`] for file contents.
pub fn parse(source: &[u8], chunk_name: &str) -> Result<ast::Chunk, SyntaxError> {
    parser::parse_chunk(source, chunk_name).map_err(|e| *e)
}

/// Prepares the contents of a Lua source *file* the way `luaL_loadfile`
/// does before parsing: skips a UTF-8 byte-order mark, then a first line
/// starting with `#` (such as `#!/usr/bin/env lua`), keeping a newline in
/// its place so that line numbers are unchanged.
///
/// ```
/// let src = gcheap_lua_syntax::strip_file_prefix(b"#!/usr/bin/lua\nreturn 1");
/// assert_eq!(&*src, b"\nreturn 1");
/// assert_eq!(&*gcheap_lua_syntax::strip_file_prefix(b"\xEF\xBB\xBFx = 1"), b"x = 1");
/// ```
pub fn strip_file_prefix(source: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let source = source.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(source);
    if source.first() != Some(&b'#') {
        return std::borrow::Cow::Borrowed(source);
    }
    match source.iter().position(|&c| c == b'\n') {
        Some(nl) => std::borrow::Cow::Borrowed(&source[nl..]),
        None => std::borrow::Cow::Owned(b"\n".to_vec()),
    }
}
