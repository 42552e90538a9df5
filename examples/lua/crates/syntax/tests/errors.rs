//! Syntax error API and limits: `Display`, error kinds, Lua's limits on
//! locals and upvalues, and nesting depth. Expected texts were checked
//! against the reference `lua5.4` (5.4.4).

use gcheap_lua_syntax::{SyntaxErrorKind, parse};

fn error_of(src: &[u8]) -> String {
    match parse(src, "=x") {
        Ok(_) => "OK".to_string(),
        Err(e) => e.line_message(),
    }
}

#[test]
fn display_includes_chunk_id() {
    let e = parse(b"x = = 1", "x = = 1").unwrap_err();
    assert_eq!(
        e.to_string(),
        "[string \"x = = 1\"]:1: unexpected symbol near '='"
    );
    let e = parse(b"\nx = = 1", "@script.lua").unwrap_err();
    assert_eq!(e.to_string(), "script.lua:2: unexpected symbol near '='");
    let e = parse(b"local 1", "=stdin").unwrap_err();
    assert_eq!(e.to_string(), "stdin:1: <name> expected near '1'");
    assert_eq!(e.line, 1);
    assert_eq!(e.message, b"<name> expected near '1'");
    assert_eq!(e.message_text(), "<name> expected near '1'");
    assert_eq!(e.kind, SyntaxErrorKind::Syntax);
    let boxed: Box<dyn std::error::Error> = Box::new(e);
    assert!(boxed.to_string().starts_with("stdin:1:"));
}

#[test]
fn error_kinds() {
    let kind = |src: &[u8]| parse(src, "=x").unwrap_err().kind;
    assert!(matches!(kind(b"x = 'abc"), SyntaxErrorKind::Lexical(_)));
    assert_eq!(kind(b"x = "), SyntaxErrorKind::Syntax);
    assert_eq!(kind(b"goto nowhere"), SyntaxErrorKind::Semantic);
    assert_eq!(
        kind(b"local x <const> = 1 x = 2"),
        SyntaxErrorKind::Semantic
    );
}

fn locals(n: usize) -> String {
    (1..=n).map(|i| format!("local a{i}\n")).collect()
}

#[test]
fn local_variable_limit() {
    assert_eq!(error_of(locals(200).as_bytes()), "OK");
    assert_eq!(
        error_of(locals(201).as_bytes()),
        "202: too many local variables (limit is 200) in main function near <eof>"
    );
    let src = format!("local function f()\n{}end", locals(201));
    let e = parse(src.as_bytes(), "=x").unwrap_err();
    assert_eq!(
        e.line_message(),
        "203: too many local variables (limit is 200) in function at line 1 near 'end'"
    );
    assert_eq!(e.kind, SyntaxErrorKind::Limit);
    let names: Vec<String> = (1..=201).map(|i| format!("a{i}")).collect();
    let src = format!("local {}", names.join(", "));
    assert_eq!(
        error_of(src.as_bytes()),
        "1: too many local variables (limit is 200) in main function near <eof>"
    );
}

#[test]
fn upvalue_limit() {
    // 149 locals in main and 149 in f, all used from h: 298 upvalues.
    let a: String = (1..150).map(|i| format!("local a{i}\n")).collect();
    let b: String = (1..150).map(|i| format!("local b{i}\n")).collect();
    let uses: Vec<String> = (1..150)
        .map(|i| format!("x = a{i}"))
        .chain((1..150).map(|i| format!("x = b{i}")))
        .collect();
    let src = format!(
        "{a}local function g()\n{b}local function h()\n{}\nend end",
        uses.join(" ")
    );
    // Checked against lua5.4: the limit trips in h, on line 301.
    let e = parse(src.as_bytes(), "=x").unwrap_err();
    assert_eq!(e.kind, SyntaxErrorKind::Limit);
    assert_eq!(
        e.line_message(),
        "301: too many upvalues (limit is 255) in function at line 300 near 'x'"
    );
}

#[test]
fn nesting_depth_matches_lua_command_line() {
    // Thresholds measured with `lua5.4 -e`: 196 nested parentheses are
    // fine and 197 overflow; 198 nested `do` blocks are fine, 199 overflow.
    let parens = |n: usize| format!("x = {}1{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(error_of(parens(196).as_bytes()), "OK");
    let e = parse(parens(197).as_bytes(), "=x").unwrap_err();
    assert_eq!(e.kind, SyntaxErrorKind::TooDeep);
    assert_eq!(e.to_string(), "C stack overflow");
    let dos = |n: usize| format!("{}{}", "do ".repeat(n), " end".repeat(n));
    assert_eq!(error_of(dos(198).as_bytes()), "OK");
    assert_eq!(error_of(dos(199).as_bytes()), "C stack overflow");
}

#[test]
fn deep_but_legal_nesting_fits_the_stack() {
    // Near the limit for each recursive construct, on the default test
    // thread stack.
    let cases = [
        format!("x = {}{}", "{".repeat(190), "}".repeat(190)),
        format!("x = {}1{}", "f(".repeat(190), ")".repeat(190)),
        format!("x = {}1", "not ".repeat(190)),
        format!("x = {}", vec!["a"; 190].join(" .. ")),
        format!("x = {}", vec!["a"; 190].join(" ^ ")),
        format!("{}{}", "if x then ".repeat(190), " end".repeat(190)),
        format!("{}{}", "while x do ".repeat(190), " end".repeat(190)),
        format!(
            "x = {}1{}",
            "function() return ".repeat(60),
            " end".repeat(60)
        ),
        format!("{} = 1", vec!["a"; 190].join(", ")),
    ];
    for src in &cases {
        let chunk = parse(src.as_bytes(), "=x").unwrap_or_else(|e| panic!("{e}"));
        assert!(!chunk.to_string().is_empty());
    }
    for src in ["{", "f(", "not ", "a .. ", "- "] {
        let deep = format!("x = {}", src.repeat(400));
        assert_eq!(error_of(deep.as_bytes()), "C stack overflow", "{src}");
    }
}
