//! The absent-metamethod cache of metatables must forget what it knew when a field is added.

use gcheap_lua::Lua;

fn run(src: &str) -> String {
    let mut lua = Lua::new();
    let mut out = Vec::new();
    lua.run(src.as_bytes(), "mt", &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn a_metamethod_added_after_a_miss_is_found() {
    let out = run("
        local mt = {}
        local t = setmetatable({}, mt)
        print(t.x)                                   -- a miss: mt has no __index
        mt.__index = function(_, k) return k .. '!' end
        print(t.x)
        rawset(mt, '__len', function() return 7 end)
        print(#t)
        mt.__index = nil
        print(t.x)
    ");
    assert_eq!(out, "nil\nx!\n7\nnil\n");
}

#[test]
fn each_state_has_its_own_random_generator() {
    // math.random's generator is a host function's state (a `Gc<dyn HostFunction>`), so two
    // states on one thread do not share a sequence.
    let draw = |lua: &mut Lua| {
        let mut out = Vec::new();
        lua.run(
            b"print(math.random(1000000), math.random(1000000))",
            "r",
            &mut out,
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    };
    let (mut a, mut b) = (Lua::new(), Lua::new());
    let seed = |lua: &mut Lua| {
        lua.run(b"math.randomseed(42)", "s", &mut Vec::new())
            .unwrap()
    };
    seed(&mut a);
    seed(&mut b);
    let first = draw(&mut a);
    assert_eq!(draw(&mut b), first, "same seed, same numbers");
    assert_ne!(draw(&mut a), first, "a's generator moved on");
}
