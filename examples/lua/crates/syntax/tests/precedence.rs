//! Operator precedence and associativity, checked through the fully
//! parenthesising pretty-printer.

use gcheap_lua_syntax::ast::{BinOp, Expr, Stat, UnOp};
use gcheap_lua_syntax::parse;

/// Parses `return EXPR` and prints the expression.
fn show(expr: &str) -> String {
    let chunk = parse(format!("return {expr}").as_bytes(), "=test")
        .unwrap_or_else(|e| panic!("{expr}: {e}"));
    match &chunk.main.body.stats[..] {
        [Stat::Return { values, .. }] if values.len() == 1 => values[0].to_string(),
        other => panic!("unexpected {other:?}"),
    }
}

fn first_expr(expr: &str) -> Expr {
    let chunk = parse(format!("return {expr}").as_bytes(), "=test").unwrap();
    match chunk.main.body.stats.into_iter().next() {
        Some(Stat::Return { mut values, .. }) => values.remove(0),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn mixed_example() {
    assert_eq!(
        show(r#"1 + 2 * 3 ^ -2 .. "x""#),
        r#"((1 + (2 * (3 ^ (-2)))) .. "x")"#
    );
}

#[test]
fn power_and_unary() {
    assert_eq!(show("-2^2"), "(-(2 ^ 2))");
    assert_eq!(show("2^-3"), "(2 ^ (-3))");
    assert_eq!(show("2^3^2"), "(2 ^ (3 ^ 2))");
    assert_eq!(show("-x^-y^z"), "(-(x ^ (-(y ^ z))))");
    assert_eq!(show("not a == b"), "((not a) == b)");
    assert_eq!(show("#t + 1"), "((#t) + 1)");
    assert_eq!(show("~a & b"), "((~a) & b)");
    assert_eq!(show("- - x"), "(-(-x))");
    assert_eq!(show("not not x"), "(not (not x))");
    assert_eq!(show("#t^2"), "(#(t ^ 2))");
    assert_eq!(show("2^#t"), "(2 ^ (#t))");
}

#[test]
fn arithmetic() {
    assert_eq!(show("a + b - c"), "((a + b) - c)");
    assert_eq!(show("a - b + c"), "((a - b) + c)");
    assert_eq!(show("a * b / c // d % e"), "((((a * b) / c) // d) % e)");
    assert_eq!(show("a + b * c"), "(a + (b * c))");
    assert_eq!(show("a * b + c"), "((a * b) + c)");
    assert_eq!(show("(a + b) * c"), "(((a + b)) * c)");
}

#[test]
fn concat_is_right_associative() {
    assert_eq!(show("a .. b .. c"), "(a .. (b .. c))");
    assert_eq!(show("a + b .. c + d"), "((a + b) .. (c + d))");
    assert_eq!(show("a .. b == c"), "((a .. b) == c)");
}

#[test]
fn bitwise_and_shifts() {
    assert_eq!(show("a | b ~ c & d"), "(a | (b ~ (c & d)))");
    assert_eq!(show("a & b ~ c | d"), "(((a & b) ~ c) | d)");
    assert_eq!(show("a << b .. c"), "(a << (b .. c))");
    assert_eq!(show("a << b >> c"), "((a << b) >> c)");
    assert_eq!(show("1 // 2 >> 3 ~ 4"), "(((1 // 2) >> 3) ~ 4)");
    assert_eq!(show("a & b << c"), "(a & (b << c))");
    assert_eq!(show("a | b < c"), "((a | b) < c)");
}

#[test]
fn comparisons_and_logic() {
    assert_eq!(show("a < b == c"), "((a < b) == c)");
    assert_eq!(show("1 < 2 < 3"), "((1 < 2) < 3)");
    assert_eq!(show("a and b or c"), "((a and b) or c)");
    assert_eq!(show("a or b and c"), "(a or (b and c))");
    assert_eq!(show("a or b or c"), "((a or b) or c)");
    assert_eq!(show("a == b and c ~= d"), "((a == b) and (c ~= d))");
    assert_eq!(
        show("a <= b or c >= d and e > f"),
        "((a <= b) or ((c >= d) and (e > f)))"
    );
    assert_eq!(show("not a or b"), "((not a) or b)");
}

#[test]
fn all_binary_operators_map() {
    let cases = [
        ("+", BinOp::Add),
        ("-", BinOp::Sub),
        ("*", BinOp::Mul),
        ("/", BinOp::Div),
        ("//", BinOp::IDiv),
        ("%", BinOp::Mod),
        ("^", BinOp::Pow),
        ("..", BinOp::Concat),
        ("==", BinOp::Eq),
        ("~=", BinOp::Ne),
        ("<", BinOp::Lt),
        ("<=", BinOp::Le),
        (">", BinOp::Gt),
        (">=", BinOp::Ge),
        ("and", BinOp::And),
        ("or", BinOp::Or),
        ("&", BinOp::BAnd),
        ("|", BinOp::BOr),
        ("~", BinOp::BXor),
        ("<<", BinOp::Shl),
        (">>", BinOp::Shr),
    ];
    for (sym, op) in cases {
        match first_expr(&format!("a {sym} b")) {
            Expr::Binary(b) => {
                assert_eq!(b.op, op, "{sym}");
                assert_eq!(op.symbol(), sym);
            }
            e => panic!("{sym}: {e:?}"),
        }
    }
    for (sym, op) in [
        ("-", UnOp::Neg),
        ("not ", UnOp::Not),
        ("#", UnOp::Len),
        ("~", UnOp::BNot),
    ] {
        match first_expr(&format!("{sym}a")) {
            Expr::Unary(u) => assert_eq!(u.op, op),
            e => panic!("{sym}: {e:?}"),
        }
    }
}

#[test]
fn no_constant_folding() {
    match first_expr("1 + 2") {
        Expr::Binary(b) => {
            assert_eq!(b.lhs, Expr::Int(1));
            assert_eq!(b.rhs, Expr::Int(2));
        }
        e => panic!("folded? {e:?}"),
    }
    assert!(matches!(first_expr("-1"), Expr::Unary(_)));
    assert!(matches!(first_expr("not true"), Expr::Unary(_)));
}

#[test]
fn paren_nodes_are_kept() {
    assert!(matches!(first_expr("(f())"), Expr::Paren(_)));
    assert!(matches!(first_expr("(...)"), Expr::Paren(_)));
    assert_eq!(show("((a))"), "((a))");
}

#[test]
fn suffixes_bind_tightest() {
    assert_eq!(show("-a.b"), "(-a.b)");
    assert_eq!(show("-a:m()^2"), "(-(a:m() ^ 2))");
    assert_eq!(show("#t[1]"), "(#t[1])");
    assert_eq!(show("not f(x)"), "(not f(x))");
    assert_eq!(show("a.b.c[d](e):f{g}\"h\""), "a.b.c[d](e):f({g})(\"h\")");
}

#[test]
fn literals_print() {
    assert_eq!(show("nil"), "nil");
    assert_eq!(show("true"), "true");
    assert_eq!(show("false"), "false");
    assert_eq!(show("0xffffffffffffffff"), "0xffffffffffffffff");
    assert_eq!(show("1e400"), "1e9999");
    assert_eq!(show("3."), "3.0");
    assert_eq!(show("'a\\n\"b\\0'"), "\"a\\n\\\"b\\000\"");
    assert_eq!(show("{1, x = 2, [3] = 4; 5}"), "{1, x = 2, [3] = 4, 5}");
    assert_eq!(show("t['not an id']"), "t[\"not an id\"]");
    assert_eq!(show("t['end']"), "t[\"end\"]");
    assert_eq!(show("('s'):len()"), "(\"s\"):len()");
}
