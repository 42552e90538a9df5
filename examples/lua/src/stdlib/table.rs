//! The table library (Lua 5.4 manual §6.6): `insert`, `remove`, `concat`, `unpack`, `pack`,
//! `sort`.

use gcheap::Gc;

use crate::table::Table;
use crate::value::Value;
use crate::vm::{LuaError, Vm};

use super::{arg, check_int, check_table, register};

type R<'gc> = Result<Vec<Value<'gc>>, LuaError<'gc>>;

/// Registers `table` in `globals`.
pub fn open<'gc>(vm: &mut Vm<'_, 'gc>, globals: Gc<'gc, Table<'gc>>) {
    let lib = Table::new(vm.mc, 0, 8);
    register(vm, lib, "table.insert", insert);
    register(vm, lib, "table.remove", remove);
    register(vm, lib, "table.concat", concat);
    register(vm, lib, "table.unpack", unpack);
    register(vm, lib, "table.pack", pack);
    register(vm, lib, "table.sort", sort);
    register(vm, lib, "table.move", move_);
    let k = Value::Str(vm.rt.strings.intern(vm.mc, b"table"));
    globals
        .set(vm.mc, k, Value::Table(lib))
        .expect("a string key");
}

fn len<'gc>(vm: &mut Vm<'_, 'gc>, t: Value<'gc>) -> Result<i64, LuaError<'gc>> {
    match vm.unary_len(t)? {
        Value::Int(n) => Ok(n),
        _ => Err(vm.plain_error("object length is not an integer")),
    }
}

fn insert<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    check_table(vm, &args, 0, "insert")?;
    let t = args[0];
    let n = len(vm, t)?;
    match args.len() {
        2 => vm.set_index(t, Value::Int(n + 1), args[1])?,
        3 => {
            let pos = check_int(vm, &args, 1, "insert")?;
            if pos < 1 || pos > n + 1 {
                return Err(vm.plain_error("bad argument #2 to 'insert' (position out of bounds)"));
            }
            let mut i = n;
            while i >= pos {
                let v = vm.index(t, Value::Int(i))?;
                vm.set_index(t, Value::Int(i + 1), v)?;
                i -= 1;
            }
            vm.set_index(t, Value::Int(pos), args[2])?;
        }
        _ => return Err(vm.plain_error("wrong number of arguments to 'insert'")),
    }
    Ok(Vec::new())
}

fn remove<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    check_table(vm, &args, 0, "remove")?;
    let t = args[0];
    let n = len(vm, t)?;
    let pos = if args.len() >= 2 {
        check_int(vm, &args, 1, "remove")?
    } else {
        n
    };
    if args.len() >= 2 && n + 1 != pos && (pos < 1 || pos > n + 1) && !(n == 0 && pos == 0) {
        return Err(vm.plain_error("bad argument #1 to 'remove' (position out of bounds)"));
    }
    let v = vm.index(t, Value::Int(pos))?;
    let mut i = pos;
    while i < n {
        let next = vm.index(t, Value::Int(i + 1))?;
        vm.set_index(t, Value::Int(i), next)?;
        i += 1;
    }
    if i <= n || pos == n {
        vm.set_index(t, Value::Int(i), Value::Nil)?;
    }
    Ok(vec![v])
}

fn concat<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    check_table(vm, &args, 0, "concat")?;
    let t = args[0];
    let sep = match arg(&args, 1) {
        Value::Nil => Vec::new(),
        v => crate::vm::to_concat_bytes(v)
            .ok_or_else(|| vm.plain_error("bad argument #2 to 'concat' (string expected)"))?,
    };
    let i = if arg(&args, 2).is_nil() {
        1
    } else {
        check_int(vm, &args, 2, "concat")?
    };
    let j = if arg(&args, 3).is_nil() {
        len(vm, t)?
    } else {
        check_int(vm, &args, 3, "concat")?
    };
    let mut out = Vec::new();
    let mut k = i;
    while k <= j {
        let v = vm.index(t, Value::Int(k))?;
        match crate::vm::to_concat_bytes(v) {
            Some(b) => out.extend(b),
            None => {
                return Err(vm.plain_error(format!(
                    "invalid value ({}) at index {k} in table for 'concat'",
                    v.type_name()
                )));
            }
        }
        if k < j {
            out.extend_from_slice(&sep);
        }
        k += 1;
    }
    Ok(vec![vm.str(&out)])
}

fn move_<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    check_table(vm, &args, 0, "move")?;
    let a1 = args[0];
    let f = check_int(vm, &args, 1, "move")?;
    let e = check_int(vm, &args, 2, "move")?;
    let t = check_int(vm, &args, 3, "move")?;
    let a2 = if arg(&args, 4).is_nil() {
        a1
    } else {
        check_table(vm, &args, 4, "move")?;
        args[4]
    };
    if e >= f {
        if !(f > 0 || e < i64::MAX + f) {
            return Err(vm.plain_error("bad argument #3 to 'move' (too many elements to move)"));
        }
        let same = a1.raw_eq(&a2);
        if t > e || t <= f || !same {
            for i in 0..=(e - f) {
                let v = vm.index(a1, Value::Int(f + i))?;
                vm.set_index(a2, Value::Int(t + i), v)?;
            }
        } else {
            let mut i = e - f;
            loop {
                let v = vm.index(a1, Value::Int(f + i))?;
                vm.set_index(a2, Value::Int(t + i), v)?;
                if i == 0 {
                    break;
                }
                i -= 1;
            }
        }
    }
    Ok(vec![a2])
}

fn unpack<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let t = arg(&args, 0);
    let i = if arg(&args, 1).is_nil() {
        1
    } else {
        check_int(vm, &args, 1, "unpack")?
    };
    let j = if arg(&args, 2).is_nil() {
        len(vm, t)?
    } else {
        check_int(vm, &args, 2, "unpack")?
    };
    if i > j {
        return Ok(Vec::new());
    }
    if (j - i) >= 1_000_000 {
        return Err(vm.plain_error("too many results to unpack"));
    }
    let mut out = Vec::with_capacity((j - i + 1) as usize);
    for k in i..=j {
        out.push(vm.index(t, Value::Int(k))?);
    }
    Ok(out)
}

fn pack<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let t = Table::new(vm.mc, args.len(), 1);
    {
        let mut d = t.data.borrow_mut(vm.mc);
        for (i, v) in args.iter().enumerate() {
            d.set_int(i as i64 + 1, *v);
        }
    }
    let k = vm.str(b"n");
    t.set(vm.mc, k, Value::Int(args.len() as i64))
        .expect("a string key");
    Ok(vec![Value::Table(t)])
}

fn sort<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    check_table(vm, &args, 0, "sort")?;
    let t = args[0];
    let n = len(vm, t)?;
    let cmp = arg(&args, 1);
    let mut items = Vec::with_capacity(n.max(0) as usize);
    for k in 1..=n {
        items.push(vm.index(t, Value::Int(k))?);
    }
    // Merge sort with a fallible comparison: stable, and at most n log n calls.
    let mut failure = None;
    let mut less = |vm: &mut Vm<'_, 'gc>, a: Value<'gc>, b: Value<'gc>| -> bool {
        if failure.is_some() {
            return false;
        }
        let r = if cmp.is_nil() {
            vm.less(a, b, false)
        } else {
            vm.call(cmp, vec![a, b])
                .map(|r| r.first().is_some_and(|v| v.truthy()))
        };
        r.unwrap_or_else(|e| {
            failure = Some(e);
            false
        })
    };
    let mut buf = items.clone();
    merge_sort(vm, &mut items, &mut buf, &mut less);
    if let Some(e) = failure {
        return Err(e);
    }
    for (k, v) in items.into_iter().enumerate() {
        vm.set_index(t, Value::Int(k as i64 + 1), v)?;
    }
    Ok(Vec::new())
}

type Less<'x, 'a, 'gc> = dyn FnMut(&mut Vm<'a, 'gc>, Value<'gc>, Value<'gc>) -> bool + 'x;

fn merge_sort<'a, 'gc>(
    vm: &mut Vm<'a, 'gc>,
    v: &mut [Value<'gc>],
    buf: &mut [Value<'gc>],
    less: &mut Less<'_, 'a, 'gc>,
) {
    let n = v.len();
    if n <= 1 {
        return;
    }
    let mid = n / 2;
    merge_sort(vm, &mut v[..mid], &mut buf[..mid], less);
    merge_sort(vm, &mut v[mid..], &mut buf[mid..], less);
    buf[..n].copy_from_slice(v);
    let (mut i, mut j, mut k) = (0, mid, 0);
    while i < mid && j < n {
        if less(vm, buf[j], buf[i]) {
            v[k] = buf[j];
            j += 1;
        } else {
            v[k] = buf[i];
            i += 1;
        }
        k += 1;
    }
    while i < mid {
        v[k] = buf[i];
        i += 1;
        k += 1;
    }
    while j < n {
        v[k] = buf[j];
        j += 1;
        k += 1;
    }
}
