//! Hand-written checks of the interfaces an interpreter uses: lazy
//! arguments with its own error type, lazy captures, iterator state.
//! Expected strings were checked with lua5.4.

use gcheap_lua_strlib::format::{FormatArgs, FormatError, Literal};
use gcheap_lua_strlib::pattern::Captures;
use gcheap_lua_strlib::{
    Arg, Capture, GMatch, Match, Number, PatternError, find, format, gsub, gsub_str, match_,
};

/// An interpreter-side error: either a format error or a Lua error value.
#[derive(Debug, PartialEq)]
enum VmError {
    Format(FormatError),
    Thrown(String),
}

impl From<FormatError> for VmError {
    fn from(e: FormatError) -> Self {
        VmError::Format(e)
    }
}

/// Arguments whose `__tostring` may throw; records what was asked for.
struct Args {
    values: Vec<Arg>,
    asked: Vec<usize>,
}

impl FormatArgs for Args {
    type Error = VmError;
    fn count(&self) -> usize {
        self.values.len()
    }
    fn number(&mut self, arg: usize) -> Result<Option<Number>, VmError> {
        self.asked.push(arg);
        Ok(self.values.as_mut_slice().number(arg)?)
    }
    fn type_name(&mut self, arg: usize) -> Vec<u8> {
        self.values.as_mut_slice().type_name(arg)
    }
    fn tostring(&mut self, arg: usize) -> Result<Vec<u8>, VmError> {
        self.asked.push(arg);
        match &self.values[arg - 2] {
            Arg::Other("userdata") => Err(VmError::Thrown("boom".into())),
            _ => Ok(self.values.as_mut_slice().tostring(arg)?),
        }
    }
    fn literal(&mut self, arg: usize) -> Result<Literal, VmError> {
        self.asked.push(arg);
        Ok(self.values.as_mut_slice().literal(arg)?)
    }
    fn pointer(&mut self, arg: usize) -> Result<Option<usize>, VmError> {
        Ok(match self.values[arg - 2] {
            Arg::Other(_) => Some(0x55aa10),
            _ => None,
        })
    }
}

fn args(values: Vec<Arg>) -> Args {
    Args {
        values,
        asked: Vec::new(),
    }
}

#[test]
fn format_pulls_arguments_lazily_and_in_order() {
    let mut a = args(vec![Arg::Int(1), Arg::Other("userdata"), Arg::Int(3)]);
    let r = format(b"%d %s %d", &mut a);
    assert_eq!(r, Err(VmError::Thrown("boom".into())));
    assert_eq!(a.asked, vec![2, 3]); // argument 4 was never touched

    let mut a = args(vec![Arg::Int(1), Arg::Int(2)]);
    assert_eq!(format(b"%d", &mut a).unwrap(), b"1"); // extra arguments are ignored
}

#[test]
fn format_errors_carry_argument_numbers() {
    let mut a = args(vec![Arg::Int(1), Arg::str("x")]);
    let Err(VmError::Format(e)) = format(b"%d %d", &mut a) else {
        panic!("expected an error")
    };
    assert_eq!(
        e,
        FormatError::BadArgument {
            arg: 3,
            msg: b"number expected, got string".to_vec()
        }
    );
    assert_eq!(
        e.to_string(),
        "bad argument #3 to 'format' (number expected, got string)"
    );
    let e = format(b"%y", [Arg::Int(1)].as_mut_slice()).unwrap_err();
    assert_eq!(
        e,
        FormatError::Error(b"invalid conversion '%y' to 'format'".to_vec())
    );
}

#[test]
fn format_pointer() {
    let mut a = args(vec![Arg::Other("table"), Arg::Nil]);
    assert_eq!(
        format(
            b"%p|%-10p|%10p",
            &mut args(vec![Arg::Other("t"), Arg::Other("t"), Arg::Nil])
        )
        .unwrap(),
        b"0x55aa10|0x55aa10  |    (null)"
    );
    assert_eq!(
        format(b"[%p] [%p]", &mut a).unwrap(),
        b"[0x55aa10] [(null)]"
    );
}

#[test]
fn find_reports_zero_based_ranges() {
    let m = find(b"key = value", b"(%w+)%s*=%s*(%w+)", 1, false)
        .unwrap()
        .unwrap();
    assert_eq!(
        m,
        Match {
            start: 0,
            end: 11,
            captures: vec![Capture::Str(0, 3), Capture::Str(6, 11)]
        }
    );
    // Plain search ignores magic characters; Lua returns 2 4.
    let m = find(b"a.b.", b".b.", 1, true).unwrap().unwrap();
    assert_eq!((m.start + 1, m.end), (2, 4));
    // Position captures are 1-based, as Lua returns them: 3 5.
    let caps = match_(b"hello", b"()ll()", 1).unwrap().unwrap();
    assert_eq!(caps, vec![Capture::Position(3), Capture::Position(5)]);
    assert_eq!(Capture::Position(3).to_bytes(b"hello"), b"3");
    assert_eq!(find(b"hello", b"l", 100, false).unwrap(), None);
}

#[test]
fn gmatch_state_survives_between_calls() {
    let s = b"one two three";
    let mut it = GMatch::new(s, b"%a+", 1);
    assert_eq!(it.next(s).unwrap(), Some(vec![Capture::Str(0, 3)]));
    let mut copy = it.clone();
    assert_eq!(it.next(s).unwrap(), Some(vec![Capture::Str(4, 7)]));
    assert_eq!(it.next(s).unwrap(), Some(vec![Capture::Str(8, 13)]));
    assert_eq!(it.next(s).unwrap(), None);
    assert_eq!(it.next(s).unwrap(), None);
    assert_eq!(copy.next(s).unwrap(), Some(vec![Capture::Str(4, 7)]));
    // init (Lua 5.4): for w in ("one two three"):gmatch("%a+", 5) -> two three
    let mut it = GMatch::new(s, b"%a+", 5);
    assert_eq!(it.next(s).unwrap(), Some(vec![Capture::Str(4, 7)]));
    // Empty matches right after a match are skipped: ("abc"):gmatch("%w*") -> "abc" only.
    let mut it = GMatch::new(b"abc", b"%w*", 1);
    assert_eq!(it.next(b"abc").unwrap(), Some(vec![Capture::Str(0, 3)]));
    assert_eq!(it.next(b"abc").unwrap(), None);
}

#[test]
fn gsub_callback_sees_lazy_captures() {
    // ("abc"):gsub("%w*", "x") -> "x" 1
    assert_eq!(
        gsub_str(b"abc", b"%w*", b"x", None).unwrap(),
        (b"x".to_vec(), 1)
    );
    // ("abc"):gsub("", "-") -> "-a-b-c-" 4
    assert_eq!(
        gsub_str(b"abc", b"", b"-", None).unwrap(),
        (b"-a-b-c-".to_vec(), 4)
    );
    // An unfinished capture is only an error when used.
    assert_eq!(
        gsub_str(b"abc", b"(a", b"x", None).unwrap(),
        (b"xbc".to_vec(), 1)
    );
    assert_eq!(
        gsub_str(b"abc", b"(a", b"%1", None),
        Err(PatternError::UnfinishedCapture)
    );

    let mut seen = Vec::new();
    let mut f = |c: &Captures<'_>| -> Result<Option<Vec<u8>>, PatternError> {
        seen.push((c.range(), c.len(), c.all()?));
        Ok(if c.whole() == b"b" {
            None
        } else {
            Some(c.expand(b"<%0:%1>")?)
        })
    };
    let (out, n) = gsub(b"a1b2", b"%a()", Some(5), &mut f).unwrap();
    assert_eq!(out, b"<a:2>1b2"); // "b" kept because the callback returned None
    assert_eq!(n, 2);
    assert_eq!(seen[0], ((0, 1), 1, vec![Capture::Position(2)]));
    assert_eq!(seen[1], ((2, 3), 1, vec![Capture::Position(4)]));
}

#[test]
fn gsub_callback_errors_propagate() {
    #[derive(Debug, PartialEq)]
    enum E {
        Pat(PatternError),
        Mine,
    }
    impl From<PatternError> for E {
        fn from(e: PatternError) -> Self {
            E::Pat(e)
        }
    }
    let mut calls = 0;
    let r = gsub(b"aaa", b"a", None, &mut |_c: &Captures<'_>| {
        calls += 1;
        if calls == 2 { Err(E::Mine) } else { Ok(None) }
    });
    assert_eq!(r, Err(E::Mine));
    let r = gsub(b"aaa", b"[a", None, &mut |_c: &Captures<'_>| {
        Ok::<_, E>(None)
    });
    assert_eq!(r, Err(E::Pat(PatternError::MissingBracket)));
}

#[test]
fn pattern_error_messages() {
    assert_eq!(
        PatternError::InvalidCaptureIndex(3).to_string(),
        "invalid capture index %3"
    );
    assert_eq!(PatternError::TooComplex.to_string(), "pattern too complex");
    assert_eq!(
        PatternError::InvalidReplacement.to_string(),
        "invalid use of '%' in replacement string"
    );
}
