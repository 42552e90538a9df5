//! Tokens: the [`Token`] kinds of Lua 5.4, positioned [`Lexeme`]s, and
//! the way Lua names tokens in error messages.
//!
//! Messages mention tokens in two ways, following `llex.c`: a kind of
//! token is described by [`Token::describe`] (`'end'`, `<name>`,
//! `<eof>`), and a concrete token after "near" is shown by [`near_text`]
//! with its source text (`'x'`, `'3.5'`, `'"abc"'`).

/// A Lua token.
#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    /// A name (identifier), as bytes.
    Name(Box<[u8]>),
    /// A string literal's decoded bytes.
    String(Box<[u8]>),
    /// An integer numeral.
    Int(i64),
    /// A float numeral.
    Float(f64),
    /// `and`
    And,
    /// `break`
    Break,
    /// `do`
    Do,
    /// `else`
    Else,
    /// `elseif`
    Elseif,
    /// `end`
    End,
    /// `false`
    False,
    /// `for`
    For,
    /// `function`
    Function,
    /// `goto`
    Goto,
    /// `if`
    If,
    /// `in`
    In,
    /// `local`
    Local,
    /// `nil`
    Nil,
    /// `not`
    Not,
    /// `or`
    Or,
    /// `repeat`
    Repeat,
    /// `return`
    Return,
    /// `then`
    Then,
    /// `true`
    True,
    /// `until`
    Until,
    /// `while`
    While,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `%`
    Percent,
    /// `^`
    Caret,
    /// `#`
    Hash,
    /// `&`
    Amp,
    /// `~`
    Tilde,
    /// `|`
    Pipe,
    /// `<<`
    Shl,
    /// `>>`
    Shr,
    /// `//`
    DoubleSlash,
    /// `==`
    Eq,
    /// `~=`
    Ne,
    /// `<=`
    Le,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `>`
    Gt,
    /// `=`
    Assign,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `::`
    DoubleColon,
    /// `;`
    Semicolon,
    /// `:`
    Colon,
    /// `,`
    Comma,
    /// `.`
    Dot,
    /// `..`
    Concat,
    /// `...`
    Dots,
    /// Any other single byte (`@`, `$`, `!`, control characters, ...).
    /// Lua does not reject these in the lexer; the parser reports them as
    /// `unexpected symbol`.
    Other(u8),
    /// End of the source.
    Eof,
}

pub(crate) const KEYWORDS: [(&[u8], Token); 22] = [
    (b"and", Token::And),
    (b"break", Token::Break),
    (b"do", Token::Do),
    (b"else", Token::Else),
    (b"elseif", Token::Elseif),
    (b"end", Token::End),
    (b"false", Token::False),
    (b"for", Token::For),
    (b"function", Token::Function),
    (b"goto", Token::Goto),
    (b"if", Token::If),
    (b"in", Token::In),
    (b"local", Token::Local),
    (b"nil", Token::Nil),
    (b"not", Token::Not),
    (b"or", Token::Or),
    (b"repeat", Token::Repeat),
    (b"return", Token::Return),
    (b"then", Token::Then),
    (b"true", Token::True),
    (b"until", Token::Until),
    (b"while", Token::While),
];

impl Token {
    /// The fixed spelling of keywords and symbols (`None` for names,
    /// strings, numerals, [`Token::Other`] and [`Token::Eof`]).
    pub fn spelling(&self) -> Option<&'static str> {
        use Token::*;
        if let Some((word, _)) = KEYWORDS.iter().find(|(_, t)| t == self) {
            return std::str::from_utf8(word).ok();
        }
        Some(match self {
            Plus => "+",
            Minus => "-",
            Star => "*",
            Slash => "/",
            Percent => "%",
            Caret => "^",
            Hash => "#",
            Amp => "&",
            Tilde => "~",
            Pipe => "|",
            Shl => "<<",
            Shr => ">>",
            DoubleSlash => "//",
            Eq => "==",
            Ne => "~=",
            Le => "<=",
            Ge => ">=",
            Lt => "<",
            Gt => ">",
            Assign => "=",
            LParen => "(",
            RParen => ")",
            LBrace => "{",
            RBrace => "}",
            LBracket => "[",
            RBracket => "]",
            DoubleColon => "::",
            Semicolon => ";",
            Colon => ":",
            Comma => ",",
            Dot => ".",
            Concat => "..",
            Dots => "...",
            _ => return None,
        })
    }

    /// How Lua's `luaX_token2str` names this kind of token in messages:
    /// `'end'`, `'='`, `<name>`, `<string>`, `<integer>`, `<number>`,
    /// `<eof>`, `'@'`, `'<\1>'`.
    pub fn describe(&self) -> String {
        match self {
            Token::Name(_) => "<name>".into(),
            Token::String(_) => "<string>".into(),
            Token::Int(_) => "<integer>".into(),
            Token::Float(_) => "<number>".into(),
            Token::Eof => "<eof>".into(),
            Token::Other(c) => describe_byte(*c),
            t => format!("'{}'", t.spelling().unwrap_or("?")),
        }
    }
}

fn describe_byte(c: u8) -> String {
    if (0x20..0x7f).contains(&c) {
        format!("'{}'", c as char)
    } else {
        format!("'<\\{c}>'")
    }
}

/// A token with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Lexeme {
    /// The token.
    pub token: Token,
    /// The line on which the token ends (Lua's `linenumber` after reading
    /// it); for all but multi-line long strings this is its only line.
    pub line: u32,
    /// Byte offset of the token's first byte in the source.
    pub start: usize,
    /// Byte offset just past the token's last byte.
    pub end: usize,
}

/// Quotes raw token text for a message: `'abc'`. Like Lua, which formats
/// the text as a C string, it stops at the first NUL byte.
pub fn quote_near(text: &[u8]) -> Vec<u8> {
    let text = text.split(|&c| c == 0).next().unwrap_or_default();
    let mut q = Vec::with_capacity(text.len() + 2);
    q.push(b'\'');
    q.extend_from_slice(text);
    q.push(b'\'');
    q
}

/// The text Lua shows for a token after `near`: the token's source text
/// for names and numerals, the (partially decoded) delimited text for
/// strings, and [`Token::describe`] for everything else.
pub fn near_text(src: &[u8], lexeme: &Lexeme) -> Vec<u8> {
    match &lexeme.token {
        Token::Name(_) | Token::Int(_) | Token::Float(_) => {
            quote_near(&src[lexeme.start..lexeme.end])
        }
        Token::String(value) => {
            let mut text = Vec::with_capacity(value.len() + 4);
            let open = src[lexeme.start];
            if open == b'[' {
                let level = src[lexeme.start + 1..]
                    .iter()
                    .take_while(|&&c| c == b'=')
                    .count();
                text.push(b'[');
                text.extend(std::iter::repeat_n(b'=', level));
                text.push(b'[');
                text.extend_from_slice(value);
                text.push(b']');
                text.extend(std::iter::repeat_n(b'=', level));
                text.push(b']');
            } else {
                text.push(open);
                text.extend_from_slice(value);
                text.push(open);
            }
            quote_near(&text)
        }
        t => t.describe().into_bytes(),
    }
}
