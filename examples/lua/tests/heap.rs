//! A script runs on the heap as any mutator does: a long allocating loop returns from `mutate`
//! when a cycle waits for it, so the collector keeps the heap bounded while the script runs.

use gcheap::Heap;
use gcheap_lua::Lua;

/// 400,000 iterations allocate well over 100 MB: without cycles during the script it would all
/// still be there.
fn assert_collected_while_running(heap: &Heap) {
    let stats = heap.mem_stats();
    assert!(stats.num_gc >= 3, "{} cycles ran", stats.num_gc);
    assert!(
        stats.heap_alloc < 32 << 20,
        "{} bytes allocated at the end",
        stats.heap_alloc
    );
}

#[test]
fn a_long_allocating_loop_lets_the_collector_run() {
    let heap = Heap::default();
    let mut lua = Lua::on_heap(&heap);
    let script = b"
        local t, sum = nil, 0
        for i = 1, 400000 do
            t = {i, tostring(i), {i}}
            sum = sum + t[1]
        end
        print(sum, t[2])
    ";
    let mut out = Vec::new();
    lua.run(script, "loop", &mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "80000200000\t400000\n");
    assert_collected_while_running(&heap);
}

#[test]
fn errors_after_a_suspension_are_reported_and_the_state_stays_usable() {
    let heap = Heap::default();
    let mut lua = Lua::on_heap(&heap);
    let mut out = Vec::new();
    let err = lua
        .run(
            b"for i = 1, 200000 do local t = {i} end error('late')",
            "late",
            &mut out,
        )
        .unwrap_err();
    assert_eq!(err, "late:1: late");
    lua.run(b"print(1 + 1)", "again", &mut out).unwrap();
    assert_eq!(out, b"2\n");
}

#[test]
fn a_coroutine_allocating_for_long_lets_the_collector_run() {
    // Coroutines resumed from Lua code run in the outermost loop, so it suspends in them too.
    let heap = Heap::default();
    let mut lua = Lua::on_heap(&heap);
    // The whole loop runs inside the coroutine, which yields only at its end.
    let script = b"
        local co = coroutine.wrap(function()
            local t, sum = nil, 0
            for i = 1, 400000 do
                t = {i, tostring(i), {i}}
                sum = sum + t[1]
            end
            coroutine.yield(sum)
            return t[2]
        end)
        print(co(), co())
    ";
    let mut out = Vec::new();
    lua.run(script, "co", &mut out).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), "80000200000\t400000\n");
    assert_collected_while_running(&heap);
}

#[test]
fn lua_states_on_threads_share_one_heap_and_its_collector() {
    // What `gcheap-lua --threads N` does: each state a mutator of the same heap.
    let heap = Heap::default();
    let script = b"
        local keep = {}
        for i = 1, 100000 do
            local t = {i, tostring(i)}
            if i % 1000 == 0 then keep[#keep + 1] = t end
        end
        local sum = 0
        for _, t in ipairs(keep) do sum = sum + t[1] end
        print(#keep, sum)
    ";
    let outputs: Vec<Vec<u8>> = std::thread::scope(|s| {
        let copies: Vec<_> = (0..3)
            .map(|_| {
                s.spawn(|| {
                    let mut lua = Lua::on_heap(&heap);
                    let mut out = Vec::new();
                    lua.run(script, "copy", &mut out).unwrap();
                    out
                })
            })
            .collect();
        copies.into_iter().map(|c| c.join().unwrap()).collect()
    });
    for out in outputs {
        assert_eq!(String::from_utf8(out).unwrap(), "100\t5050000\n");
    }
    let stats = heap.mem_stats();
    assert!(stats.num_gc >= 3, "{} cycles ran", stats.num_gc);
}
