//! Tables against Lua 5.4's semantics: the array and hash parts, `#` borders, `next` traversals
//! that assign nil to visited keys, key normalization, and rehashing under churn against a
//! `HashMap` model.

use std::collections::HashMap;

use gcheap::{Gc, Heap, Rootable};
use gcheap_lua::{KeyError, LuaStr, Table, Value};

fn with_heap(f: impl for<'gc> FnOnce(&gcheap::Mutation<'gc>)) {
    let heap = Heap::default();
    let mut m = heap.mutator::<Rootable![()]>(|_| ());
    m.mutate(|mc, _| f(mc));
}

fn int(v: Value<'_>) -> Option<i64> {
    match v {
        Value::Int(i) => Some(i),
        _ => None,
    }
}

#[test]
fn sequences_live_in_the_array_part_and_have_their_length() {
    with_heap(|mc| {
        let t = Table::new(mc, 0, 0);
        for i in 1..=100 {
            t.set(mc, Value::Int(i), Value::Int(i * 10)).unwrap();
        }
        let d = t.data.borrow();
        assert_eq!(d.array().len(), 100);
        assert_eq!(d.length(), 100);
        assert_eq!(int(d.get(Value::Int(42))), Some(420));
        // A float key with an integral value is the integer key.
        assert_eq!(int(d.get(Value::Num(42.0))), Some(420));
        assert!(d.get(Value::Num(42.5)).is_nil());
    });
}

#[test]
fn keys_filled_out_of_order_join_the_array_part() {
    with_heap(|mc| {
        let t = Table::new(mc, 0, 0);
        for i in (1..=64).rev() {
            t.set(mc, Value::Int(i), Value::Bool(true)).unwrap();
        }
        let d = t.data.borrow();
        assert_eq!(d.length(), 64);
        assert_eq!(
            d.array().len(),
            64,
            "the rehash or the append moved them to the array"
        );
    });
}

#[test]
fn border_of_a_sequence_with_its_tail_removed() {
    with_heap(|mc| {
        let t = Table::new(mc, 0, 0);
        for i in 1..=10 {
            t.set(mc, Value::Int(i), Value::Int(i)).unwrap();
        }
        t.set(mc, Value::Int(10), Value::Nil).unwrap();
        t.set(mc, Value::Int(9), Value::Nil).unwrap();
        assert_eq!(t.data.borrow().length(), 8);
        let empty = Table::new(mc, 0, 0);
        assert_eq!(empty.data.borrow().length(), 0);
    });
}

#[test]
fn nil_and_nan_are_not_keys() {
    with_heap(|mc| {
        let t = Table::new(mc, 0, 0);
        assert_eq!(t.set(mc, Value::Nil, Value::Int(1)), Err(KeyError::Nil));
        assert_eq!(
            t.set(mc, Value::Num(f64::NAN), Value::Int(1)),
            Err(KeyError::NaN)
        );
        assert_eq!(KeyError::NaN.message(), "table index is NaN");
        assert!(t.get(mc, Value::Nil).is_nil());
    });
}

#[test]
fn strings_are_keys_by_content() {
    with_heap(|mc| {
        let t = Table::new(mc, 0, 0);
        let a = LuaStr::new(mc, b"name");
        let b = LuaStr::new(mc, b"name");
        t.set(mc, Value::Str(a), Value::Int(7)).unwrap();
        assert_eq!(int(t.get(mc, Value::Str(b))), Some(7));
        assert!(!Gc::ptr_eq(a, b));
    });
}

#[test]
fn next_visits_every_entry_once_even_when_visited_keys_are_cleared() {
    with_heap(|mc| {
        let t = Table::new(mc, 0, 0);
        for i in 1..=20 {
            t.set(mc, Value::Int(i), Value::Int(i)).unwrap();
        }
        for i in 0..50 {
            let k = LuaStr::new(mc, format!("k{i}").as_bytes());
            t.set(mc, Value::Str(k), Value::Int(1000 + i)).unwrap();
        }
        let mut seen = 0;
        let mut key = Value::Nil;
        loop {
            let entry = t.data.borrow().next(key).unwrap();
            let Some((k, v)) = entry else { break };
            assert!(!v.is_nil());
            seen += 1;
            key = k;
            // Lua allows clearing the field just visited during a traversal.
            t.set(mc, k, Value::Nil).unwrap();
        }
        assert_eq!(seen, 70);
        assert!(
            t.data.borrow().next(Value::Nil).unwrap().is_none(),
            "all cleared"
        );
        let absent = LuaStr::new(mc, b"never there");
        assert!(
            t.data.borrow().next(Value::Str(absent)).is_err(),
            "invalid key to 'next'"
        );
    });
}

#[test]
fn churn_matches_a_map_model() {
    with_heap(|mc| {
        let t = Table::new(mc, 0, 0);
        let mut model: HashMap<i64, i64> = HashMap::new();
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for step in 0..20_000i64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let key = (x % 300) as i64 - 50;
            if x.is_multiple_of(3) {
                t.set(mc, Value::Int(key), Value::Nil).unwrap();
                model.remove(&key);
            } else {
                t.set(mc, Value::Int(key), Value::Int(step)).unwrap();
                model.insert(key, step);
            }
        }
        let d = t.data.borrow();
        for key in -60..260 {
            assert_eq!(
                int(d.get(Value::Int(key))),
                model.get(&key).copied(),
                "key {key}"
            );
        }
        let mut count = 0;
        let mut key = Value::Nil;
        while let Some((k, _)) = d.next(key).unwrap() {
            count += 1;
            key = k;
        }
        assert_eq!(count, model.len());
        // The border is a border.
        let n = d.length();
        assert!(n == 0 || !d.get(Value::Int(n)).is_nil());
        assert!(d.get(Value::Int(n + 1)).is_nil());
    });
}
