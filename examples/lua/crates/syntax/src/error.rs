//! Errors: lexical errors ([`LexError`]), syntax errors ([`SyntaxError`])
//! and Lua's chunk-name formatting.
//!
//! A [`LexError`] is what the lexer reports on its own: a
//! [`LexErrorKind`], the line, and the "near" text taken from the partial
//! token buffer exactly as Lua builds it.
//!
//! A [`SyntaxError`] holds the message text exactly as Lua 5.4 words it
//! (`unexpected symbol near 'x'`, `'end' expected (to close 'function' at
//! line 3) near <eof>`, `attempt to assign to const variable 'x'`), the
//! line Lua reports, and the chunk name. Its `Display` form is what
//! `load` returns in Lua, e.g. `[string "x = = 1"]:1: unexpected symbol
//! near '='`, using [`chunk_id`] to abbreviate the chunk name the way
//! `luaO_chunkid` does.

use std::fmt;

/// What went wrong while lexing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexErrorKind {
    /// A quoted string runs into a line break or the end of the source.
    UnfinishedString,
    /// A long string is not closed; carries its starting line.
    UnfinishedLongString(u32),
    /// A long comment is not closed; carries its starting line.
    UnfinishedLongComment(u32),
    /// `[=` not followed by `[`.
    InvalidLongStringDelimiter,
    /// A numeral that Lua cannot convert (`3x`, `0x`, `1e`).
    MalformedNumber,
    /// A backslash followed by an unknown character.
    InvalidEscape,
    /// `\ddd` above 255.
    DecimalEscapeTooLarge,
    /// `\x` not followed by two hex digits (or `\u{` by one).
    HexDigitExpected,
    /// `\u` not followed by `{`.
    MissingOpeningBrace,
    /// `\u{XXX` not closed by `}`.
    MissingClosingBrace,
    /// `\u{XXX}` above 2^31.
    Utf8ValueTooLarge,
}

impl fmt::Display for LexErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LexErrorKind::UnfinishedString => write!(f, "unfinished string"),
            LexErrorKind::UnfinishedLongString(l) => {
                write!(f, "unfinished long string (starting at line {l})")
            }
            LexErrorKind::UnfinishedLongComment(l) => {
                write!(f, "unfinished long comment (starting at line {l})")
            }
            LexErrorKind::InvalidLongStringDelimiter => {
                write!(f, "invalid long string delimiter")
            }
            LexErrorKind::MalformedNumber => write!(f, "malformed number"),
            LexErrorKind::InvalidEscape => write!(f, "invalid escape sequence"),
            LexErrorKind::DecimalEscapeTooLarge => write!(f, "decimal escape too large"),
            LexErrorKind::HexDigitExpected => write!(f, "hexadecimal digit expected"),
            LexErrorKind::MissingOpeningBrace => write!(f, "missing '{{'"),
            LexErrorKind::MissingClosingBrace => write!(f, "missing '}}'"),
            LexErrorKind::Utf8ValueTooLarge => write!(f, "UTF-8 value too large"),
        }
    }
}

/// A lexical error, displayed as Lua does without the chunk name:
/// `1: unfinished string near '"abc'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    /// What went wrong.
    pub kind: LexErrorKind,
    /// The line where the error was detected.
    pub line: u32,
    /// The quoted text of the offending token (`'"abc'`) or `<eof>`, as
    /// bytes.
    pub near: Vec<u8>,
}

impl LexError {
    /// The message without the line: `unfinished string near '"abc'`.
    pub fn message(&self) -> Vec<u8> {
        let mut m = format!("{} near ", self.kind).into_bytes();
        m.extend_from_slice(&self.near);
        m
    }
}

impl fmt::Display for LexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}",
            self.line,
            String::from_utf8_lossy(&self.message())
        )
    }
}

impl std::error::Error for LexError {}

/// The broad class of a syntax error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    /// An error found by the lexer.
    Lexical(LexErrorKind),
    /// A grammar error (`... near 'token'`).
    Syntax,
    /// A scope or semantic error reported without a token (`goto`/label
    /// problems, const assignment, attributes).
    Semantic,
    /// A limit of the reference implementation was exceeded (200 locals,
    /// 255 upvalues).
    Limit,
    /// The source nests too deeply (more than 200 levels); Lua reports
    /// this as `C stack overflow` without a position.
    TooDeep,
}

/// An error detected while lexing or parsing a chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// The chunk name given to [`crate::parse`].
    pub chunk_name: String,
    /// The line Lua reports.
    pub line: u32,
    /// The message without position, e.g. `'=' expected near 'x'`, as
    /// bytes: it quotes source text, which need not be UTF-8.
    pub message: Vec<u8>,
    /// The class of error.
    pub kind: SyntaxErrorKind,
}

impl SyntaxError {
    /// Builds an error from a lexer error.
    pub fn from_lex(chunk_name: &str, e: LexError) -> Self {
        SyntaxError {
            chunk_name: chunk_name.to_string(),
            line: e.line,
            message: e.message(),
            kind: SyntaxErrorKind::Lexical(e.kind),
        }
    }

    /// The message as text (invalid UTF-8 replaced).
    pub fn message_text(&self) -> String {
        String::from_utf8_lossy(&self.message).into_owned()
    }

    /// The message with its line, as in `LINE: MESSAGE` (what follows the
    /// chunk id in Lua's message); for [`SyntaxErrorKind::TooDeep`] just
    /// the message.
    pub fn line_message(&self) -> String {
        if self.kind == SyntaxErrorKind::TooDeep {
            self.message_text()
        } else {
            format!("{}: {}", self.line, self.message_text())
        }
    }

    /// The complete message exactly as Lua's `load` would return it, as
    /// bytes: `chunkid:LINE: MESSAGE`.
    pub fn to_bytes(&self) -> Vec<u8> {
        if self.kind == SyntaxErrorKind::TooDeep {
            return self.message.clone();
        }
        let mut out = format!("{}:{}: ", chunk_id(&self.chunk_name), self.line).into_bytes();
        out.extend_from_slice(&self.message);
        out
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", String::from_utf8_lossy(&self.to_bytes()))
    }
}

impl std::error::Error for SyntaxError {}

const ID_SIZE: usize = 60;

/// Formats a chunk name for messages like Lua's `luaO_chunkid`: `=name`
/// gives `name`, `@file` gives `file` (keeping the end of long names after
/// `...`), anything else gives `[string "first line..."]`.
pub fn chunk_id(name: &str) -> String {
    let bytes = name.as_bytes();
    let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    if let Some(rest) = bytes.strip_prefix(b"=") {
        lossy(&rest[..rest.len().min(ID_SIZE - 1)])
    } else if let Some(rest) = bytes.strip_prefix(b"@") {
        if bytes.len() <= ID_SIZE {
            lossy(rest)
        } else {
            let keep = ID_SIZE - 3 - 1;
            format!("...{}", lossy(&rest[rest.len() - keep..]))
        }
    } else {
        let room = ID_SIZE - "[string \"...\"]".len() - 1;
        let newline = bytes.iter().position(|&c| c == b'\n');
        if bytes.len() < room && newline.is_none() {
            format!("[string \"{}\"]", lossy(bytes))
        } else {
            let len = newline.unwrap_or(bytes.len()).min(room);
            format!("[string \"{}...\"]", lossy(&bytes[..len]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::chunk_id;

    #[test]
    fn chunk_ids() {
        assert_eq!(chunk_id("=stdin"), "stdin");
        assert_eq!(chunk_id("@foo.lua"), "foo.lua");
        assert_eq!(chunk_id("x = 1"), "[string \"x = 1\"]");
        assert_eq!(chunk_id("local a1\nlocal a2"), "[string \"local a1...\"]");
        let long = "local x = {a1=1,a2=1,a3=1,a4=1,a5=1,a6=1,a7=1,a8=1,a9=1}";
        assert_eq!(
            chunk_id(long),
            "[string \"local x = {a1=1,a2=1,a3=1,a4=1,a5=1,a6=1,a7=1...\"]"
        );
        let file = format!("@{}", "d/".repeat(40));
        assert_eq!(chunk_id(&file), format!("...{}", &"d/".repeat(40)[24..]));
    }
}
