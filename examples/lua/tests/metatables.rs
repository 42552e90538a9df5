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
