//! Pattern matching against results recorded from lua5.4 (see
//! tests/gen/pattern.lua), plus hand-written checks of the API.

#[rustfmt::skip]
#[path = "cases/pattern_cases.rs"]
mod pattern_cases;

use gcheap_lua_strlib::pattern::Captures;
use gcheap_lua_strlib::{
    Capture, GMatch, PatternError, find, fmt_int, gsub, gsub_str, match_, quote_string,
};

/// Render values the way the generator does: strings with %q, integers
/// in decimal, separated by spaces.
fn render_caps(s: &[u8], caps: &[Capture]) -> Vec<u8> {
    let parts: Vec<Vec<u8>> = caps
        .iter()
        .map(|c| match *c {
            Capture::Str(a, b) => quote_string(&s[a..b]),
            Capture::Position(p) => fmt_int(p as i64),
        })
        .collect();
    parts.join(&b' ')
}

fn error_text(e: impl std::fmt::Display) -> Vec<u8> {
    format!("error: {e}").into_bytes()
}

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn check(failures: &mut Vec<String>, what: String, got: Vec<u8>, want: &[u8]) {
    if got != want {
        failures.push(format!(
            "{what}\n   got {:?}\n  want {:?}",
            show(&got),
            show(want)
        ));
    }
}

fn report(failures: Vec<String>, total: usize) {
    assert!(
        failures.is_empty(),
        "{} of {total} cases differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn render_find(s: &[u8], p: &[u8], init: i64, plain: bool) -> Vec<u8> {
    match find(s, p, init, plain) {
        Err(e) => error_text(e),
        Ok(None) => b"nil".to_vec(),
        Ok(Some(m)) => {
            let mut out = format!("{} {}", m.start + 1, m.end).into_bytes();
            if !m.captures.is_empty() {
                out.push(b' ');
                out.extend(render_caps(s, &m.captures));
            }
            out
        }
    }
}

#[test]
fn find_matches_lua() {
    let mut failures = Vec::new();
    for &(s, p, init, plain, want) in pattern_cases::FIND {
        let what = format!("find({:?}, {:?}, {init}, {plain})", show(s), show(p));
        check(&mut failures, what, render_find(s, p, init, plain), want);
    }
    report(failures, pattern_cases::FIND.len());
}

#[test]
fn match_matches_lua() {
    let mut failures = Vec::new();
    for &(s, p, init, want) in pattern_cases::MATCH {
        let got = match match_(s, p, init) {
            Err(e) => error_text(e),
            Ok(None) => b"nil".to_vec(),
            Ok(Some(caps)) => render_caps(s, &caps),
        };
        check(
            &mut failures,
            format!("match({:?}, {:?}, {init})", show(s), show(p)),
            got,
            want,
        );
    }
    report(failures, pattern_cases::MATCH.len());
}

#[test]
fn gmatch_matches_lua() {
    let mut failures = Vec::new();
    for &(s, p, init, want) in pattern_cases::GMATCH {
        let mut it = GMatch::new(s, p, init);
        let mut parts = Vec::new();
        loop {
            match it.next(s) {
                Ok(Some(caps)) => parts.push(render_caps(s, &caps)),
                Ok(None) => break,
                Err(e) => {
                    parts.push(error_text(e));
                    break;
                }
            }
        }
        let got = parts.join(&b"; "[..]);
        check(
            &mut failures,
            format!("gmatch({:?}, {:?}, {init})", show(s), show(p)),
            got,
            want,
        );
    }
    report(failures, pattern_cases::GMATCH.len());
}

/// What a replacement function or table produced, as the interpreter would
/// see it; errors carry Lua's message.
#[derive(Debug)]
struct LuaError(String);

impl From<PatternError> for LuaError {
    fn from(e: PatternError) -> Self {
        LuaError(e.to_string())
    }
}

/// Mirror of `T` in the generator:
/// `{hello = "HI", world = false, a = "[A]", [1] = "first", x = true, b = 7}`.
fn table_repl(c: &Captures<'_>) -> Result<Option<Vec<u8>>, LuaError> {
    let key = c.get(0)?;
    let value: Option<&[u8]> = match key {
        Capture::Position(1) => Some(b"first"),
        Capture::Position(_) => None,
        Capture::Str(a, b) => match &c.subject()[a..b] {
            b"hello" => Some(b"HI"),
            b"world" => None, // false
            b"a" => Some(b"[A]"),
            b"b" => Some(b"7"),
            b"x" => return Err(LuaError("invalid replacement value (a boolean)".into())),
            _ => None,
        },
    };
    Ok(value.map(<[u8]>::to_vec))
}

/// Mirror of `Fn` in the generator.
fn func_repl(c: &Captures<'_>) -> Result<Option<Vec<u8>>, LuaError> {
    let caps = c.all()?;
    let s = c.subject();
    let texts: Vec<Vec<u8>> = caps.iter().map(|cap| cap.to_bytes(s)).collect();
    match texts[0].as_slice() {
        b"x" | b"y" => return Ok(None),
        b"n" => return Ok(Some(b"42".to_vec())),
        b"t" => return Err(LuaError("invalid replacement value (a table)".into())),
        _ => {}
    }
    let mut out = b"<".to_vec();
    out.extend(texts.join(&b'|'));
    out.push(b'>');
    Ok(Some(out))
}

#[test]
fn gsub_matches_lua() {
    let mut failures = Vec::new();
    for &(s, p, repl, max, want) in pattern_cases::GSUB {
        let max_n = max.map(|n: i64| n.max(0) as usize);
        let result = match repl {
            b"<table>" => gsub(s, p, max_n, &mut table_repl),
            b"<func>" => gsub(s, p, max_n, &mut func_repl),
            _ => gsub_str(s, p, repl, max_n).map_err(LuaError::from),
        };
        let got = match result {
            Err(LuaError(e)) => error_text(e),
            Ok((out, n)) => {
                let mut v = quote_string(&out);
                v.extend(format!(" {n}").into_bytes());
                v
            }
        };
        let what = format!(
            "gsub({:?}, {:?}, {:?}, {max:?})",
            show(s),
            show(p),
            show(repl)
        );
        check(&mut failures, what, got, want);
    }
    report(failures, pattern_cases::GSUB.len());
}
