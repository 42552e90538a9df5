//! `MemStats` reports the time a stop waits for mutators to reach a boundary apart from the time
//! it holds them stopped: a long `mutate` call delays a cycle's stop, but nobody is held then.

use std::sync::mpsc;
use std::time::Duration;

use gcheap_core::{Config, Heap, Rootable};

const LONG_CALL: Duration = Duration::from_millis(400);

#[test]
fn a_long_mutate_counts_as_stopping_time_not_as_pause() {
    let heap = Heap::new(Config {
        gc_percent: -1,
        ..Config::default()
    })
    .expect("a valid config");
    let (inside, entered) = mpsc::channel();
    let long_call = {
        let heap = heap.clone();
        std::thread::spawn(move || {
            let mut m = heap.mutator::<Rootable![()]>(|_| ());
            m.mutate(|_, _| {
                inside.send(()).expect("the test waits for this");
                // Ignores should_yield(): the cycle's stop waits for this call to return.
                std::thread::sleep(LONG_CALL);
            });
        })
    };
    entered.recv().expect("the mutator entered its long call");
    heap.collect();
    long_call.join().expect("the long call returns");

    let stats = heap.mem_stats();
    assert_eq!(stats.num_gc, 1);
    assert!(
        stats.max_stopping_ns >= (LONG_CALL / 2).as_nanos() as u64,
        "the stop waited for the long call: max_stopping_ns = {} ns",
        stats.max_stopping_ns
    );
    assert!(stats.stopping_total_ns >= stats.max_stopping_ns);
    assert!(
        stats.max_pause_ns < (LONG_CALL / 4).as_nanos() as u64,
        "nobody was held while the stop waited, and the stop's work is short: \
         max_pause_ns = {} ns",
        stats.max_pause_ns
    );
    assert_eq!(stats.pause_total_ns, stats.pause_ns[0]);
    assert!(
        stats.pause_total_ns > 0,
        "the stop itself still counts as a pause"
    );
}
