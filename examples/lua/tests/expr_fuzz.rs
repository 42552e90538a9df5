//! A differential property test of expressions: random Lua expressions, each printed as
//! `print(pcall(function() return EXPR end))`, must print exactly what PUC `lua5.4` prints,
//! error messages included.
//!
//! The corpus (`tests/corpus.rs`) checks whole programs someone wrote; this test reaches the
//! corners nobody writes by hand: integer/float boundaries, string coercions, the error of each
//! operator on each wrong type, the library's argument checks, `string.format`'s conversions.
//!
//! When `lua5.4` is not on `PATH`: if the environment variable `CI` is set the test fails (CI
//! installs lua5.4, and a reference that silently went missing would pass vacuously);
//! otherwise it prints a notice to stderr and passes, so that `cargo test --workspace` passes
//! on a fresh machine without Lua.
//!
//! How it runs:
//!
//! - The expressions come from a proptest strategy (typed, depth-limited trees, see [`level`])
//!   driven by a seeded RNG, so a run is deterministic: batch `b` uses the seed
//!   `GCHEAP_LUA_FUZZ_SEED + b` (the default seed is [`DEFAULT_SEED`]).
//! - Each batch is one program of [`BATCH`] lines, one expression per line, so that lua5.4 is
//!   started once per batch and the `fuzz.lua:LINE:` prefixes of the error messages agree: the
//!   program is written to `fuzz.lua` in a temporary directory and run as `lua5.4 fuzz.lua`
//!   from there (lua names the chunk after the path as given), and gcheap-lua runs it with the
//!   chunk name `fuzz.lua`.
//! - `GCHEAP_LUA_FUZZ_CASES` sets the number of batches (default [`DEFAULT_BATCHES`]), and
//!   `GCHEAP_LUA_FUZZ_SHRINK` the most mismatches shrunk and listed (default
//!   [`DEFAULT_SHRUNK`]).
//! - The outputs are compared line by line. Each mismatching expression is shrunk (see
//!   [`shrink`]), and the test fails listing, for each, the original and the shrunk expression,
//!   both outputs, and the seed that regenerates its batch.
//!
//! What is deliberately not generated, because Lua leaves it implementation-defined (avoided
//! rather than filtered out of the outputs, so that every line printed is compared):
//!
//! - tables and functions as values (`tostring` and `%s` would print addresses);
//! - `%a`, and `%q` of a float (lua writes floats in `%q` with `%a`): `%q` only gets arguments
//!   of the integer or string kinds, which are never floats (see [`Kind`]);
//! - `math.fmod` with two arguments that may both be invalid: lua checks them in the C
//!   compiler's order of evaluating the arguments of `fmod(checknumber(1), checknumber(2))`
//!   (GCC: the second first), so one of them is always a number literal;
//! - newlines in strings (byte 10), so that each expression prints exactly one line;
//! - zero bytes in strings other than `%q`'s arguments (see [`Kind::Raw`]): lua names a string
//!   constant in an error message with C's `%s`, which cuts it at the zero;
//! - `string.rep` counts other than small literals (huge results are memory errors).
//!
//! NaN is generated (`0/0`, `inf - inf`): lua prints it with the C library's `%.14g`, which on
//! glibc shows the sign (`-nan` for `0/0` on x86-64), and gcheap-lua prints it the same way.
//! Every NaN an invalid operation makes has the same sign (the hardware's default NaN), so the
//! sign printed is well defined as long as no NaN changes sign: when an operator gets two NaNs
//! of different signs, which one it returns depends on the order in which the C compiler put
//! the operands of `a + b` in registers. So `-x` and `math.abs(x)`, the only sign changes, only
//! get operands that are never NaN ([`Kind::NotNan`]). `x ^ y` and `math.fmod` can also return
//! a NaN of the other sign (the C library's `pow`/`fmod`), so the outputs are compared with the
//! sign of a printed NaN dropped (`-nan` reads `nan`): that one bit is what C leaves open.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::Command;

use gcheap_lua::Lua;
use proptest::prelude::*;
use proptest::strategy::{Union, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// The base seed when `GCHEAP_LUA_FUZZ_SEED` is not set.
const DEFAULT_SEED: u64 = 0x5eed_0f1a_0504;
/// The number of batches when `GCHEAP_LUA_FUZZ_CASES` is not set: small enough that the test
/// takes a few seconds in a debug build.
const DEFAULT_BATCHES: usize = 20;
/// Expressions per program (per start of lua5.4).
const BATCH: usize = 200;
/// The depth of the expression trees: deep enough to combine a coercion, an operator and a
/// library call, shallow enough that a failing expression is readable before shrinking.
const MAX_DEPTH: usize = 4;
/// The most mismatches that are shrunk when `GCHEAP_LUA_FUZZ_SHRINK` is not set; the rest are
/// only counted, to bound the time a failing run takes.
const DEFAULT_SHRUNK: usize = 60;
/// The most steps of proptest's shrinking of one expression (each runs both interpreters).
const MAX_TREE_STEPS: usize = 64;

/// What a node of an expression is known to evaluate to, and what a place in an expression
/// (a slot) accepts. The guarantees exist for what would otherwise be implementation-defined
/// (see the top): `%q` never gets a float, a sign change never gets a NaN, a zero byte is never
/// named in a message. Shrinking keeps them: it only moves a node into a slot it
/// [`fits`](Kind::fits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An integer, `nil` or an error: never a float or a string.
    Int,
    /// Mostly numbers; no guarantee.
    Num,
    /// A string or an error.
    Str,
    /// `true`, `false` or `nil`.
    Lit,
    /// Anything.
    Any,
    /// A string literal with a zero byte, only ever an argument of `%q` (which must escape
    /// it): elsewhere it could be named in an error message (`constant 'a\0b'`), which lua
    /// writes with C's `%s`, cutting it at the zero.
    Raw,
    /// A float literal that is not NaN (it may be infinite).
    Float,
    /// A slot for `%q`: `Int`, `Str`, `Lit` or `Raw`.
    Quotable,
    /// A slot for the operand of a sign change (`-x`, `math.abs`): `Int`, `Str`, `Lit` or
    /// `Float`, never NaN (see the top).
    NotNan,
    /// A slot that only takes the literal generated for it (a `string.rep` count, a base).
    Fixed,
}

impl Kind {
    /// Whether a node of kind `self` may stand in a slot of kind `slot`.
    fn fits(self, slot: Kind) -> bool {
        match slot {
            Kind::Any | Kind::Num => self != Kind::Raw,
            Kind::Int | Kind::Str | Kind::Lit | Kind::Raw | Kind::Float => self == slot,
            Kind::Quotable => matches!(self, Kind::Int | Kind::Str | Kind::Lit | Kind::Raw),
            Kind::NotNan => matches!(self, Kind::Int | Kind::Str | Kind::Lit | Kind::Float),
            Kind::Fixed => false,
        }
    }
}

/// How a subexpression is written into its parent.
#[derive(Clone, Copy, Debug)]
enum Wrap {
    /// As is (an argument of a call).
    Plain,
    /// As an operand of a binary operator: a compound one in parentheses unless `bare`, which
    /// lets the parser's precedence and associativity regroup it (both interpreters parse the
    /// same text, so any grouping is a fair test).
    Operand { bare: bool },
    /// As the operand of a unary operator: an atom after a space (`- -5` must not become the
    /// comment `--5`), anything else in parentheses.
    Unary,
}

#[derive(Clone, Debug)]
enum Piece {
    Text(String),
    Sub { expr: Expr, slot: Kind, wrap: Wrap },
}

/// A generated expression: a tree kept as text pieces and subexpressions, so that shrinking
/// can replace a subexpression and write the whole again.
#[derive(Clone, Debug)]
struct Expr {
    kind: Kind,
    /// A literal, a call or a parenthesized expression: it may stand anywhere as is.
    atom: bool,
    pieces: Vec<Piece>,
}

impl Expr {
    fn leaf(kind: Kind, src: String, atom: bool) -> Expr {
        Expr {
            kind,
            atom,
            pieces: vec![Piece::Text(src)],
        }
    }

    /// A literal from one of the tables below: an atom if it is one token (`-5`, `2^53` and
    /// `1e-300` are not, and may need parentheses as operands).
    fn lit(kind: Kind, src: &str) -> Expr {
        let one_token = src.starts_with('"')
            || src.starts_with('\'')
            || src
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
            || (src.starts_with(|c: char| c.is_ascii_alphabetic()) && src.ends_with(')'));
        Expr::leaf(kind, src.to_string(), one_token)
    }

    fn src(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }

    fn write(&self, out: &mut String) {
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Sub { expr, wrap, .. } => {
                    let paren = match wrap {
                        Wrap::Plain => false,
                        Wrap::Operand { bare } => !expr.atom && !bare,
                        Wrap::Unary => !expr.atom,
                    };
                    if paren {
                        out.push('(');
                    } else if matches!(wrap, Wrap::Unary) {
                        out.push(' ');
                    }
                    expr.write(out);
                    if paren {
                        out.push(')');
                    }
                }
            }
        }
    }

    fn subs(&self) -> impl Iterator<Item = (&Expr, Kind)> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Sub { expr, slot, .. } => Some((expr, *slot)),
            Piece::Text(_) => None,
        })
    }

    fn sub_mut(&mut self, i: usize) -> &mut Expr {
        self.pieces
            .iter_mut()
            .filter_map(|p| match p {
                Piece::Sub { expr, .. } => Some(expr),
                Piece::Text(_) => None,
            })
            .nth(i)
            .expect("a path into the tree")
    }

    fn at_mut(&mut self, path: &[usize]) -> &mut Expr {
        path.iter().fold(self, |e, &i| e.sub_mut(i))
    }

    /// Every node's path and the kind of the slot it stands in, parents before children.
    fn paths(&self, slot: Kind, path: &mut Vec<usize>, out: &mut Vec<(Vec<usize>, Kind)>) {
        out.push((path.clone(), slot));
        for (i, (e, s)) in self.subs().enumerate() {
            path.push(i);
            e.paths(s, path, out);
            path.pop();
        }
    }

    /// The proper descendants, nearest first.
    fn descendants(&self) -> Vec<&Expr> {
        let mut out: Vec<&Expr> = self.subs().map(|(e, _)| e).collect();
        let mut i = 0;
        while i < out.len() {
            let e = out[i];
            out.extend(e.subs().map(|(e, _)| e));
            i += 1;
        }
        out
    }
}

/// A strategy and the kind of slot its values are put in.
#[derive(Clone)]
struct Slot {
    strat: Strat,
    kind: Kind,
}

impl Slot {
    fn new(strat: &Strat, kind: Kind) -> Slot {
        Slot {
            strat: strat.clone(),
            kind,
        }
    }
}

type Strat = BoxedStrategy<Expr>;

fn one_of<T: std::fmt::Debug + 'static>(arms: Vec<(u32, BoxedStrategy<T>)>) -> BoxedStrategy<T> {
    Union::new_weighted(arms).boxed()
}

fn lits(kind: Kind, list: &'static [&'static str]) -> Strat {
    prop::sample::select(list)
        .prop_map(move |s| Expr::lit(kind, s))
        .boxed()
}

fn sub(expr: Expr, slot: Kind, wrap: Wrap) -> Piece {
    Piece::Sub { expr, slot, wrap }
}

fn text(s: &str) -> Piece {
    Piece::Text(s.to_string())
}

fn call(kind: Kind, name: &str, args: Vec<(Expr, Kind)>) -> Expr {
    let mut pieces = vec![Piece::Text(format!("{name}("))];
    for (i, (a, slot)) in args.into_iter().enumerate() {
        if i > 0 {
            pieces.push(text(", "));
        }
        pieces.push(sub(a, slot, Wrap::Plain));
    }
    pieces.push(text(")"));
    Expr {
        kind,
        atom: true,
        pieces,
    }
}

/// `name(a, ...)`, one argument from each slot.
fn call_of(kind: Kind, name: &'static str, slots: &[&Slot]) -> Strat {
    let kinds: Vec<Kind> = slots.iter().map(|s| s.kind).collect();
    let strats: Vec<Strat> = slots.iter().map(|s| s.strat.clone()).collect();
    strats
        .prop_map(move |args| call(kind, name, args.into_iter().zip(kinds.clone()).collect()))
        .boxed()
}

/// `name(a...)` with `lo..=hi` arguments from `slot`, after the fixed `first` ones.
fn call_n(
    kind: Kind,
    name: &'static str,
    first: &'static [&'static str],
    a: &Slot,
    lo: usize,
    hi: usize,
) -> Strat {
    let slot = a.kind;
    prop::collection::vec(a.strat.clone(), lo..=hi)
        .prop_map(move |args| {
            let mut all: Vec<(Expr, Kind)> = first
                .iter()
                .map(|f| (Expr::lit(Kind::Str, f), Kind::Fixed))
                .collect();
            all.extend(args.into_iter().map(|e| (e, slot)));
            call(kind, name, all)
        })
        .boxed()
}

/// `l OP r`. `bare` allows unparenthesized compound operands; it is off where the result must
/// keep its kind (an integer-kind `a & b` whose bare `a` is `x or y` would regroup into a value
/// of any type).
fn binary(kind: Kind, ops: &'static [&'static str], l: &Slot, r: &Slot, bare: bool) -> Strat {
    let p = if bare { 0.25 } else { 0.0 };
    let (lk, rk) = (l.kind, r.kind);
    (
        prop::sample::select(ops),
        l.strat.clone(),
        r.strat.clone(),
        prop::bool::weighted(p),
        prop::bool::weighted(p),
    )
        .prop_map(move |(op, l, r, bl, br)| Expr {
            kind,
            atom: false,
            pieces: vec![
                sub(l, lk, Wrap::Operand { bare: bl }),
                Piece::Text(format!(" {op} ")),
                sub(r, rk, Wrap::Operand { bare: br }),
            ],
        })
        .boxed()
}

fn unary(kind: Kind, ops: &'static [&'static str], a: &Slot) -> Strat {
    let ak = a.kind;
    (prop::sample::select(ops), a.strat.clone())
        .prop_map(move |(op, a)| Expr {
            kind,
            atom: false,
            pieces: vec![text(op), sub(a, ak, Wrap::Unary)],
        })
        .boxed()
}

/// A Lua string literal for `bytes`: printable ASCII as is, everything else as a three-digit
/// decimal escape (three digits, so that a following digit is not read into the escape).
fn quote(bytes: &[u8]) -> String {
    let mut s = String::from("\"");
    for &b in bytes {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\{b:03}")),
        }
    }
    s.push('"');
    s
}

const INT_LITS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "7",
    "10",
    "63",
    "64",
    "255",
    "-1",
    "-2",
    "-7",
    "-0",
    "math.maxinteger",
    "math.mininteger",
    "0x10",
    "0xff",
    "0XA",
    "0x7fffffffffffffff",
    "0xffffffffffffffff",
    "0x8000000000000000",
    "9223372036854775807",
    "-9223372036854775807",
    "1000000000000",
    "9007199254740993",
];

const FLOAT_LITS: &[&str] = &[
    "0.5",
    "1.5",
    "-0.5",
    "2.5",
    "3.0",
    "0.0",
    "-0.0",
    "0.1",
    "123.456",
    "1e300",
    "-1e300",
    "1e-300",
    "5e-324",
    "1e15",
    "1e16",
    "1e100",
    "1.7976931348623157e308",
    "1e308 * 10",
    "2^53",
    "2^53 + 1",
    "2^63",
    "-2^63",
    "2^64",
    "1/0",
    "-1/0",
    "0x1p4",
    "0x.8",
    "0xA.8p1",
    "9223372036854775808",
    "-9223372036854775808",
];

/// String literals, as bytes: numerals in all of Lua's spellings (with spaces, hex, exponents,
/// out of range) and non-numerals, and bytes `%q` must escape (no newline, see the top; zero
/// bytes are in [`RAW_LITS`]).
const STR_LITS: &[&[u8]] = &[
    b"",
    b"10",
    b" 0x10 ",
    b"1e2",
    b"abc",
    b"ABC",
    b"Hello World",
    b"0x1p4",
    b" 12 ",
    b"1e",
    b"5.",
    b".5",
    b"-7",
    b"-0",
    b"3.0",
    b"0x",
    b"0x-1",
    b"  -0x10  ",
    b"inf",
    b"nan",
    b"1 2",
    b"1e400",
    b"9223372036854775807",
    b"9223372036854775808",
    b"0x7fffffffffffffff",
    b"0xffffffffffffffff",
    b"z",
    b"ff",
    b"Zz",
    b"\t7\t",
    b"\r",
    b"\"q\"",
    b"\\",
    b"%",
    b"%d",
    b"\x7f\x80\xff",
    b"h\xc3\xa9llo",
];

/// String literals with zero bytes, for `%q` only (see [`Kind::Raw`]): a zero before a digit
/// is escaped differently (`\0001`) from one before anything else (`\0`).
const RAW_LITS: &[&[u8]] = &[b"a\0b", b"\x001", b"\0", b"\0\r9"];

/// The strategies of each kind at one depth.
#[derive(Clone)]
struct Kinds {
    int: Strat,
    /// Float literals that are not NaN, for [`Kind::NotNan`] slots (the same at every depth).
    float: Strat,
    num: Strat,
    str: Strat,
    any: Strat,
}

fn leaves() -> Kinds {
    use Kind::*;
    let int = one_of(vec![
        (4, lits(Int, INT_LITS)),
        (
            2,
            (0i64..=100)
                .prop_map(|n| Expr::leaf(Int, n.to_string(), true))
                .boxed(),
        ),
        (2, any::<i64>().prop_map(int_literal).boxed()),
        (
            1,
            any::<u64>()
                .prop_map(|n| Expr::leaf(Int, format!("0x{n:x}"), true))
                .boxed(),
        ),
    ]);
    let float = one_of(vec![
        (4, lits(Float, FLOAT_LITS)),
        (
            2,
            (prop::num::f64::POSITIVE
                | prop::num::f64::NEGATIVE
                | prop::num::f64::NORMAL
                | prop::num::f64::SUBNORMAL
                | prop::num::f64::ZERO)
                // `{:e}` is the shortest spelling that reads back as the same double.
                .prop_map(|x| Expr::lit(Float, &format!("{x:e}")))
                .boxed(),
        ),
        (
            1,
            any::<i32>()
                .prop_map(|n| Expr::lit(Float, &format!("{n}.0")))
                .boxed(),
        ),
    ]);
    let str = one_of(vec![
        (
            3,
            prop::sample::select(STR_LITS)
                .prop_map(|s| Expr::leaf(Str, quote(s), true))
                .boxed(),
        ),
        (
            1,
            prop::collection::vec(
                prop::sample::select(b"0123456789abcdefxpe. +-".to_vec()),
                0..=5,
            )
            .prop_map(|s| Expr::leaf(Str, quote(&s), true))
            .boxed(),
        ),
    ]);
    // NaNs, all made by invalid operations, so all of the sign the hardware gives them.
    let nan = lits(Num, &["0/0", "(1/0) - (1/0)", "0 * (-1/0)"]);
    let num = one_of(vec![(3, int.clone()), (3, float.clone()), (1, nan)]);
    let any = one_of(vec![
        (3, num.clone()),
        (2, str.clone()),
        (1, lits(Lit, &["true", "false", "nil"])),
        // Calls short of arguments, for the "bad argument ... (value expected)" family.
        (
            1,
            lits(
                Any,
                &[
                    "tostring()",
                    "tonumber()",
                    "math.type()",
                    "math.floor()",
                    "math.abs()",
                    "math.max()",
                    "math.min()",
                    "math.fmod(1)",
                    "math.ult(1)",
                    "math.tointeger()",
                    "string.rep(\"x\")",
                    "string.sub()",
                    "string.len()",
                    "string.upper()",
                    "string.format()",
                    "select()",
                ],
            ),
        ),
    ]);
    Kinds {
        int,
        float,
        num,
        str,
        any,
    }
}

/// An integer literal for `n`: negative ones as the negation of their magnitude, as Lua has no
/// negative literals (and `-9223372036854775808` would be a float).
fn int_literal(n: i64) -> Expr {
    if n == i64::MIN {
        Expr::leaf(Kind::Int, "math.mininteger".into(), true)
    } else if n < 0 {
        Expr::leaf(Kind::Int, format!("-{}", n.unsigned_abs()), false)
    } else {
        Expr::leaf(Kind::Int, n.to_string(), true)
    }
}

const INT_OPS: &[&str] = &["+", "-", "*", "//", "%", "&", "|", "~", "<<", ">>"];
const BIT_OPS: &[&str] = &["&", "|", "~", "<<", ">>"];
const ARITH_OPS: &[&str] = &["+", "-", "*", "/", "//", "%", "^"];
const CMP_OPS: &[&str] = &["==", "~=", "<", "<=", ">", ">="];
const ALL_OPS: &[&str] = &[
    "+", "-", "*", "/", "//", "%", "^", "&", "|", "~", "<<", ">>", "..", "==", "~=", "<", "<=",
    ">", ">=", "and", "or",
];

/// The expressions one level deeper than `prev`: each kind is a leaf or a compound of kinds of
/// `prev`. Leaves come first in each union, so that shrinking tries a leaf before the rest.
fn level(prev: &Kinds, leaf: &Kinds) -> Kinds {
    use Kind::*;
    let i = Slot::new(&prev.int, Int);
    let n = Slot::new(&prev.num, Num);
    let s = Slot::new(&prev.str, Str);
    let a = Slot::new(&prev.any, Any);
    let fixed = |list: &'static [&'static str]| Slot::new(&lits(Num, list), Fixed);
    // `math.fmod`'s other argument (see the top: never two invalid ones).
    let int_lit = Slot::new(
        &lits(Int, &["0", "1", "-1", "3", "-7", "math.mininteger"]),
        Fixed,
    );
    let num_lit = Slot::new(
        &lits(
            Num,
            &[
                "0", "1", "-1", "3", "0.0", "-0.0", "1.5", "-2.5", "1/0", "0/0",
            ],
        ),
        Fixed,
    );
    let base = fixed(&["2", "8", "10", "16", "36"]);
    let not_nan = Slot::new(
        &one_of(vec![
            (3, prev.int.clone()),
            (2, leaf.float.clone()),
            (1, prev.str.clone()),
            (1, lits(Lit, &["true", "false", "nil"])),
        ]),
        NotNan,
    );
    let int = one_of(vec![
        (4, leaf.int.clone()),
        (6, binary(Int, INT_OPS, &i, &i, false)),
        (2, unary(Int, &["-", "~"], &i)),
        (1, unary(Int, &["#"], &s)),
        (1, binary(Int, BIT_OPS, &a, &a, false)),
        (1, call_of(Int, "string.len", &[&s])),
        (1, call_n(Int, "select", &["'#'"], &a, 0, 3)),
        // Of anything: an integer or fail, never a float.
        (1, call_of(Int, "math.tointeger", &[&a])),
        (1, call_of(Int, "math.floor", &[&i])),
        (1, call_of(Int, "math.ceil", &[&i])),
        (1, call_of(Int, "math.abs", &[&i])),
        (1, call_n(Int, "math.max", &[], &i, 1, 3)),
        (1, call_n(Int, "math.min", &[], &i, 1, 3)),
        (1, call_of(Int, "math.fmod", &[&i, &int_lit])),
        (1, call_of(Int, "math.fmod", &[&int_lit, &i])),
        (1, call_of(Int, "tonumber", &[&s, &base])),
    ]);
    let num = one_of(vec![
        (3, leaf.num.clone()),
        (2, int.clone()),
        (6, binary(Num, ARITH_OPS, &n, &n, true)),
        (1, unary(Num, &["-"], &not_nan)),
        (1, call_of(Num, "math.floor", &[&n])),
        (1, call_of(Num, "math.ceil", &[&n])),
        (1, call_of(Num, "math.abs", &[&not_nan])),
        (1, call_n(Num, "math.max", &[], &n, 1, 3)),
        (1, call_n(Num, "math.min", &[], &n, 1, 3)),
        (1, call_of(Num, "math.fmod", &[&n, &num_lit])),
        (1, call_of(Num, "math.fmod", &[&num_lit, &n])),
        (1, call_of(Num, "tonumber", &[&s])),
        // Strings in arithmetic are converted by the string library's metamethods.
        (1, binary(Num, ARITH_OPS, &s, &n, false)),
        (1, binary(Num, ARITH_OPS, &n, &s, false)),
    ]);
    let q = Slot::new(
        &one_of(vec![
            (2, prev.int.clone()),
            (2, prev.str.clone()),
            (1, lits(Lit, &["true", "false", "nil"])),
            (
                1,
                prop::sample::select(RAW_LITS)
                    .prop_map(|s| Expr::leaf(Raw, quote(s), true))
                    .boxed(),
            ),
        ]),
        Quotable,
    );
    let str_or_num = Slot::new(
        &one_of(vec![(2, prev.str.clone()), (1, prev.num.clone())]),
        Any,
    );
    let count = fixed(&[
        "-1", "0", "1", "2", "3", "4", "2.0", "\"2\"", "1.5", "nil", "true",
    ]);
    let index = Slot::new(
        &one_of(vec![
            (2, lits(Int, &["-3", "-1", "0", "1", "2", "3", "10"])),
            (1, prev.int.clone()),
        ]),
        Int,
    );
    let str = one_of(vec![
        (3, leaf.str.clone()),
        (3, binary(Str, &[".."], &str_or_num, &str_or_num, false)),
        (1, call_of(Str, "string.rep", &[&s, &count])),
        (1, call_of(Str, "string.rep", &[&s, &count, &s])),
        (1, call_of(Str, "string.sub", &[&s, &index])),
        (1, call_of(Str, "string.sub", &[&s, &index, &index])),
        (1, call_of(Str, "string.upper", &[&s])),
        (2, call_of(Str, "tostring", &[&a])),
        (3, format(&i, &n, &q, &a)),
    ]);
    let any = one_of(vec![
        (3, leaf.any.clone()),
        (2, int.clone()),
        (2, num.clone()),
        (2, str.clone()),
        (4, binary(Any, ALL_OPS, &a, &a, true)),
        (1, binary(Any, CMP_OPS, &n, &n, true)),
        (1, binary(Any, CMP_OPS, &s, &s, true)),
        (1, binary(Any, &["and", "or"], &a, &a, true)),
        (2, unary(Any, &["not", "#", "~"], &a)),
        (1, unary(Any, &["-"], &not_nan)),
        (1, call_of(Any, "tostring", &[&a])),
        (1, call_of(Any, "tonumber", &[&a])),
        (1, call_of(Any, "tonumber", &[&a, &a])),
        (
            1,
            call_of(
                Any,
                "tonumber",
                &[&s, &fixed(&["1", "37", "10.0", "\"16\"", "2.5", "nil"])],
            ),
        ),
        (1, call_of(Any, "math.type", &[&a])),
        (1, call_of(Any, "math.floor", &[&a])),
        (1, call_of(Any, "math.ceil", &[&a])),
        (1, call_of(Any, "math.abs", &[&not_nan])),
        (1, call_of(Any, "math.tointeger", &[&a])),
        (1, call_n(Any, "math.max", &[], &a, 1, 3)),
        (1, call_n(Any, "math.min", &[], &a, 1, 3)),
        (1, call_of(Any, "math.fmod", &[&a, &num_lit])),
        (1, call_of(Any, "math.fmod", &[&num_lit, &a])),
        (1, call_of(Any, "math.ult", &[&a, &a])),
        (1, call_of(Any, "math.ult", &[&i, &i])),
        (1, call_of(Any, "string.len", &[&a])),
        (1, call_of(Any, "string.upper", &[&a])),
        (1, call_of(Any, "string.sub", &[&a, &a, &a])),
        (1, call_of(Any, "string.rep", &[&a, &count])),
        (1, format(&a, &a, &q, &a)),
    ]);
    Kinds {
        int,
        float: leaf.float.clone(),
        num,
        str,
        any,
    }
}

/// `string.format(FMT, ...)` with one or two conversions, each with an argument of a kind that
/// suits it (`int` for `%d`/`%x`, `num` for `%f`/`%g`, `q` for `%q`, anything for `%s`) and
/// now and then one that does not; sometimes the last argument is missing.
fn format(int: &Slot, num: &Slot, q: &Slot, any: &Slot) -> Strat {
    let q = Slot {
        kind: Kind::Quotable,
        ..q.clone()
    };
    let spec = one_of(vec![
        (3, spec(&["%d", "%5d", "%-3d"], int, any)),
        (3, spec(&["%5.2f", "%.3f", "%f"], num, any)),
        (3, spec(&["%g", "%.3g", "%10g"], num, any)),
        (2, spec(&["%x", "%X", "%04x"], int, any)),
        (3, spec(&["%s", "%.3s", "%-5s"], any, any)),
        (3, spec(&["%q"], &q, &q)),
    ]);
    (
        prop::collection::vec(spec, 1..=2),
        prop::sample::select(&["", "[", "x=", "%% "][..]),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(specs, prefix, drop_last)| {
            let mut fmt = String::from(prefix);
            let mut args = Vec::new();
            for (k, (conv, arg)) in specs.into_iter().enumerate() {
                if k > 0 {
                    fmt.push('|');
                }
                fmt.push_str(conv);
                args.push(arg);
            }
            if drop_last {
                args.pop();
            }
            let mut all = vec![(
                Expr::leaf(Kind::Str, quote(fmt.as_bytes()), true),
                Kind::Fixed,
            )];
            all.extend(args);
            call(Kind::Str, "string.format", all)
        })
        .boxed()
}

/// One conversion of a format and its argument (with its slot): mostly from `good`, sometimes
/// from `wrong`.
fn spec(
    convs: &'static [&'static str],
    good: &Slot,
    wrong: &Slot,
) -> BoxedStrategy<(&'static str, (Expr, Kind))> {
    let (gk, wk) = (good.kind, wrong.kind);
    let arg = one_of(vec![
        (5, good.strat.clone().prop_map(move |e| (e, gk)).boxed()),
        (1, wrong.strat.clone().prop_map(move |e| (e, wk)).boxed()),
    ]);
    (prop::sample::select(convs), arg).boxed()
}

fn expression() -> Strat {
    let leaf = leaves();
    let mut kinds = leaf.clone();
    for _ in 0..MAX_DEPTH {
        kinds = level(&kinds, &leaf);
    }
    kinds.any
}

/// The program for `exprs`: one per line, so that line `k` of its output belongs to line `k`.
fn program<'a>(exprs: impl IntoIterator<Item = &'a str>) -> String {
    let mut p = String::new();
    for e in exprs {
        p.push_str(&format!("print(pcall(function() return {e} end))\n"));
    }
    p
}

/// PUC Lua, run on programs written to `fuzz.lua` in a private temporary directory.
struct Reference {
    dir: PathBuf,
}

impl Reference {
    /// The reference, or `None` (after the notice) when lua5.4 is missing outside CI.
    fn find() -> Option<Reference> {
        if let Err(e) = Command::new("lua5.4").arg("-v").output() {
            assert!(
                std::env::var_os("CI").is_none(),
                "lua5.4 cannot be run ({e}), and CI is set: CI must install lua5.4 \
                 for this differential test"
            );
            // Written to the stderr handle, not with `eprintln!`, which the test harness
            // captures: a skipped differential test must be visible in a passing run.
            let _ = writeln!(
                std::io::stderr(),
                "expr_fuzz: lua5.4 cannot be run ({e}); skipping the differential \
                 expression test (install lua5.4 to run it)"
            );
            return None;
        }
        let dir = std::env::temp_dir().join(format!("gcheap-lua-expr-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Some(Reference { dir })
    }

    fn run(&self, program: &str) -> Vec<u8> {
        std::fs::write(self.dir.join("fuzz.lua"), program).unwrap();
        let out = Command::new("lua5.4")
            .arg("fuzz.lua")
            .current_dir(&self.dir)
            .output()
            .unwrap();
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "lua5.4 failed on a generated program (a generator bug: every line must be \
             valid and caught by pcall): {}\n{program}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }
}

impl Drop for Reference {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn gcheap(program: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut lua = Lua::new();
    if let Err(msg) = lua.run(program.as_bytes(), "fuzz.lua", &mut out) {
        out.extend_from_slice(format!("<uncaught error: {msg}>\n").as_bytes());
    }
    lua.close(&mut out);
    out
}

fn lines(out: &[u8]) -> Vec<String> {
    let mut v: Vec<String> = out
        .split(|&b| b == b'\n')
        .map(|l| String::from_utf8_lossy(l).replace("-nan", "nan"))
        .collect();
    if v.last().is_some_and(String::is_empty) {
        v.pop();
    }
    v
}

/// Two lines that differ: lua5.4's and gcheap-lua's.
#[derive(Clone, Debug)]
struct Mismatch {
    want: String,
    got: String,
}

impl Mismatch {
    /// What shrinking keeps: an error stays the same error (its message without the position),
    /// a value stays a value (any value: shrinking changes them).
    fn signature(&self) -> (String, String) {
        fn outcome(line: &str) -> String {
            match line.strip_prefix("false\t") {
                Some(msg) => match msg.strip_prefix("fuzz.lua:") {
                    Some(rest) => rest
                        .trim_start_matches(|c: char| c.is_ascii_digit())
                        .to_string(),
                    None => msg.to_string(),
                },
                None if line.starts_with("true") => "a value".to_string(),
                None => line.to_string(),
            }
        }
        (outcome(&self.want), outcome(&self.got))
    }
}

/// Runs `exprs` as one program on both; the mismatch of each line, if any.
fn compare(reference: &Reference, exprs: &[String]) -> Vec<Option<Mismatch>> {
    let p = program(exprs.iter().map(String::as_str));
    let want = lines(&reference.run(&p));
    assert_eq!(
        want.len(),
        exprs.len(),
        "lua5.4 printed {} lines for {} expressions (a generator bug: each must print one \
         line):\n{p}",
        want.len(),
        exprs.len()
    );
    let got = lines(&gcheap(&p));
    want.into_iter()
        .enumerate()
        .map(|(k, want)| {
            let got = got.get(k).map_or("<no line>", String::as_str);
            (want != got).then(|| Mismatch {
                want,
                got: got.to_string(),
            })
        })
        .collect()
}

/// Simple literals to try in place of a subexpression in a slot of kind `slot`.
fn simple(slot: Kind) -> Vec<Expr> {
    use Kind::*;
    let l = |kind, src: &str| Expr::lit(kind, src);
    match slot {
        Int => vec![l(Int, "0"), l(Int, "1")],
        Num => vec![l(Int, "0"), l(Num, "0.5")],
        Str => vec![l(Str, "\"\""), l(Str, "\"a\"")],
        Lit | Quotable => vec![l(Lit, "nil")],
        Float => vec![l(Float, "0.5")],
        NotNan => vec![l(Int, "0"), l(Lit, "nil")],
        Any => vec![l(Lit, "nil"), l(Int, "0"), l(Str, "\"\""), l(Lit, "true")],
        Raw | Fixed => vec![],
    }
}

/// The expressions one step simpler than `e`: each node replaced by one of its descendants or
/// by a simple literal, where that fits the node's slot.
fn candidates(e: &Expr) -> Vec<Expr> {
    let mut paths = Vec::new();
    e.paths(Kind::Any, &mut Vec::new(), &mut paths);
    let len = e.src().len();
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (path, slot) in paths {
        let node = e.clone().at_mut(&path).clone();
        let replacements = node
            .descendants()
            .into_iter()
            .filter(|d| d.kind.fits(slot))
            .cloned()
            .chain(simple(slot));
        for r in replacements {
            let mut c = e.clone();
            *c.at_mut(&path) = r;
            let src = c.src();
            if src.len() < len && seen.insert(src) {
                out.push(c);
            }
        }
    }
    out
}

/// A mismatching expression, shrunk, and its mismatch when run alone.
struct Shrunk {
    expr: String,
    mismatch: Mismatch,
}

/// Shrinks a mismatching expression while it keeps the mismatch's [signature]
/// (Mismatch::signature): first with proptest's value tree (numbers toward 0, each union
/// toward its first arm, which is a leaf), a bounded number of steps, each running both
/// interpreters; then structurally, which proptest does not do: replacing a subexpression by
/// one of its own subexpressions or by a simple literal of a kind that fits, all the
/// candidates of a step run as one program. `None` if the expression matches when run alone.
fn shrink(
    reference: &Reference,
    tree: &mut dyn ValueTree<Value = Expr>,
    first: &Mismatch,
) -> Option<Shrunk> {
    let sig = first.signature();
    let keeps = |e: &Expr| {
        compare(reference, &[e.src()])[0]
            .as_ref()
            .is_some_and(|m| m.signature() == sig)
    };
    let mut best = tree.current();
    if !keeps(&best) {
        // Some other line mattered (or the position did): report the original.
        return None;
    }
    if tree.simplify() {
        for _ in 0..MAX_TREE_STEPS {
            let e = tree.current();
            if keeps(&e) {
                best = e;
                if !tree.simplify() {
                    break;
                }
            } else if !tree.complicate() {
                break;
            }
        }
    }
    loop {
        let cands = candidates(&best);
        let mut found: Option<Expr> = None;
        for chunk in cands.chunks(BATCH * 2) {
            let srcs: Vec<String> = chunk.iter().map(Expr::src).collect();
            for (c, m) in chunk.iter().zip(compare(reference, &srcs)) {
                let better = found.as_ref().is_none_or(|f| c.src().len() < f.src().len());
                if better && m.is_some_and(|m| m.signature() == sig) {
                    found = Some(c.clone());
                }
            }
        }
        match found {
            Some(f) => best = f,
            None => break,
        }
    }
    let expr = best.src();
    let mismatch = compare(reference, std::slice::from_ref(&expr))[0]
        .clone()
        .expect("the shrunk expression mismatches");
    Some(Shrunk { expr, mismatch })
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    let n = match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => v.parse(),
    };
    Some(n.unwrap_or_else(|_| panic!("{name}={v} is not a number")))
}

fn rng(seed: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

#[test]
fn expressions_match_puc_lua() {
    let Some(reference) = Reference::find() else {
        return;
    };
    let seed = env_u64("GCHEAP_LUA_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let batches = env_u64("GCHEAP_LUA_FUZZ_CASES").map_or(DEFAULT_BATCHES, |n| n as usize);
    let max_shrunk = env_u64("GCHEAP_LUA_FUZZ_SHRINK").map_or(DEFAULT_SHRUNK, |n| n as usize);
    let strategy = expression();
    let mut mismatches = 0;
    let mut shrunk = 0;
    let mut reports: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    for b in 0..batches {
        let batch_seed = seed.wrapping_add(b as u64);
        let mut runner = TestRunner::new_with_rng(Config::default(), rng(batch_seed));
        let mut trees: Vec<_> = (0..BATCH)
            .map(|_| strategy.new_tree(&mut runner).unwrap())
            .collect();
        let exprs: Vec<String> = trees.iter().map(|t| t.current().src()).collect();
        for (k, m) in compare(&reference, &exprs).into_iter().enumerate() {
            let Some(m) = m else { continue };
            mismatches += 1;
            if shrunk == max_shrunk {
                continue;
            }
            shrunk += 1;
            let header = format!(
                "line {} of batch seed {batch_seed:#x}: {}\n  lua5.4:     {}\n  gcheap-lua: {}",
                k + 1,
                exprs[k],
                m.want,
                m.got
            );
            let report = match shrink(&reference, &mut *trees[k], &m) {
                Some(s) => {
                    if !seen.insert(s.expr.clone()) {
                        continue;
                    }
                    format!(
                        "{header}\n  shrunk: {}\n    lua5.4:     {}\n    gcheap-lua: {}",
                        s.expr, s.mismatch.want, s.mismatch.got
                    )
                }
                None => format!("{header}\n  (it matches when run alone)"),
            };
            reports.push(report);
        }
    }
    eprintln!(
        "expr_fuzz: {} expressions in {batches} batches from seed {seed:#x}, {mismatches} \
         mismatched",
        batches * BATCH
    );
    assert!(
        mismatches == 0,
        "{mismatches} of {} expressions print differently from lua5.4; {} distinct after \
         shrinking the first {shrunk} (rerun one batch with GCHEAP_LUA_FUZZ_SEED=<batch seed> \
         GCHEAP_LUA_FUZZ_CASES=1):\n\n{}",
        batches * BATCH,
        reports.len(),
        reports.join("\n\n")
    );
}
