//! gctrace's heap figures, as Go defines them: `A->B->C MB` is the heap at cycle start, the heap
//! at mark end and the heap marked live. A mutator that allocates while the cycle marks makes B
//! larger than A.
//!
//! gctrace writes to the process's stderr from the collector thread, so the test runs itself
//! again as a child process with gctrace on and reads the child's stderr.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::time::{Duration, Instant};

use gcheap_core::{Config, Gc, Heap, Mutator, Rootable, Trace, Tracer};

/// Set in the child process.
const CHILD: &str = "GCHEAP_GCTRACE_TEST_CHILD";
/// What the mutator allocates while the cycle is held in its mark phase.
const ALLOCATED_DURING_MARK: usize = 16 << 20;

/// The collector thread has started scanning the gate: the cycle is marking.
static REACHED: AtomicBool = AtomicBool::new(false);
/// The mutator has allocated: the collector may finish scanning the gate.
static RELEASED: AtomicBool = AtomicBool::new(false);

/// A root object whose scan on the collector thread waits (at most 20 s) until the mutator has
/// allocated, so that the allocation falls inside the mark phase.
struct Gate;

type GateRoot = Rootable![Gc<'_, Gate>];

// SAFETY: holds no Gc pointer; its trace reads only statics.
unsafe impl Trace for Gate {
    fn trace(&self, _: &mut Tracer<'_>) {
        if std::thread::current().name() != Some("gcheap-gc") {
            return;
        }
        REACHED.store(true, SeqCst);
        let start = Instant::now();
        while !RELEASED.load(SeqCst) && start.elapsed() < Duration::from_secs(20) {
            std::thread::sleep(Duration::from_micros(100));
        }
    }
}

#[test]
fn heap_at_mark_end_counts_what_mutators_allocated_while_marking() {
    if std::env::var_os(CHILD).is_some() {
        allocate_while_a_cycle_marks();
        return;
    }
    let stderr = run_child();
    let line = stderr
        .lines()
        .find(|l| l.starts_with("gc 1 "))
        .unwrap_or_else(|| panic!("no gctrace line for cycle 1 in the child's stderr:\n{stderr}"));
    let (at_start, at_mark_end, marked) = heap_figures(line);
    assert!(
        at_mark_end >= at_start + 8,
        "the heap at mark end ({at_mark_end} MB) should exceed the heap at cycle start \
         ({at_start} MB) by the {} MB allocated while marking: {line}",
        ALLOCATED_DURING_MARK >> 20
    );
    // Objects allocated while marking are black (they float until the next cycle), so the
    // live figure counts them too, as Go's does.
    assert!(
        marked + 1 >= at_mark_end - at_start,
        "the live figure ({marked} MB) should count the {} MB allocated black while marking: \
         {line}",
        at_mark_end - at_start
    );
}

/// Runs this test in a child process with gctrace on; returns its stderr.
fn run_child() -> String {
    let out = Command::new(std::env::current_exe().expect("the test binary's path"))
        .args([
            "--exact",
            "heap_at_mark_end_counts_what_mutators_allocated_while_marking",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, "1")
        .output()
        .expect("the test binary runs as a child");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "the child failed: {}\n{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    stderr
}

/// The `A->B->C MB` figures of a gctrace line.
fn heap_figures(line: &str) -> (u64, u64, u64) {
    let field = line
        .split(", ")
        .find(|f| f.ends_with(" MB") && f.contains("->"))
        .unwrap_or_else(|| panic!("no A->B->C MB field in {line:?}"));
    let figures: Vec<u64> = field
        .trim_end_matches(" MB")
        .split("->")
        .map(|n| {
            n.parse()
                .unwrap_or_else(|_| panic!("not a number in {field:?}"))
        })
        .collect();
    assert_eq!(figures.len(), 3, "three heap figures in {field:?}");
    (figures[0], figures[1], figures[2])
}

/// The child: one forced cycle, held in its mark phase while the mutator allocates garbage.
fn allocate_while_a_cycle_marks() {
    let heap = Heap::new(Config {
        gctrace: true,
        gc_workers: 1,
        // No automatic cycle: the forced one below is cycle 1.
        gc_percent: -1,
        ..Config::default()
    })
    .expect("a valid config");
    let mut m = heap.mutator::<GateRoot>(|mc| Gc::new(mc, Gate));
    let collector = {
        let heap = heap.clone();
        std::thread::spawn(move || heap.collect())
    };
    wait_for_marking(&mut m);
    m.mutate(|mc, _| {
        for _ in 0..ALLOCATED_DURING_MARK >> 16 {
            Gc::from_iter(mc, (0..1 << 16).map(|i| i as u8));
        }
    });
    RELEASED.store(true, SeqCst);
    collector.join().expect("the forced cycle completes");
}

/// Passes boundaries (so that the cycle's stop can begin) until the collector scans the gate.
fn wait_for_marking(m: &mut Mutator<GateRoot>) {
    let start = Instant::now();
    while !REACHED.load(SeqCst) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the forced cycle never reached its mark phase"
        );
        m.mutate(|_, _| ());
        std::thread::sleep(Duration::from_millis(1));
    }
}
