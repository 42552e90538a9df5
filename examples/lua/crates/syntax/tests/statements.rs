//! Every statement kind: structure and printed form.

use gcheap_lua_syntax::ast::{Attrib, Expr, Place, Stat, TableItem};
use gcheap_lua_syntax::parse;

fn stats(src: &str) -> Vec<Stat> {
    parse(src.as_bytes(), "=test")
        .unwrap_or_else(|e| panic!("{src}: {e}"))
        .main
        .body
        .stats
}

fn show(src: &str) -> String {
    parse(src.as_bytes(), "=test")
        .unwrap_or_else(|e| panic!("{src}: {e}"))
        .to_string()
}

#[test]
fn local_statement() {
    let s = stats("local a, b <const>, c <close> = 1, 2");
    let Stat::Local { vars, values, line } = &s[0] else {
        panic!("{s:?}")
    };
    assert_eq!(*line, 1);
    assert_eq!(values.len(), 2);
    let names: Vec<&[u8]> = vars.iter().map(|v| &*v.name).collect();
    assert_eq!(names, [b"a".as_slice(), b"b", b"c"]);
    let attrs: Vec<Attrib> = vars.iter().map(|v| v.attrib).collect();
    assert_eq!(attrs, [Attrib::Regular, Attrib::Const, Attrib::Close]);
    assert_eq!(
        show("local a, b <const>, c <close> = 1, 2"),
        "local a, b <const>, c <close> = 1, 2"
    );
    assert_eq!(show("local x"), "local x");
}

#[test]
fn assignment() {
    let s = stats("a, b.c, d[1] = 1, 2, 3");
    let Stat::Assign {
        targets, values, ..
    } = &s[0]
    else {
        panic!()
    };
    assert_eq!(values.len(), 3);
    assert!(matches!(targets[0], Place::Global(_)));
    assert!(matches!(targets[1], Place::Index(_)));
    assert!(matches!(targets[2], Place::Index(_)));
    assert_eq!(show("a, b.c, d[1] = 1, 2, 3"), "a, b.c, d[1] = 1, 2, 3");
    assert_eq!(show("local x; x = 1"), "local x\nx = 1");
}

#[test]
fn call_statements() {
    let s = stats("f(1) o:m(2) f'x' f{1}");
    assert_eq!(s.len(), 4);
    assert!(matches!(
        &s[0],
        Stat::Call {
            call: Expr::Call(_),
            ..
        }
    ));
    assert!(matches!(&s[1], Stat::Call { call: Expr::MethodCall(m), .. } if &*m.method == b"m"));
    assert_eq!(
        show("f(1) o:m(2) f'x' f{1}"),
        "f(1)\no:m(2)\nf(\"x\")\nf({1})"
    );
}

#[test]
fn do_while_repeat() {
    assert_eq!(show("do local x = 1 end"), "do\n  local x = 1\nend");
    assert_eq!(show("while a do f() end"), "while a do\n  f()\nend");
    assert_eq!(
        show("repeat local x = g() until x"),
        "repeat\n  local x = g()\nuntil x"
    );
    assert!(matches!(stats("while true do end")[0], Stat::While { .. }));
    assert!(matches!(stats("repeat until 1")[0], Stat::Repeat { .. }));
    assert!(matches!(stats("do end")[0], Stat::Do { .. }));
}

#[test]
fn if_statement() {
    let src = "if a then f() elseif b then g() elseif c then else h() end";
    let s = stats(src);
    let Stat::If {
        clauses, else_body, ..
    } = &s[0]
    else {
        panic!()
    };
    assert_eq!(clauses.len(), 3);
    assert!(else_body.is_some());
    assert_eq!(
        show(src),
        "if a then\n  f()\nelseif b then\n  g()\nelseif c then\nelse\n  h()\nend"
    );
    let s = stats("if a then end");
    assert!(matches!(
        &s[0],
        Stat::If {
            else_body: None,
            ..
        }
    ));
}

#[test]
fn numeric_for() {
    let s = stats("for i = 1, 10, 2 do end for j = a, b do end");
    let Stat::NumericFor(f) = &s[0] else { panic!() };
    assert_eq!(&*f.var.name, b"i");
    assert_eq!(f.state_slot, 0);
    assert_eq!(f.var.slot, 3);
    assert!(f.step.is_some());
    let Stat::NumericFor(f) = &s[1] else { panic!() };
    assert!(f.step.is_none());
    assert_eq!(
        show("for i = 1, 10, 2 do f(i) end"),
        "for i = 1, 10, 2 do\n  f(i)\nend"
    );
}

#[test]
fn generic_for() {
    let s = stats("for k, v in pairs(t) do end");
    let Stat::GenericFor(f) = &s[0] else { panic!() };
    assert_eq!(f.vars.len(), 2);
    assert_eq!(f.state_slot, 0);
    assert_eq!(f.vars[0].slot, 4);
    assert_eq!(f.vars[1].slot, 5);
    assert_eq!(f.exprs.len(), 1);
    assert_eq!(
        show("for k, v in next, t, nil do print(k, v) end"),
        "for k, v in next, t, nil do\n  print(k, v)\nend"
    );
}

#[test]
fn function_statements() {
    let s = stats("function a.b.c:m(x) return self end");
    let Stat::Function { target, func, line } = &s[0] else {
        panic!()
    };
    assert_eq!(*line, 1);
    assert!(func.is_method);
    assert_eq!(func.num_params, 2);
    assert_eq!(&*func.params[0].name, b"self");
    assert!(matches!(target, Place::Index(_)));
    assert_eq!(
        show("function a.b.c:m(x) return self end"),
        "function a.b.c:m(x)\n  return self\nend"
    );
    assert_eq!(show("function f(a, ...) end"), "function f(a, ...)\nend");
    assert_eq!(show("function f(...) end"), "function f(...)\nend");
    let s = stats("local function f() return f end");
    let Stat::LocalFunction { var, func, .. } = &s[0] else {
        panic!()
    };
    assert_eq!(&*var.name, b"f");
    assert!(!func.is_method);
    assert_eq!(func.num_params, 0);
    assert!(!func.is_vararg);
    assert_eq!(
        show("local function f() return f end"),
        "local function f()\n  return f\nend"
    );
}

#[test]
fn return_break_goto_label() {
    let s = stats("while x do break end goto l ::l:: return 1, 2;");
    assert!(
        matches!(&s[0], Stat::While { body, .. } if matches!(body.stats[0], Stat::Break { .. }))
    );
    let (Stat::Goto { label, .. }, Stat::Label { id, .. }) = (&s[1], &s[2]) else {
        panic!("{s:?}")
    };
    assert_eq!(label, id);
    assert!(matches!(&s[3], Stat::Return { values, .. } if values.len() == 2));
    assert_eq!(
        show("while x do break end goto l ::l:: return 1, 2;"),
        "while x do\n  break\nend\ngoto l\n::l::\nreturn 1, 2"
    );
    assert_eq!(show("return"), "return");
}

#[test]
fn goto_targets_resolve() {
    // A backward goto, a forward goto, and a `continue`-style goto.
    let src = "::top:: for i = 1, 3 do if i == 2 then goto continue end ::continue:: end goto top";
    let chunk = parse(src.as_bytes(), "=t").unwrap();
    assert_eq!(chunk.main.num_labels, 2);
    let s = &chunk.main.body.stats;
    let Stat::Label { id: top, .. } = &s[0] else {
        panic!()
    };
    let Stat::Goto { label, .. } = &s[2] else {
        panic!()
    };
    assert_eq!(label, top);
    let Stat::NumericFor(f) = &s[1] else { panic!() };
    let Stat::If { clauses, .. } = &f.body.stats[0] else {
        panic!()
    };
    let Stat::Goto { label: cont, .. } = &clauses[0].body.stats[0] else {
        panic!()
    };
    let Stat::Label { id, .. } = &f.body.stats[1] else {
        panic!()
    };
    assert_eq!(cont, id);
}

#[test]
fn empty_statements_and_semicolons() {
    assert_eq!(stats(";;; f() ; ;").len(), 1);
    assert_eq!(stats("").len(), 0);
}

#[test]
fn statement_lines() {
    let s = stats("a = 1\n\nf()\nlocal x\nif x then\nend\n");
    let lines: Vec<u32> = s.iter().map(|s| s.line()).collect();
    assert_eq!(lines, [1, 3, 4, 5]);
}

#[test]
fn expression_lines() {
    let s = stats("x = a\n+\nb");
    let Stat::Assign { values, .. } = &s[0] else {
        panic!()
    };
    let Expr::Binary(b) = &values[0] else {
        panic!()
    };
    assert_eq!(b.line, 2, "binary op line is the operator's");
    let s = stats("f\n(\n1)");
    let Stat::Call {
        call: Expr::Call(c),
        ..
    } = &s[0]
    else {
        panic!()
    };
    assert_eq!(c.line, 1, "calls are attributed to where the callee starts");
    let s = stats("x = t\n.k");
    let Stat::Assign { values, .. } = &s[0] else {
        panic!()
    };
    let Expr::Index(i) = &values[0] else { panic!() };
    assert_eq!(i.line, 2);
}

#[test]
fn table_constructor_items() {
    let s = stats("t = {1, x = 2, [k] = 3; f()}");
    let Stat::Assign { values, .. } = &s[0] else {
        panic!()
    };
    let Expr::Table(t) = &values[0] else { panic!() };
    assert_eq!(t.items.len(), 4);
    assert!(matches!(&t.items[0], TableItem::Positional(Expr::Int(1))));
    assert!(matches!(&t.items[1], TableItem::Named { name, .. } if &**name == b"x"));
    assert!(matches!(&t.items[2], TableItem::Keyed { .. }));
    assert!(matches!(&t.items[3], TableItem::Positional(e) if e.is_multi()));
}

#[test]
fn function_literals() {
    let s = stats("f = function(a, b, ...) return ... end");
    let Stat::Assign { values, .. } = &s[0] else {
        panic!()
    };
    let Expr::Function(f) = &values[0] else {
        panic!()
    };
    assert_eq!(f.num_params, 2);
    assert!(f.is_vararg);
    assert_eq!(f.line, 1);
    assert_eq!(
        show("f = function(a, b, ...) return ... end"),
        "f = function(a, b, ...)\n  return ...\nend"
    );
}

#[test]
fn pretty_output_reparses() {
    let src = "local t = {1, 2, x = {y = function(...) return ... end}}\n\
               for i = 1, #t do t[i] = -t[i] ^ 2 .. 'x' end\n\
               function t.x:m() return self end";
    let once = show(src);
    let twice = show(&once);
    // Printing adds parentheses, which reparse as Paren nodes, so compare
    // the statement count and the second round trip.
    assert_eq!(show(&twice).lines().count(), twice.lines().count());
    assert_eq!(stats(&once).len(), 3);
}
