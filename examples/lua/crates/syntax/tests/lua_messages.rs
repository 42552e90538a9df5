//! Syntax error texts, compared with what the reference `lua5.4` (5.4.4)
//! prints for the same code. The expected texts below were produced by
//! running each source through `load(src, "=x")` in lua5.4 and stripping
//! the `x:` prefix.

use gcheap_lua_syntax::parse;

/// (source, expected `LINE: MESSAGE` from lua5.4 5.4.4 `load(src, "=x")`)
const LUA_ERRORS: &[(&[u8], &str)] = &[
    (b"x =", "1: unexpected symbol near <eof>"),
    (b"x = 1 1", "1: unexpected symbol near '1'"),
    (
        b"goto foo",
        "1: no visible label 'foo' for <goto> at line 1",
    ),
    (
        b"do goto l; local y; ::l:: print(y) end",
        "1: <goto l> at line 1 jumps into the scope of local 'y'",
    ),
    (b"break", "1: break outside loop at line 1"),
    (b"local x <foo> = 1", "1: unknown attribute 'foo'"),
    (
        b"local x <const> = 1; x = 2",
        "1: attempt to assign to const variable 'x'",
    ),
    (b"x = @", "1: unexpected symbol near '@'"),
    (b"x = \"abc", "1: unfinished string near <eof>"),
    (b"x = 3x", "1: malformed number near '3x'"),
    (b"x = \"\\q\"", "1: invalid escape sequence near '\"\\q'"),
    (
        b"x = \"\\300\"",
        "1: decimal escape too large near '\"\\300\"'",
    ),
    (
        b"x = \"\\xZZ\"",
        "1: hexadecimal digit expected near '\"\\xZ'",
    ),
    (
        b"x = \"\\x5\"",
        "1: hexadecimal digit expected near '\"\\x5\"'",
    ),
    (
        b"x = \"\\u{110000000}\"",
        "1: UTF-8 value too large near '\"\\u{110000000'",
    ),
    (b"x = \"\\u123\"", "1: missing '{' near '\"\\u1'"),
    (b"x = \"\\u{12\"", "1: missing '}' near '\"\\u{12\"'"),
    (
        b"x = \"\\u{}\"",
        "1: hexadecimal digit expected near '\"\\u{}'",
    ),
    (
        b"x = [==[ abc",
        "1: unfinished long string (starting at line 1) near <eof>",
    ),
    (b"f(", "1: unexpected symbol near <eof>"),
    (b"function f() x = 1", "1: 'end' expected near <eof>"),
    (
        b"function f() return ... end",
        "1: cannot use '...' outside a vararg function near '...'",
    ),
    (b"local 1", "1: <name> expected near '1'"),
    (b"for x y", "1: '=' or 'in' expected near 'y'"),
    (b"x", "1: syntax error near <eof>"),
    (b"f() = 1", "1: syntax error near '='"),
    (b"(a) = 1", "1: syntax error near '='"),
    (b"a.b:c = 1", "1: function arguments expected near '='"),
    (b"::a:: ::a::", "1: label 'a' already defined on line 1"),
    (b"::a::\n::a::", "2: label 'a' already defined on line 2"),
    (
        b"local a <close>, b <close> = 1",
        "1: multiple to-be-closed variables in local list",
    ),
    (b"x = }", "1: unexpected symbol near '}'"),
    (b"x = \"a\\\nb", "2: unfinished string near <eof>"),
    (b"x = '\\z   ", "1: unfinished string near <eof>"),
    (b"return return", "1: unexpected symbol near 'return'"),
    (b"x = 1 .. 2 ..", "1: unexpected symbol near <eof>"),
    (b"x = [=", "1: invalid long string delimiter near '[='"),
    (b"x = 0x", "1: malformed number near '0x'"),
    (b"x = 1e", "1: malformed number near '1e'"),
    (b"x = 0x1p", "1: malformed number near '0x1p'"),
    (b"a = {1, 2", "1: '}' expected near <eof>"),
    (b"x = (1", "1: ')' expected near <eof>"),
    (
        b"x = (1\n+ 2",
        "2: ')' expected (to close '(' at line 1) near <eof>",
    ),
    (
        b"f(1\n,2",
        "2: ')' expected (to close '(' at line 1) near <eof>",
    ),
    (
        b"f\n(1,2\n",
        "3: ')' expected (to close '(' at line 1) near <eof>",
    ),
    (
        b"function f()\nx = 1\nreturn 1 x",
        "3: 'end' expected (to close 'function' at line 1) near 'x'",
    ),
    (b"if x then\nelse\ny = 1 z", "3: syntax error near <eof>"),
    (
        b"x = {\na = 1\nb = 2}",
        "3: '}' expected (to close '{' at line 1) near 'b'",
    ),
    (
        b"local t = {\n[1] = 2 3}",
        "2: '}' expected (to close '{' at line 1) near '3'",
    ),
    (b"repeat local x until y do", "1: 'end' expected near <eof>"),
    (b"x = 1\ny = 2\nz = \n", "4: unexpected symbol near <eof>"),
    (b"while true do end end", "1: <eof> expected near 'end'"),
    (b"for i=1 do", "1: ',' expected near 'do'"),
    (b"for i=1,2 x", "1: 'do' expected near 'x'"),
    (b"local function 1", "1: <name> expected near '1'"),
    (b"function a.b:c.d() end", "1: '(' expected near '.'"),
    (b"x = a.1", "1: unexpected symbol near '.1'"),
    (b"x = #", "1: unexpected symbol near <eof>"),
    (b"x = not", "1: unexpected symbol near <eof>"),
    (b"x = 'a", "1: unfinished string near <eof>"),
    (b"x = 'a\n'", "1: unfinished string near ''a'"),
    (b"goto 1", "1: <name> expected near '1'"),
    (b"::x", "1: '::' expected near <eof>"),
    (
        b"x = function() goto q end",
        "1: no visible label 'q' for <goto> at line 1",
    ),
    (
        b"local x <const> = 1; function f() x = 2 end",
        "1: attempt to assign to const variable 'x'",
    ),
    (
        b"local x <close> = 1; x = 2",
        "1: attempt to assign to const variable 'x'",
    ),
    (
        b"local x <const> = 1 function x() end",
        "1: attempt to assign to const variable 'x'",
    ),
    (
        b"goto a; local x; ::a:: print(x)",
        "1: <goto a> at line 1 jumps into the scope of local 'x'",
    ),
    (
        b"repeat goto a; local x; ::a:: until x",
        "1: <goto a> at line 1 jumps into the scope of local 'x'",
    ),
    (
        b"local x; goto a; do ::a:: end",
        "1: no visible label 'a' for <goto> at line 1",
    ),
    (
        b"::a:: do ::a:: end",
        "1: label 'a' already defined on line 1",
    ),
    (
        b"goto b; do break end",
        "1: no visible label 'b' for <goto> at line 1",
    ),
    (
        b"for i=1,2 do local function f() break end end",
        "1: break outside loop at line 1",
    ),
    (
        b"--[[ unfinished",
        "1: unfinished long comment (starting at line 1) near <eof>",
    ),
    (
        b"--[==[ x ]=] ",
        "1: unfinished long comment (starting at line 1) near <eof>",
    ),
    (b"x = [[\nabc]] y", "2: syntax error near <eof>"),
    (
        b"x = \"abc\" \"def\"",
        "1: unexpected symbol near '\"def\"'",
    ),
    (b"x = 1 \"abc\"", "1: unexpected symbol near '\"abc\"'"),
    (
        b"x = [==[\nlong\nstring]==] + ",
        "3: unexpected symbol near <eof>",
    ),
    (b"x = \x01", "1: unexpected symbol near '<\\1>'"),
    (
        b"x = \xc3\x83\xc2\xa9",
        "1: unexpected symbol near '<\\195>'",
    ),
    (
        b"function f(a,) end",
        "1: <name> or '...' expected near ')'",
    ),
    (b"function f(1) end", "1: <name> or '...' expected near '1'"),
    (b"function f(... , a) end", "1: ')' expected near ','"),
    (b"x = {,}", "1: unexpected symbol near ','"),
    (b"a, f() = 1", "1: syntax error near '='"),
    (b"a, 1 = 2", "1: unexpected symbol near '1'"),
    (b"a.b.c = ", "1: unexpected symbol near <eof>"),
    (b"o:m", "1: function arguments expected near <eof>"),
    (b"o.", "1: <name> expected near <eof>"),
    (b"x = o:", "1: <name> expected near <eof>"),
    (b"f{", "1: unexpected symbol near <eof>"),
    (b"for k, v do end", "1: 'in' expected near 'do'"),
    (b"for 1 = 1", "1: <name> expected near '1'"),
    (b"for k, 2 in x do end", "1: <name> expected near '2'"),
    (b"if x then elseif end", "1: unexpected symbol near 'end'"),
    (b"if x end", "1: 'then' expected near 'end'"),
    (b"while x end", "1: 'do' expected near 'end'"),
    (b"repeat until", "1: unexpected symbol near <eof>"),
    (b"do end end", "1: <eof> expected near 'end'"),
    (b"return 1; x = 1", "1: <eof> expected near 'x'"),
    (b"return;;", "1: <eof> expected near ';'"),
    (b"local x <const = 1", "1: '>' expected near '='"),
    (b"local <const> x", "1: <name> expected near '<'"),
    (
        b"local a = {} a.b = 1 local a.b = 2",
        "1: unexpected symbol near '.'",
    ),
    (
        b"goto continue",
        "1: no visible label 'continue' for <goto> at line 1",
    ),
    (
        b"for i = 1, 3 do if i then goto continue end local x ::continue:: x = 1 end",
        "1: <goto continue> at line 1 jumps into the scope of local 'x'",
    ),
    (
        b"goto l; do ::l:: end",
        "1: no visible label 'l' for <goto> at line 1",
    ),
    (b"function f() break end", "1: break outside loop at line 1"),
    (
        b"print(\"hello\")\nprint(world",
        "2: ')' expected near <eof>",
    ),
    (b"x = 0xfp", "1: malformed number near '0xfp'"),
    (b"x = 0x1P+", "1: malformed number near '0x1P+'"),
    (b"x = 3..2", "1: malformed number near '3..2'"),
    (b"x = 3...2", "1: malformed number near '3...2'"),
    (b"x = 1.2.3", "1: malformed number near '1.2.3'"),
    (b"x = 2x", "1: malformed number near '2x'"),
    (b"x = 0x1g", "1: malformed number near '0x1g'"),
    (b"x = 1__", "1: malformed number near '1_'"),
    (b"x = 123abc", "1: malformed number near '123abc'"),
    (b"x=.e1", "1: unexpected symbol near '.'"),
    (b"x = .5e", "1: malformed number near '.5e'"),
    (b"x = y z", "1: syntax error near <eof>"),
    (b"\n\n\n  x ==", "4: syntax error near '=='"),
    (
        b"x = [[\n\n\n",
        "4: unfinished long string (starting at line 1) near <eof>",
    ),
    (b"x = \"\\", "1: unfinished string near <eof>"),
    (b"x = \"\\\n", "2: unfinished string near <eof>"),
    (b"x = {a =}", "1: unexpected symbol near '}'"),
    (b"x = {[1]}", "1: '=' expected near '}'"),
    (b"x = {[1] 2}", "1: '=' expected near '2'"),
    (b"x = {a b}", "1: '}' expected near 'b'"),
    (b"f(a,)", "1: unexpected symbol near ')'"),
    (b"f(a b)", "1: ')' expected near 'b'"),
    (
        b"function f() local t = {...} end",
        "1: cannot use '...' outside a vararg function near '...'",
    ),
    (
        b"do local a <const> = 1 do a = 3 end end",
        "1: attempt to assign to const variable 'a'",
    ),
    (
        b"local a <const> = 1; local function f() local function g() a = 1 end end",
        "1: attempt to assign to const variable 'a'",
    ),
    (
        b"goto x ::x:: ::y:: goto y ::x::",
        "1: label 'x' already defined on line 1",
    ),
    (
        b"repeat goto done local z ::done:: until true",
        "1: <goto done> at line 1 jumps into the scope of local 'z'",
    ),
    (
        b"::abc:: ::abc::",
        "1: label 'abc' already defined on line 1",
    ),
    (
        b"x = {\na\n= 1 2}",
        "3: '}' expected (to close '{' at line 1) near '2'",
    ),
    (
        b"x = {a\n\n\nb}",
        "4: '}' expected (to close '{' at line 1) near 'b'",
    ),
    (
        b"x = {\na\n+ 1 2}",
        "3: '}' expected (to close '{' at line 1) near '2'",
    ),
    (
        b"x = [[\nmulti\nline]] + +",
        "3: unexpected symbol near '+'",
    ),
    (
        b"x = [[\nmulti\nline]] [[\nnext\nstring]]",
        "5: unexpected symbol near '[[next\nstring]]'",
    ),
    (
        b"x = 1\r\ny = 2\r\nz = = 3",
        "3: unexpected symbol near '='",
    ),
    (b"x = 1\ry = 2\rz = = 3", "3: unexpected symbol near '='"),
    (
        b"x = 1\n\ry = 2\n\rz = = 3",
        "3: unexpected symbol near '='",
    ),
    (
        b"x = 1\n\ny = 2\r\rz = = 3",
        "5: unexpected symbol near '='",
    ),
    (
        b"-- comment\n--[[ long\ncomment ]] x = = 1",
        "3: unexpected symbol near '='",
    ),
    (b"--[==[\n\n]==] x = = 1", "3: unexpected symbol near '='"),
    (b"x = \"a\\\r\nb\" y = = 1", "2: unexpected symbol near '='"),
    (
        b"x = \"\\z\r\n\r\n   \" y = = 1",
        "3: unexpected symbol near '='",
    ),
    (
        b"local x <const> = 1; local function f() return function() x = 1 end end",
        "1: attempt to assign to const variable 'x'",
    ),
    (
        b"local t = {} function t:a.b() end",
        "1: '(' expected near '.'",
    ),
    (b"function a:b:c() end", "1: '(' expected near ':'"),
    (b"x = 1e+1e", "1: malformed number near '1e+1e'"),
    (
        b"local x do goto a end local y ::a:: print(y)",
        "1: <goto a> at line 1 jumps into the scope of local 'y'",
    ),
    (
        b"while x do local z goto a local w ::a:: w = 1 end",
        "1: <goto a> at line 1 jumps into the scope of local 'w'",
    ),
    (
        b"function f()\n goto a\nend\n::a::",
        "4: no visible label 'a' for <goto> at line 2",
    ),
    (
        b"x = 1 goto b",
        "1: no visible label 'b' for <goto> at line 1",
    ),
    (b"local break", "1: <name> expected near 'break'"),
    (b"x = a:b.c()", "1: function arguments expected near '.'"),
    (b"a = b = c", "1: unexpected symbol near '='"),
    (b"::1::", "1: <name> expected near '1'"),
    (
        b"x = function(...) local function g() return ... end end",
        "1: cannot use '...' outside a vararg function near '...'",
    ),
    (b"#!/usr/bin/lua\nprint(1)", "1: unexpected symbol near '#'"),
    (b"\x00", "1: unexpected symbol"),
    (
        b"x = '\"' .. \"'\" .. [[']] + ",
        "1: unexpected symbol near <eof>",
    ),
    (
        b"x = [==[]]]=]]==] y = = 1",
        "1: unexpected symbol near '='",
    ),
];

/// Sources that lua5.4 accepts.
const LUA_ACCEPTS: &[&[u8]] = &[
    b"do goto foo end ::foo::",
    b"x = \"\\u{7FFFFFFF}\"",
    b"x = ...",
    b"local x <const> = 1 function x.y() end",
    b"goto a; local x; ::a::",
    b"goto a; local x; ::a:: ;;",
    b"if false then while 1 do goto a; local x; ::a:: end end",
    b"do ::a:: end ::a::",
    b"x = 1e400",
    b"x = 0x1.8p1 + 0x.8 + .5 + 3. + 1E-2",
    b"local function f(a, b, ...) return ... end",
    b"function t:m(...) return self, ... end",
    b"local t = {f = function() end, [1] = 2, 3; 4,}",
    b"a, b.c, d[1] = 1, 2, 3",
    b"o:m \"s\" {1} (2)",
    b"for k, v in pairs(t) do end",
    b"if x then elseif y then else end",
    b"return 1, 2;",
    b"local x <const>",
    b"local x < const > = 1",
    b"x = 1 // 2 >> 3 ~ 4",
    b"x = a and b or c",
    b"x = - - - 1",
    b"x = not not x",
    b"x = ~ ~ x",
    b"x = 1 < 2 < 3",
    b"for i = 1, 3 do if i then goto continue end local x ::continue:: end",
    b"do goto l end ::l::",
    b"::l:: goto l",
    b"local x = 1 ::l:: local y goto l",
    b"while x do break break end",
    b"x = function() return end + 1",
    b"x = \"\\65\\066\\0677\"",
    b"x = \"\\z\n\n  abc\"",
    b"x = '\\''",
    b"x = \"\\\r\n\"",
    b"x = [[\r\nx]]",
    b"x = 08",
    b"x = 1.5e+3",
    b"a.b[\"c\"]:d(e)[f] = 1",
    b"local function f() local function g() return f, g end end",
    b"x = (y) (z)",
    b"(f)()",
    b"f()()",
    b"::a:: goto a",
    b"local a <close> = 1 local b <close> = 2",
    b"local _ENV = {} x = 1",
    b"local x x, y = 1",
    b"x = { a = 1, b = 2, [\"c\"] = 3, [4] = 5, 6 }",
    b"local t = {...}",
    b"x = a.b.c.d:e():f().g",
    b"local a; local function f() local function g() a = 1 end end",
    b"x = #\"abc\" + ~5 - -3",
    b"x = \"\\x41\\x4a\\x4A\"",
    b"if a then b() elseif c then d() end e = f",
    b"for i=1,2 do goto done end ::done::",
    b"do goto done end local z ::done::",
    b"do goto done end local z ::done:: ;",
    b"do goto done; local z; ::done:: ; end",
    b"local a local function f() return function() return a end end",
    b"local x <close> = 1 local y <close> = 2",
    b"for i = 1, 2 do i = 3 end",
    b"x = f\n(g)",
    b"x = \"\\\\\\\"\\'\"",
    b"x = 0xA.8P0 + 0X1p-2 + 0x.1 + 0x1.",
    b"x = 0xep1",
    b"goto a; goto a; ::a::",
    b"do goto a end do goto a end ::a::",
    b"local x do goto a end ::a:: local y",
    b"while x do goto a end ::a::",
    b"while x do local z goto a local w ::a:: end",
    b"local function f() end local function f() end",
    b"a.b:c \"x\"",
    b"::a:: :: b::",
    b"return ... ",
    b"x = {[1]=1,[2]=2,}; y = {1;2;}",
    b"x = 9223372036854775807 + 9223372036854775808 + 0x7fffffffffffffff",
    b"x = \"\x00\"",
    b"x = \"\\0\x00\"",
];

fn error_of(src: &[u8]) -> String {
    match parse(src, "=x") {
        Ok(_) => "OK".to_string(),
        Err(e) => e.line_message(),
    }
}

#[test]
fn messages_match_lua() {
    let mut failures = Vec::new();
    for (src, expected) in LUA_ERRORS {
        let got = error_of(src);
        if got != *expected {
            failures.push(format!(
                "{:?}\n   lua: {expected}\n  ours: {got}",
                String::from_utf8_lossy(src)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn accepted_like_lua() {
    for src in LUA_ACCEPTS {
        assert_eq!(error_of(src), "OK", "{:?}", String::from_utf8_lossy(src));
    }
}
