//! The Lua 5.4 lexer: turns source bytes into [`Token`]s.
//!
//! The lexer is a faithful port of `llex.c`. It works on bytes (Lua
//! source and Lua strings are arbitrary bytes, not UTF-8), is streaming
//! (the parser pulls one token at a time, so errors appear in the same
//! order as in the reference implementation) and tracks line numbers the
//! way Lua does: `\n`, `\r`, `\r\n` and `\n\r` each count as one line
//! break, and [`Lexer::line`] is the line on which the most recently read
//! token *ends*, which is what Lua reports in messages.
//!
//! Numerals are collected greedily like `read_numeral` and converted by
//! [`gcheap_lua_strlib::str_to_number`]. Strings decode every escape of Lua 5.4 (`\a \b \f
//! \n \r \t \v \\ \" \'`, backslash-newline, `\xXX`, `\ddd`, `\u{XXX}` up
//! to 2^31 encoded as extended UTF-8, and `\z`). Long brackets
//! `[==[ ... ]==]` are used for strings and comments; a newline right after
//! the opening bracket is skipped and line breaks inside are normalised to
//! `\n`.
//!
//! Errors carry Lua's message text and the "near" token text, built from
//! the same partial buffer Lua keeps, e.g. `unfinished string near '"abc'`.

pub use crate::error::{LexError, LexErrorKind};
pub use crate::token::{Lexeme, Token, near_text, quote_near};

use crate::token::KEYWORDS;
use gcheap_lua_strlib::{Number, str_to_number};

/// A streaming lexer over a byte slice.
#[derive(Debug, Clone)]
pub struct Lexer<'s> {
    src: &'s [u8],
    pos: usize,
    line: u32,
    /// Lua's token buffer, used for string contents and error texts.
    buf: Vec<u8>,
}

fn is_alpha(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn is_newline(c: Option<u8>) -> bool {
    matches!(c, Some(b'\n' | b'\r'))
}

fn is_space(c: Option<u8>) -> bool {
    matches!(c, Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
}

impl<'s> Lexer<'s> {
    /// Creates a lexer positioned at the start of `src`, on line 1.
    pub fn new(src: &'s [u8]) -> Self {
        Lexer {
            src,
            pos: 0,
            line: 1,
            buf: Vec::new(),
        }
    }

    /// The current line number (the line where the last token ended).
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The source being lexed.
    pub fn source(&self) -> &'s [u8] {
        self.src
    }

    fn cur(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    fn advance(&mut self) {
        self.pos += 1;
    }

    fn save(&mut self, c: u8) {
        self.buf.push(c);
    }

    fn save_and_next(&mut self) {
        if let Some(c) = self.cur() {
            self.buf.push(c);
        }
        self.pos += 1;
    }

    /// Skips one line break (`\n`, `\r`, `\n\r` or `\r\n`).
    fn inc_line(&mut self) {
        let old = self.cur();
        self.advance();
        if is_newline(self.cur()) && self.cur() != old {
            self.advance();
        }
        self.line += 1;
    }

    fn error_buf(&self, kind: LexErrorKind) -> LexError {
        LexError {
            kind,
            line: self.line,
            near: quote_near(&self.buf),
        }
    }

    fn error_eof(&self, kind: LexErrorKind) -> LexError {
        LexError {
            kind,
            line: self.line,
            near: b"<eof>".to_vec(),
        }
    }

    /// Reads the next token.
    pub fn next_token(&mut self) -> Result<Lexeme, LexError> {
        loop {
            let start = self.pos;
            let Some(c) = self.cur() else {
                return Ok(self.lexeme(Token::Eof, start));
            };
            let token = match c {
                b'\n' | b'\r' => {
                    self.inc_line();
                    continue;
                }
                b' ' | b'\t' | 0x0b | 0x0c => {
                    self.advance();
                    continue;
                }
                b'-' => {
                    self.advance();
                    if self.cur() != Some(b'-') {
                        Token::Minus
                    } else {
                        self.advance();
                        self.skip_comment()?;
                        continue;
                    }
                }
                b'[' => {
                    self.buf.clear();
                    let sep = self.skip_sep();
                    if sep >= 2 {
                        Token::String(self.read_long_string(sep, true)?)
                    } else if sep == 0 {
                        return Err(self.error_buf(LexErrorKind::InvalidLongStringDelimiter));
                    } else {
                        Token::LBracket
                    }
                }
                b'=' => self.one_or_two(b'=', Token::Assign, Token::Eq),
                b'<' => {
                    self.advance();
                    match self.cur() {
                        Some(b'=') => self.then(Token::Le),
                        Some(b'<') => self.then(Token::Shl),
                        _ => Token::Lt,
                    }
                }
                b'>' => {
                    self.advance();
                    match self.cur() {
                        Some(b'=') => self.then(Token::Ge),
                        Some(b'>') => self.then(Token::Shr),
                        _ => Token::Gt,
                    }
                }
                b'/' => self.one_or_two(b'/', Token::Slash, Token::DoubleSlash),
                b'~' => self.one_or_two(b'=', Token::Tilde, Token::Ne),
                b':' => self.one_or_two(b':', Token::Colon, Token::DoubleColon),
                b'"' | b'\'' => Token::String(self.read_string(c)?),
                b'.' => {
                    if self.src.get(self.pos + 1) == Some(&b'.') {
                        self.pos += 2;
                        if self.cur() == Some(b'.') {
                            self.then(Token::Dots)
                        } else {
                            Token::Concat
                        }
                    } else if self.src.get(self.pos + 1).is_some_and(u8::is_ascii_digit) {
                        self.read_numeral()?
                    } else {
                        self.then(Token::Dot)
                    }
                }
                b'0'..=b'9' => self.read_numeral()?,
                c if is_alpha(c) => {
                    while self.cur().is_some_and(is_alnum) {
                        self.advance();
                    }
                    let word = &self.src[start..self.pos];
                    KEYWORDS
                        .iter()
                        .find(|(w, _)| *w == word)
                        .map(|(_, t)| t.clone())
                        .unwrap_or_else(|| Token::Name(word.into()))
                }
                _ => {
                    let t = match c {
                        b'+' => Token::Plus,
                        b'*' => Token::Star,
                        b'%' => Token::Percent,
                        b'^' => Token::Caret,
                        b'#' => Token::Hash,
                        b'&' => Token::Amp,
                        b'|' => Token::Pipe,
                        b'(' => Token::LParen,
                        b')' => Token::RParen,
                        b'{' => Token::LBrace,
                        b'}' => Token::RBrace,
                        b']' => Token::RBracket,
                        b';' => Token::Semicolon,
                        b',' => Token::Comma,
                        _ => Token::Other(c),
                    };
                    self.then(t)
                }
            };
            return Ok(self.lexeme(token, start));
        }
    }

    fn lexeme(&self, token: Token, start: usize) -> Lexeme {
        Lexeme {
            token,
            line: self.line,
            start,
            end: self.pos.min(self.src.len()),
        }
    }

    fn then(&mut self, t: Token) -> Token {
        self.advance();
        t
    }

    fn one_or_two(&mut self, second: u8, one: Token, two: Token) -> Token {
        self.advance();
        if self.cur() == Some(second) {
            self.then(two)
        } else {
            one
        }
    }

    /// Skips a comment; the leading `--` has been consumed.
    fn skip_comment(&mut self) -> Result<(), LexError> {
        if self.cur() == Some(b'[') {
            self.buf.clear();
            let sep = self.skip_sep();
            if sep >= 2 {
                self.read_long_string(sep, false)?;
                return Ok(());
            }
        }
        while !is_newline(self.cur()) && self.cur().is_some() {
            self.advance();
        }
        Ok(())
    }

    /// Reads `[=*[` or `]=*]`: returns the level + 2 if well formed, 1 for
    /// a lone bracket, 0 for a bracket followed by `=`s only.
    fn skip_sep(&mut self) -> usize {
        let s = self.cur();
        let mut count = 0;
        self.save_and_next();
        while self.cur() == Some(b'=') {
            self.save_and_next();
            count += 1;
        }
        if self.cur() == s {
            count + 2
        } else if count == 0 {
            1
        } else {
            0
        }
    }

    /// Reads a long string or comment after its opening `[=*` (the buffer
    /// holds the opening part); `sep` is the level + 2.
    fn read_long_string(&mut self, sep: usize, is_string: bool) -> Result<Box<[u8]>, LexError> {
        let start_line = self.line;
        self.save_and_next(); // second '['
        if is_newline(self.cur()) {
            self.inc_line();
        }
        loop {
            match self.cur() {
                None => {
                    return Err(self.error_eof(if is_string {
                        LexErrorKind::UnfinishedLongString(start_line)
                    } else {
                        LexErrorKind::UnfinishedLongComment(start_line)
                    }));
                }
                Some(b']') => {
                    if self.skip_sep() == sep {
                        self.save_and_next();
                        break;
                    }
                }
                Some(b'\n' | b'\r') => {
                    self.save(b'\n');
                    self.inc_line();
                    if !is_string {
                        self.buf.clear();
                    }
                }
                Some(_) => {
                    if is_string {
                        self.save_and_next();
                    } else {
                        self.advance();
                    }
                }
            }
        }
        if !is_string {
            self.buf.clear();
            return Ok(Box::default());
        }
        Ok(self.buf[sep..self.buf.len() - sep].into())
    }

    /// Reads a quoted string delimited by `del`.
    fn read_string(&mut self, del: u8) -> Result<Box<[u8]>, LexError> {
        self.buf.clear();
        self.save_and_next(); // keep delimiter for error messages
        while self.cur() != Some(del) {
            match self.cur() {
                None => return Err(self.error_eof(LexErrorKind::UnfinishedString)),
                Some(b'\n' | b'\r') => return Err(self.error_buf(LexErrorKind::UnfinishedString)),
                Some(b'\\') => self.read_escape()?,
                Some(_) => self.save_and_next(),
            }
        }
        self.save_and_next(); // closing delimiter
        Ok(self.buf[1..self.buf.len() - 1].into())
    }

    /// Fails with `kind` unless `ok`, adding the current character to the
    /// error text (Lua's `esccheck`).
    fn esc_check(&mut self, ok: bool, kind: LexErrorKind) -> Result<(), LexError> {
        if ok {
            return Ok(());
        }
        if self.cur().is_some() {
            self.save_and_next();
        }
        Err(self.error_buf(kind))
    }

    fn get_hexa(&mut self) -> Result<u32, LexError> {
        self.save_and_next();
        let d = self.cur().and_then(|c| (c as char).to_digit(16));
        self.esc_check(d.is_some(), LexErrorKind::HexDigitExpected)?;
        Ok(d.unwrap_or(0))
    }

    fn remove(&mut self, n: usize) {
        let len = self.buf.len().saturating_sub(n);
        self.buf.truncate(len);
    }

    /// Handles a backslash escape inside a quoted string.
    fn read_escape(&mut self) -> Result<(), LexError> {
        self.save_and_next(); // keep '\\' for error messages
        let simple = match self.cur() {
            Some(b'a') => Some(0x07),
            Some(b'b') => Some(0x08),
            Some(b'f') => Some(0x0c),
            Some(b'n') => Some(b'\n'),
            Some(b'r') => Some(b'\r'),
            Some(b't') => Some(b'\t'),
            Some(b'v') => Some(0x0b),
            Some(c @ (b'\\' | b'"' | b'\'')) => Some(c),
            _ => None,
        };
        if let Some(c) = simple {
            self.advance();
            self.remove(1);
            self.save(c);
            return Ok(());
        }
        match self.cur() {
            Some(b'x') => {
                let r = (self.get_hexa()? << 4) + self.get_hexa()?;
                self.advance();
                self.remove(3); // '\\', 'x' and the first digit
                self.save(r as u8);
            }
            Some(b'u') => self.read_utf8_escape()?,
            Some(b'\n' | b'\r') => {
                self.inc_line();
                self.remove(1);
                self.save(b'\n');
            }
            None => {} // reported as unfinished string by the caller
            Some(b'z') => {
                self.remove(1);
                self.advance();
                while is_space(self.cur()) {
                    if is_newline(self.cur()) {
                        self.inc_line();
                    } else {
                        self.advance();
                    }
                }
            }
            Some(c) => {
                self.esc_check(c.is_ascii_digit(), LexErrorKind::InvalidEscape)?;
                let mut r: u32 = 0;
                let mut i = 0;
                while i < 3 && self.cur().is_some_and(|c| c.is_ascii_digit()) {
                    r = 10 * r + u32::from(self.cur().unwrap_or(b'0') - b'0');
                    self.save_and_next();
                    i += 1;
                }
                self.esc_check(r <= 255, LexErrorKind::DecimalEscapeTooLarge)?;
                self.remove(i + 1);
                self.save(r as u8);
            }
        }
        Ok(())
    }

    /// Reads `\u{XXX}` (the buffer ends with the backslash) and appends the
    /// UTF-8 encoding of the value.
    fn read_utf8_escape(&mut self) -> Result<(), LexError> {
        let mut remove = 4; // '\\', 'u', '{' and the first digit
        self.save_and_next(); // 'u'
        self.esc_check(self.cur() == Some(b'{'), LexErrorKind::MissingOpeningBrace)?;
        let mut r = self.get_hexa()?;
        loop {
            self.save_and_next();
            let Some(d) = self.cur().and_then(|c| (c as char).to_digit(16)) else {
                break;
            };
            remove += 1;
            self.esc_check(r <= 0x7FFF_FFFF >> 4, LexErrorKind::Utf8ValueTooLarge)?;
            r = (r << 4) + d;
        }
        self.esc_check(self.cur() == Some(b'}'), LexErrorKind::MissingClosingBrace)?;
        self.advance();
        self.remove(remove);
        let mut bytes = Vec::with_capacity(6);
        utf8_encode(r, &mut bytes);
        self.buf.extend_from_slice(&bytes);
        Ok(())
    }

    /// Reads a numeral (Lua's `read_numeral`), starting at a digit or at a
    /// `.` followed by a digit.
    fn read_numeral(&mut self) -> Result<Token, LexError> {
        self.buf.clear();
        if self.cur() == Some(b'.') {
            self.save_and_next();
        }
        let first = self.cur();
        self.save_and_next();
        let mut expo = [b'E', b'e'];
        if first == Some(b'0') && matches!(self.cur(), Some(b'x' | b'X')) {
            self.save_and_next();
            expo = [b'P', b'p'];
        }
        loop {
            let c = self.cur();
            if c.is_some_and(|c| expo.contains(&c)) {
                self.save_and_next();
                if matches!(self.cur(), Some(b'+' | b'-')) {
                    self.save_and_next();
                }
            } else if c.is_some_and(|c| c.is_ascii_hexdigit() || c == b'.') {
                self.save_and_next();
            } else {
                break;
            }
        }
        if self.cur().is_some_and(is_alpha) {
            self.save_and_next(); // numeral touching a letter: force an error
        }
        match str_to_number(&self.buf) {
            Some(Number::Int(i)) => Ok(Token::Int(i)),
            Some(Number::Float(f)) => Ok(Token::Float(f)),
            None => Err(self.error_buf(LexErrorKind::MalformedNumber)),
        }
    }
}

/// Appends the (extended, up to 6 bytes) UTF-8 encoding of `x < 2^31`,
/// like Lua's `luaO_utf8esc`.
pub fn utf8_encode(mut x: u32, out: &mut Vec<u8>) {
    if x < 0x80 {
        out.push(x as u8);
        return;
    }
    let mut tail = Vec::with_capacity(5);
    let mut mfb: u32 = 0x3f; // maximum that fits in the first byte
    loop {
        tail.push(0x80 | (x & 0x3f) as u8);
        x >>= 6;
        mfb >>= 1;
        if x <= mfb {
            break;
        }
    }
    out.push(((!mfb << 1) | x) as u8);
    out.extend(tail.iter().rev());
}

/// Lexes a whole source into tokens, ending with [`Token::Eof`].
pub fn tokenize(src: &[u8]) -> Result<Vec<Lexeme>, LexError> {
    let mut lexer = Lexer::new(src);
    let mut out = Vec::new();
    loop {
        let lexeme = lexer.next_token()?;
        let done = lexeme.token == Token::Eof;
        out.push(lexeme);
        if done {
            return Ok(out);
        }
    }
}
