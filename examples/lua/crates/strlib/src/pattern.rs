//! Lua 5.4 patterns: a faithful port of lstrlib.c's backtracking matcher,
//! working on bytes, plus `string.find`, `string.match`, `string.gmatch`
//! and `string.gsub` built on it.
//!
//! A pattern is a sequence of *items*.  A single-byte class is a literal
//! byte, `.` (any byte), `%x` where `x` is one of `a c d g l p s u w x`
//! (letters, control bytes, digits, printable non-space, lower case,
//! punctuation, space, upper case, alphanumerics, hex digits, all in the C
//! locale, so bytes >= 128 are never letters; upper case means the
//! complement; the deprecated `%z` matches `\0`), `%` followed by any
//! other byte (that byte literally), or a set `[...]` of bytes, ranges
//! `a-z` and `%` classes, negated by a leading `^`; a `]` right after `[`
//! or `[^` is a member.  A class may be followed by `*` (longest run),
//! `+` (longest, at least one), `-` (shortest run) or `?` (optional).
//! Other items: `%n` (1-9) matches a copy of capture n; `%bxy` matches a
//! balanced run from `x` to `y`; `%f[set]` matches the empty string at a
//! *frontier*, where the previous byte (or `\0` at the start) is not in the
//! set and the next byte (or `\0` at the end) is; `(...)` captures the
//! substring, `()` captures the current position (1-based).  A `^` at the
//! start anchors the match (for `find`, `match`, `gsub`; in `gmatch` it is
//! an ordinary byte) and a `$` at the very end anchors it to the end of
//! the subject; elsewhere both are ordinary bytes.
//!
//! The matcher (in `matcher.rs`) is the C one transcribed: the same recursion, with the same
//! tail calls turned into a loop, the same limit of 200 nested calls
//! (`MAXCCALLS`, "pattern too complex"), at most 32 captures, and the same
//! lazily detected errors ("malformed pattern (ends with '%')",
//! "malformed pattern (missing ']')", "missing '[' after '%f' in pattern",
//! "malformed pattern (missing arguments to '%b')", "invalid capture index
//! %N", "invalid pattern capture", "unfinished capture", "too many
//! captures").  Where C reads the terminating `\0` of the subject or the
//! pattern, this code reads a 0 as well, so edge cases come out the same.
//!
//! Iteration follows Lua 5.4: `gmatch` and `gsub` skip an empty match that
//! ends exactly where the previous match ended (`lastmatch`), so
//! `("abc"):gsub("%w*", "x")` gives `"x", 1`.  Errors about captures are
//! raised only when a capture is actually used, which is why `gsub` hands
//! its callback a lazy [`Captures`] view instead of a resolved list
//! (`("abc"):gsub("(a", "x")` succeeds, `("abc"):gsub("(a", "%1")` fails).

use crate::matcher::{CAP_POSITION, CAP_UNFINISHED, MatchState};
pub use crate::matcher::{MAX_CALLS, MAX_CAPTURES};
use crate::number::fmt_int;
use std::fmt;

/// Bytes that make `find` use the matcher instead of a plain search.
const SPECIALS: &[u8] = b"^$*+?.([%-";

/// A pattern error; `Display` gives Lua's exact message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternError {
    /// "malformed pattern (ends with '%')"
    EndsWithPercent,
    /// "malformed pattern (missing ']')"
    MissingBracket,
    /// "malformed pattern (missing arguments to '%b')"
    MissingBalanceArgs,
    /// "missing '[' after '%f' in pattern"
    MissingFrontierBracket,
    /// "invalid capture index %N" (N as written, 0-9, or the capture
    /// number asked for by a replacement string)
    InvalidCaptureIndex(usize),
    /// "invalid pattern capture" (a `)` without an open capture)
    InvalidPatternCapture,
    /// "unfinished capture"
    UnfinishedCapture,
    /// "too many captures"
    TooManyCaptures,
    /// "pattern too complex"
    TooComplex,
    /// "invalid use of '%' in replacement string"
    InvalidReplacement,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternError::EndsWithPercent => f.write_str("malformed pattern (ends with '%')"),
            PatternError::MissingBracket => f.write_str("malformed pattern (missing ']')"),
            PatternError::MissingBalanceArgs => {
                f.write_str("malformed pattern (missing arguments to '%b')")
            }
            PatternError::MissingFrontierBracket => {
                f.write_str("missing '[' after '%f' in pattern")
            }
            PatternError::InvalidCaptureIndex(n) => write!(f, "invalid capture index %{n}"),
            PatternError::InvalidPatternCapture => f.write_str("invalid pattern capture"),
            PatternError::UnfinishedCapture => f.write_str("unfinished capture"),
            PatternError::TooManyCaptures => f.write_str("too many captures"),
            PatternError::TooComplex => f.write_str("pattern too complex"),
            PatternError::InvalidReplacement => {
                f.write_str("invalid use of '%' in replacement string")
            }
        }
    }
}

impl std::error::Error for PatternError {}

/// One captured value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capture {
    /// A substring: the byte range `start..end` of the subject (0-based,
    /// half-open).
    Str(usize, usize),
    /// A position capture `()`: the 1-based position Lua returns.
    Position(usize),
}

impl Capture {
    /// The value as Lua would turn it into a string: the substring, or the
    /// position in decimal.
    pub fn to_bytes(&self, s: &[u8]) -> Vec<u8> {
        match *self {
            Capture::Str(a, b) => s[a..b].to_vec(),
            Capture::Position(p) => fmt_int(p as i64),
        }
    }
}

/// A successful `string.find`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    /// 0-based start of the match (Lua returns `start + 1`).
    pub start: usize,
    /// 0-based end, exclusive (Lua returns it as the 1-based last index).
    pub end: usize,
    /// The pattern's captures (empty if it has none).
    pub captures: Vec<Capture>,
}

/// lstrlib.c's `posrelatI`: a 1-based start position from a Lua integer
/// (negative counts from the end, clipped to 1).
pub fn posrelat_start(pos: i64, len: usize) -> usize {
    if pos > 0 {
        pos as usize
    } else if pos == 0 || pos < -(len as i64) {
        1
    } else {
        (len as i64 + pos + 1) as usize
    }
}

/// The captures of one match, resolved lazily so that errors appear only
/// for the captures actually used, as in Lua.
#[derive(Clone, Copy, Debug)]
pub struct Captures<'a> {
    pub(crate) src: &'a [u8],
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) caps: &'a [(usize, isize)],
}

impl<'a> Captures<'a> {
    /// The subject string.
    pub fn subject(&self) -> &'a [u8] {
        self.src
    }

    /// The whole match as a 0-based byte range.
    pub fn range(&self) -> (usize, usize) {
        (self.start, self.end)
    }

    /// The whole match.
    pub fn whole(&self) -> &'a [u8] {
        &self.src[self.start..self.end]
    }

    /// How many values Lua passes to a replacement function: the number of
    /// captures, or 1 (the whole match) when the pattern has none.
    pub fn len(&self) -> usize {
        self.caps.len().max(1)
    }

    /// Always false: there is at least the whole match.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Capture `i` (0-based); with no captures in the pattern, capture 0 is
    /// the whole match (`get_onecapture`).
    pub fn get(&self, i: usize) -> Result<Capture, PatternError> {
        if i >= self.caps.len() {
            if i != 0 {
                return Err(PatternError::InvalidCaptureIndex(i + 1));
            }
            return Ok(Capture::Str(self.start, self.end));
        }
        let (init, len) = self.caps[i];
        match len {
            CAP_UNFINISHED => Err(PatternError::UnfinishedCapture),
            CAP_POSITION => Ok(Capture::Position(init + 1)),
            _ => Ok(Capture::Str(init, init + len as usize)),
        }
    }

    /// All values a replacement function receives (`push_captures`).
    pub fn all(&self) -> Result<Vec<Capture>, PatternError> {
        (0..self.len()).map(|i| self.get(i)).collect()
    }

    /// Expand a replacement string (`add_s`): `%0` is the whole match,
    /// `%1`-`%9` the captures, `%%` a percent sign; any other use of `%`
    /// is an error.
    pub fn expand(&self, repl: &[u8]) -> Result<Vec<u8>, PatternError> {
        let mut out = Vec::with_capacity(repl.len());
        let mut i = 0;
        while let Some(off) = repl[i..].iter().position(|&c| c == b'%') {
            out.extend_from_slice(&repl[i..i + off]);
            let j = i + off + 1;
            match repl.get(j).copied() {
                Some(b'%') => out.push(b'%'),
                Some(b'0') => out.extend_from_slice(self.whole()),
                Some(d @ b'1'..=b'9') => {
                    out.extend(self.get((d - b'1') as usize)?.to_bytes(self.src));
                }
                _ => return Err(PatternError::InvalidReplacement),
            }
            i = j + 1;
        }
        out.extend_from_slice(&repl[i..]);
        Ok(out)
    }
}

/// Does the pattern contain none of `^$*+?.([%-` (so `find` may search
/// for it literally)?
pub fn no_specials(p: &[u8]) -> bool {
    !p.iter().any(|c| SPECIALS.contains(c))
}

fn plain_find(s: &[u8], p: &[u8], init: usize) -> Option<usize> {
    if p.is_empty() {
        return Some(init);
    }
    s[init..]
        .windows(p.len())
        .position(|w| w == p)
        .map(|i| i + init)
}

/// Shared body of `find` and `match` (lstrlib.c's `str_find_aux`).
fn find_aux(
    s: &[u8],
    p: &[u8],
    init: i64,
    plain: bool,
    find: bool,
) -> Result<Option<(usize, usize, Vec<Capture>)>, PatternError> {
    let init = posrelat_start(init, s.len()) - 1;
    if init > s.len() {
        return Ok(None);
    }
    if find && (plain || no_specials(p)) {
        return Ok(plain_find(s, p, init).map(|i| (i, i + p.len(), Vec::new())));
    }
    let anchor = p.first() == Some(&b'^');
    let pat = if anchor { &p[1..] } else { p };
    let mut ms = MatchState::new(s, pat);
    let mut s1 = init;
    loop {
        ms.reset();
        if let Some(e) = ms.do_match(s1, 0)? {
            let view = ms.view(s1, e);
            let caps = if find {
                (0..ms.level).map(|i| view.get(i)).collect()
            } else {
                view.all()
            }?;
            return Ok(Some((s1, e, caps)));
        }
        s1 += 1;
        if s1 > s.len() || anchor {
            return Ok(None);
        }
    }
}

/// `string.find(s, p, init, plain)`.  `init` is Lua's (1-based, negative
/// from the end, default 1); a start past `#s + 1` finds nothing.
pub fn find(s: &[u8], p: &[u8], init: i64, plain: bool) -> Result<Option<Match>, PatternError> {
    Ok(
        find_aux(s, p, init, plain, true)?.map(|(start, end, captures)| Match {
            start,
            end,
            captures,
        }),
    )
}

/// `string.match(s, p, init)`: the captures, or the whole match when the
/// pattern has none.
pub fn match_(s: &[u8], p: &[u8], init: i64) -> Result<Option<Vec<Capture>>, PatternError> {
    Ok(find_aux(s, p, init, false, false)?.map(|(_, _, caps)| caps))
}

/// The state of a `string.gmatch` iterator.  It keeps the pattern and the
/// position; the subject is passed to every [`GMatch::next`] call (it must
/// be the same string each time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GMatch {
    pattern: Vec<u8>,
    src: usize,
    lastmatch: Option<usize>,
}

impl GMatch {
    /// `string.gmatch(s, p, init)`.
    pub fn new(s: &[u8], p: &[u8], init: i64) -> GMatch {
        let init = (posrelat_start(init, s.len()) - 1).min(s.len() + 1);
        GMatch {
            pattern: p.to_vec(),
            src: init,
            lastmatch: None,
        }
    }

    /// The next match's captures (the whole match if the pattern has
    /// none), or `None` when there are no more.
    pub fn next(&mut self, s: &[u8]) -> Result<Option<Vec<Capture>>, PatternError> {
        let mut ms = MatchState::new(s, &self.pattern);
        let mut src = self.src;
        while src <= s.len() {
            ms.reset();
            if let Some(e) = ms.do_match(src, 0)?
                && Some(e) != self.lastmatch
            {
                self.src = e;
                self.lastmatch = Some(e);
                return ms.view(src, e).all().map(Some);
            }
            src += 1;
        }
        Ok(None)
    }
}

/// What a `gsub` callback returns: the replacement text, `None` to keep
/// the match unchanged, or the interpreter's error.
pub type Replacement<E> = Result<Option<Vec<u8>>, E>;

/// `string.gsub(s, p, repl, n)`.  `max_n` is Lua's `n` (`None` for no
/// limit; a negative Lua value means `Some(0)`).  For every match `repl`
/// gets the lazily resolved captures and returns the replacement, or
/// `None` to keep the matched text (Lua's `nil`/`false` result).  The
/// interpreter implements string replacement with [`Captures::expand`],
/// table replacement with [`Captures::get`]`(0)` and function replacement
/// with [`Captures::all`].  Returns the new string and the match count.
pub fn gsub<E: From<PatternError>>(
    s: &[u8],
    p: &[u8],
    max_n: Option<usize>,
    repl: &mut dyn FnMut(&Captures<'_>) -> Replacement<E>,
) -> Result<(Vec<u8>, usize), E> {
    let anchor = p.first() == Some(&b'^');
    let pat = if anchor { &p[1..] } else { p };
    let max_n = max_n.unwrap_or(s.len() + 1);
    let mut ms = MatchState::new(s, pat);
    let mut out = Vec::with_capacity(s.len());
    let mut pos = 0;
    let mut lastmatch = None;
    let mut n = 0;
    while n < max_n {
        ms.reset();
        match ms.do_match(pos, 0)? {
            Some(e) if Some(e) != lastmatch => {
                n += 1;
                match repl(&ms.view(pos, e))? {
                    Some(r) => out.extend_from_slice(&r),
                    None => out.extend_from_slice(&s[pos..e]),
                }
                pos = e;
                lastmatch = Some(e);
            }
            _ if pos < s.len() => {
                out.push(s[pos]);
                pos += 1;
            }
            _ => break,
        }
        if anchor {
            break;
        }
    }
    out.extend_from_slice(&s[pos..]);
    Ok((out, n))
}

/// `string.gsub` with a replacement string (`%0`-`%9`, `%%`).
pub fn gsub_str(
    s: &[u8],
    p: &[u8],
    repl: &[u8],
    max_n: Option<usize>,
) -> Result<(Vec<u8>, usize), PatternError> {
    gsub(s, p, max_n, &mut |c: &Captures<'_>| {
        c.expand(repl).map(Some)
    })
}
