//! Leak visibility: the heap counts attached mutators and live persistent roots, by type, in
//! `Heap` and in `MemStats`.

use gcheap_core::{Gc, Heap, Root, Rootable, TypeCount};

type Unit = Rootable![()];
type Counter = Rootable![u64];
type Label = Rootable![String];

#[test]
fn mutators_and_roots_are_counted_by_type_until_dropped() {
    let heap = Heap::default();
    let mut a = heap.mutator::<Unit>(|_| ());
    let b = heap.mutator::<Counter>(|_| 0);
    let c = heap.mutator::<Counter>(|_| 1);
    let (counters, labels): (Vec<Root<Counter>>, Vec<Root<Label>>) = a.mutate(|mc, _| {
        let counters = (0..3).map(|i| Root::new(mc, Gc::new(mc, i))).collect();
        let labels = (0..2)
            .map(|i| Root::new(mc, Gc::new(mc, format!("label {i}"))))
            .collect();
        (counters, labels)
    });

    assert_eq!(heap.num_mutators(), 3);
    assert_eq!(heap.num_persistent_roots(), 5);
    assert_eq!(
        heap.mutators_by_type(),
        vec![
            TypeCount {
                type_name: "u64",
                count: 2
            },
            TypeCount {
                type_name: "()",
                count: 1
            },
        ]
    );
    assert_eq!(
        heap.persistent_roots_by_type(),
        vec![
            TypeCount {
                type_name: "u64",
                count: 3
            },
            TypeCount {
                type_name: "alloc::string::String",
                count: 2
            },
        ]
    );
    let stats = heap.mem_stats();
    assert_eq!((stats.num_mutators, stats.num_persistent_roots), (3, 5));

    drop(counters);
    drop((b, c));
    assert_eq!(heap.num_mutators(), 1);
    assert_eq!(
        heap.persistent_roots_by_type(),
        vec![TypeCount {
            type_name: "alloc::string::String",
            count: 2
        }]
    );
    drop(labels);
    drop(a);
    let stats = heap.mem_stats();
    assert_eq!((stats.num_mutators, stats.num_persistent_roots), (0, 0));
    assert!(heap.mutators_by_type().is_empty());
}
