//! Scope resolution: locals, upvalues, globals, shadowing, loop-fresh
//! locals, capture chains through intermediate functions.

use gcheap_lua_syntax::ast::{Env, Expr, Function, LocalId, Stat, UpvalueSource};
use gcheap_lua_syntax::parse;

fn annotated(src: &str) -> String {
    format!(
        "{:#}",
        parse(src.as_bytes(), "=t").unwrap_or_else(|e| panic!("{e}"))
    )
}

fn main_fn(src: &str) -> Function {
    parse(src.as_bytes(), "=t").unwrap().main
}

/// The first function literal or function statement body in `stats`.
fn inner(f: &Function) -> &Function {
    for s in &f.body.stats {
        match s {
            Stat::LocalFunction { func, .. } | Stat::Function { func, .. } => return func,
            Stat::Return { values, .. } | Stat::Local { values, .. } => {
                if let Some(Expr::Function(func)) = values.first() {
                    return func;
                }
            }
            _ => {}
        }
    }
    panic!("no inner function")
}

#[test]
fn locals_globals_and_slots() {
    assert_eq!(
        annotated("local a, b = 1, 2 c = a + b"),
        "-- main slots=2 up=[_ENV<-env]\nlocal a@L0, b@L1 = 1, 2\nc = (a@L0 + b@L1)"
    );
    let m = main_fn("local a, b = 1, 2 c = a + b");
    assert_eq!(m.num_slots, 2);
    assert!(m.is_vararg);
    assert_eq!(m.num_params, 0);
    assert_eq!(m.upvalues.len(), 1);
    assert_eq!(&*m.upvalues[0].name, b"_ENV");
    assert_eq!(m.upvalues[0].source, UpvalueSource::Env);
    let Stat::Assign { targets, .. } = &m.body.stats[1] else {
        panic!()
    };
    let Expr::Global(g) = targets[0].to_expr() else {
        panic!()
    };
    assert_eq!(&*g.name, b"c");
    assert_eq!(g.env, Env::Upvalue(0));
}

#[test]
fn local_initialiser_sees_outer_variable() {
    assert_eq!(
        annotated("local x = 1 local x = x + 1 return x"),
        "-- main slots=2 up=[_ENV<-env]\nlocal x@L0 = 1\nlocal x@L1 = (x@L0 + 1)\nreturn x@L1"
    );
    // A global of the same name before the declaration.
    assert_eq!(
        annotated("local y = y"),
        "-- main slots=1 up=[_ENV<-env]\nlocal y@L0 = y"
    );
}

#[test]
fn shadowing_and_slot_reuse() {
    let src = "local a do local b, a = 1, 2 f(a, b) end do local c f(c) end f(a)";
    assert_eq!(
        annotated(src),
        "-- main slots=3 up=[_ENV<-env]\nlocal a@L0\ndo\n  local b@L1, a@L2 = 1, 2\n  f(a@L2, b@L1)\nend\ndo\n  local c@L1\n  f(c@L1)\nend\nf(a@L0)"
    );
    let m = main_fn(src);
    assert_eq!(m.locals.len(), 4, "every declaration gets its own id");
    assert_eq!(m.local(LocalId(3)).slot, 1);
}

#[test]
fn parameters_and_self() {
    let m = main_fn("function o:m(a, b) return self, a, b end");
    let f = inner(&m);
    assert!(f.is_method);
    assert_eq!(f.num_params, 3);
    let slots: Vec<u16> = f.params.iter().map(|p| p.slot).collect();
    assert_eq!(slots, [0, 1, 2]);
    assert_eq!(
        annotated("function o:m(a, b) return self, a, b end"),
        "-- main slots=0 up=[_ENV<-env]\nfunction o:m(a@L1, b@L2) -- slots=3 up=[]\n  return self@L0, a@L1, b@L2\nend"
    );
}

#[test]
fn upvalues_and_captured_locals() {
    let src = "local x, y = 1, 2 local function f() return x end return y";
    assert_eq!(
        annotated(src),
        "-- main slots=3 up=[_ENV<-env]\nlocal x@L0*, y@L1 = 1, 2\nlocal function f@L2() -- slots=0 up=[x<-L0]\n  return x@U0\nend\nreturn y@L1"
    );
    let m = main_fn(src);
    assert!(m.local(LocalId(0)).captured);
    assert!(!m.local(LocalId(1)).captured);
    assert!(!m.local(LocalId(2)).captured);
    let f = inner(&m);
    assert_eq!(
        f.upvalues[0].source,
        UpvalueSource::ParentLocal {
            slot: 0,
            local: LocalId(0)
        }
    );
}

#[test]
fn recursive_local_function_captures_itself() {
    assert_eq!(
        annotated("local function fact(n) return n * fact(n - 1) end"),
        "-- main slots=1 up=[_ENV<-env]\nlocal function fact@L0*(n@L0) -- slots=1 up=[fact<-L0]\n  return (n@L0 * fact@U0((n@L0 - 1)))\nend"
    );
    // `local f = function` does not see itself: f inside is global.
    assert_eq!(
        annotated("local f = function() return f end"),
        "-- main slots=1 up=[_ENV<-env]\nlocal f@L0 = function() -- slots=0 up=[_ENV<-U0]\n  return f\nend"
    );
}

#[test]
fn capture_chain_through_intermediate_functions() {
    let src = "local a = 1\n\
               local function f()\n\
                 local b = 2\n\
                 return function()\n\
                   return function() return a, b, g end\n\
                 end\n\
               end";
    assert_eq!(
        annotated(src),
        "-- main slots=2 up=[_ENV<-env]\n\
         local a@L0* = 1\n\
         local function f@L1() -- slots=1 up=[a<-L0 _ENV<-U0]\n\
         \x20 local b@L0* = 2\n\
         \x20 return function() -- slots=0 up=[a<-U0 b<-L0 _ENV<-U1]\n\
         \x20   return function() -- slots=0 up=[a<-U0 b<-U1 _ENV<-U2]\n\
         \x20     return a@U0, b@U1, g\n\
         \x20   end\n\
         \x20 end\n\
         end"
    );
    let m = main_fn(src);
    let f = inner(&m);
    let g = inner(f);
    let h = inner(g);
    assert_eq!(
        f.upvalues[0].source,
        UpvalueSource::ParentLocal {
            slot: 0,
            local: LocalId(0)
        }
    );
    assert_eq!(f.upvalues[1].source, UpvalueSource::ParentUpvalue(0));
    assert_eq!(g.upvalues[0].source, UpvalueSource::ParentUpvalue(0));
    assert_eq!(
        g.upvalues[1].source,
        UpvalueSource::ParentLocal {
            slot: 0,
            local: LocalId(0)
        }
    );
    assert_eq!(h.upvalues[1].source, UpvalueSource::ParentUpvalue(1));
    assert!(f.local(LocalId(0)).captured);
    // `g` in the innermost function is a global reached through its own
    // `_ENV` upvalue (index 2).
    let Stat::Return { values, .. } = &h.body.stats[0] else {
        panic!()
    };
    let Expr::Global(gv) = &values[2] else {
        panic!()
    };
    assert_eq!(gv.env, Env::Upvalue(2));
}

#[test]
fn upvalues_are_shared_by_name_within_a_function() {
    let m = main_fn("local x local function f() x = x + 1 return x end");
    let f = inner(&m);
    assert_eq!(f.upvalues.len(), 1);
}

#[test]
fn loop_locals_are_fresh_per_iteration() {
    let src = "local fs = {} for i = 1, 3 do local j = i fs[i] = function() return i + j end end";
    assert_eq!(
        annotated(src),
        "-- main slots=6 up=[_ENV<-env]\nlocal fs@L0 = {}\nfor i@L4* = 1, 3 do\n  local j@L5* = i@L4\n  fs@L0[i@L4] = function() -- slots=0 up=[i<-L4 j<-L5]\n    return (i@U0 + j@U1)\n  end\nend"
    );
    let m = main_fn(src);
    let Stat::NumericFor(f) = &m.body.stats[1] else {
        panic!()
    };
    assert!(
        f.var.captured,
        "loop variable captured: the VM boxes it per iteration"
    );
    let Stat::Local { vars, .. } = &f.body.stats[0] else {
        panic!()
    };
    assert!(vars[0].captured);
    let hidden = m
        .locals
        .iter()
        .filter(|l| &*l.name == b"(for state)")
        .count();
    assert_eq!(hidden, 3);
    assert!(!m.locals[0].captured, "fs is not captured");
}

#[test]
fn generic_for_and_while_and_repeat_scopes() {
    let src = "for k, v in pairs(t) do f(function() return k end) end \
               while c do local w g(function() return w end) end \
               repeat local r = 1 until function() return r end";
    assert_eq!(
        annotated(src),
        "-- main slots=6 up=[_ENV<-env]\n\
         for k@L4*, v@L5 in pairs(t) do\n\
         \x20 f(function() -- slots=0 up=[k<-L4]\n\
         \x20   return k@U0\n\
         \x20 end)\n\
         end\n\
         while c do\n\
         \x20 local w@L0*\n\
         \x20 g(function() -- slots=0 up=[w<-L0]\n\
         \x20   return w@U0\n\
         \x20 end)\n\
         end\n\
         repeat\n\
         \x20 local r@L0* = 1\n\
         until function() -- slots=0 up=[r<-L0]\n\
         \x20 return r@U0\n\
         end"
    );
}

#[test]
fn for_expressions_see_outer_names() {
    assert_eq!(
        annotated("local i = 5 for i = i, i + 1 do end"),
        "-- main slots=5 up=[_ENV<-env]\nlocal i@L0 = 5\nfor i@L4 = i@L0, (i@L0 + 1) do\nend"
    );
}

#[test]
fn local_env_redirects_globals() {
    let src = "local _ENV = {} x = 1 local function f() return y end";
    assert_eq!(
        annotated(src),
        "-- main slots=2 up=[_ENV<-env]\nlocal _ENV@L0* = {}\nx@E0 = 1\nlocal function f@L1() -- slots=0 up=[_ENV<-L0]\n  return y\nend"
    );
    let m = main_fn(src);
    let Stat::Assign { targets, .. } = &m.body.stats[1] else {
        panic!()
    };
    let Expr::Global(g) = targets[0].to_expr() else {
        panic!()
    };
    assert_eq!(
        g.env,
        Env::Local {
            id: LocalId(0),
            slot: 0
        }
    );
}

#[test]
fn vararg_functions() {
    let m = main_fn("local function f(a, ...) return ... end local function g(a) end");
    let Stat::LocalFunction { func: f, .. } = &m.body.stats[0] else {
        panic!()
    };
    let Stat::LocalFunction { func: g, .. } = &m.body.stats[1] else {
        panic!()
    };
    assert!(f.is_vararg);
    assert_eq!(f.num_params, 1);
    assert!(!g.is_vararg);
}

#[test]
fn slots_count_nested_blocks_high_water_mark() {
    let m = main_fn("do local a, b, c end do local d end local e");
    assert_eq!(m.num_slots, 3);
    let m = main_fn("local function f(a, b) local c do local d, e end end");
    let f = inner(&m);
    assert_eq!(f.num_slots, 5);
}

#[test]
fn method_receiver_and_globals_inside_methods() {
    assert_eq!(
        annotated("local M = {} function M.new(x) return setmetatable({x = x}, M) end"),
        "-- main slots=1 up=[_ENV<-env]\nlocal M@L0* = {}\nfunction M@L0.new(x@L0) -- slots=1 up=[_ENV<-U0 M<-L0]\n  return setmetatable({x = x@L0}, M@U1)\nend"
    );
}
