//! The math library (Lua 5.4 manual §6.7), the subset the interpreter offers.

use std::cell::Cell;

use gcheap::{Gc, Trace};
use gcheap_lua_strlib as strlib;

use crate::function::{Function, HostFunction};
use crate::table::Table;
use crate::value::{Value, float_to_int};
use crate::vm::{LuaError, Vm};

use super::{arg, register};

type R<'gc> = Result<Vec<Value<'gc>>, LuaError<'gc>>;

/// Registers `math` in `globals`.
pub fn open<'gc>(vm: &mut Vm<'_, 'gc>, globals: Gc<'gc, Table<'gc>>) {
    let lib = Table::new(vm.mc, 0, 32);
    register(vm, lib, "math.floor", floor);
    register(vm, lib, "math.ceil", ceil);
    register(vm, lib, "math.abs", abs);
    register(vm, lib, "math.max", max);
    register(vm, lib, "math.min", min);
    register(vm, lib, "math.sqrt", sqrt);
    register(vm, lib, "math.exp", exp);
    register(vm, lib, "math.log", log);
    register(vm, lib, "math.sin", sin);
    register(vm, lib, "math.cos", cos);
    register(vm, lib, "math.tan", tan);
    register(vm, lib, "math.asin", asin);
    register(vm, lib, "math.acos", acos);
    register(vm, lib, "math.atan", atan);
    register(vm, lib, "math.ult", ult);
    register(vm, lib, "math.fmod", fmod);
    register(vm, lib, "math.modf", modf);
    register(vm, lib, "math.tointeger", tointeger);
    register(vm, lib, "math.type", type_);
    // One generator per state, shared by `random` and `randomseed` (Lua's upvalue of both):
    // host functions holding it. Lua seeds a new state's generator from the clock (`randseed`
    // in lmathlib.c), so scripts that never call `math.randomseed` see different numbers on
    // each run.
    let (n1, n2) = clock_seed();
    let generator = Gc::new(
        vm.mc,
        Generator {
            state: Cell::new(Xoshiro::seeded(n1, n2)),
        },
    );
    for seeds in [false, true] {
        let f = Gc::new(vm.mc, RandomFn { generator, seeds });
        let f = Gc::unsize::<dyn HostFunction<'gc>>(f, |f| f);
        let key = if seeds { "randomseed" } else { "random" };
        let k = Value::Str(vm.rt.strings.intern(vm.mc, key.as_bytes()));
        let f = Value::Function(Gc::new(vm.mc, Function::Host(f)));
        lib.set(vm.mc, k, f).expect("a string key");
    }
    let consts = [
        ("huge", Value::Num(f64::INFINITY)),
        ("pi", Value::Num(std::f64::consts::PI)),
        ("maxinteger", Value::Int(i64::MAX)),
        ("mininteger", Value::Int(i64::MIN)),
    ];
    for (name, v) in consts {
        let k = vm.str(name.as_bytes());
        lib.set(vm.mc, k, v).expect("a string key");
    }
    let k = Value::Str(vm.rt.strings.intern(vm.mc, b"math"));
    globals
        .set(vm.mc, k, Value::Table(lib))
        .expect("a string key");
}

fn number<'gc>(
    vm: &Vm<'_, 'gc>,
    args: &[Value<'gc>],
    i: usize,
    f: &str,
) -> Result<strlib::Number, LuaError<'gc>> {
    match arg(args, i) {
        Value::Int(n) => Ok(strlib::Number::Int(n)),
        Value::Num(x) => Ok(strlib::Number::Float(x)),
        Value::Str(s) => strlib::str_to_number(&s).ok_or_else(|| {
            vm.plain_error(format!(
                "bad argument #{} to '{f}' (number expected, got string)",
                i + 1
            ))
        }),
        _ => Err(vm.plain_error(format!(
            "bad argument #{} to '{f}' (number expected, got {})",
            i + 1,
            super::got(args, i)
        ))),
    }
}

/// Argument `i` as C Lua's functions see it through `lua_isinteger`: an integer only if it is
/// one, a numeric string always a float.
fn number_c<'gc>(
    vm: &Vm<'_, 'gc>,
    args: &[Value<'gc>],
    i: usize,
    f: &str,
) -> Result<strlib::Number, LuaError<'gc>> {
    Ok(match (arg(args, i), number(vm, args, i, f)?) {
        (Value::Str(_), n) => strlib::Number::Float(n.to_float()),
        (_, n) => n,
    })
}

fn float<'gc>(
    vm: &Vm<'_, 'gc>,
    args: &[Value<'gc>],
    i: usize,
    f: &str,
) -> Result<f64, LuaError<'gc>> {
    number(vm, args, i, f).map(|n| n.to_float())
}

fn num_value<'gc>(n: strlib::Number) -> Value<'gc> {
    match n {
        strlib::Number::Int(i) => Value::Int(i),
        strlib::Number::Float(f) => Value::Num(f),
    }
}

fn floor<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![match number_c(vm, &args, 0, "floor")? {
        strlib::Number::Int(i) => Value::Int(i),
        strlib::Number::Float(f) => num_value(strlib::math_floor(f)),
    }])
}

fn ceil<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![match number_c(vm, &args, 0, "ceil")? {
        strlib::Number::Int(i) => Value::Int(i),
        strlib::Number::Float(f) => num_value(strlib::math_ceil(f)),
    }])
}

fn abs<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![match number_c(vm, &args, 0, "abs")? {
        strlib::Number::Int(i) => Value::Int(i.wrapping_abs()),
        strlib::Number::Float(f) => Value::Num(f.abs()),
    }])
}

fn extreme<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>, name: &str, want_max: bool) -> R<'gc> {
    if args.is_empty() {
        return Err(vm.plain_error(format!("bad argument #1 to '{name}' (value expected)")));
    }
    let mut best = args[0];
    for &v in &args[1..] {
        let better = if want_max {
            vm.less(best, v, false)?
        } else {
            vm.less(v, best, false)?
        };
        if better {
            best = v;
        }
    }
    Ok(vec![best])
}

fn max<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    extreme(vm, args, "max", true)
}

fn min<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    extreme(vm, args, "min", false)
}

fn sqrt<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Num(float(vm, &args, 0, "sqrt")?.sqrt())])
}

fn exp<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Num(float(vm, &args, 0, "exp")?.exp())])
}

fn log<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let x = float(vm, &args, 0, "log")?;
    let r = if arg(&args, 1).is_nil() {
        x.ln()
    } else {
        let b = float(vm, &args, 1, "log")?;
        if b == 2.0 {
            x.log2()
        } else if b == 10.0 {
            x.log10()
        } else {
            x.ln() / b.ln()
        }
    };
    Ok(vec![Value::Num(r)])
}

fn sin<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Num(float(vm, &args, 0, "sin")?.sin())])
}

fn cos<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Num(float(vm, &args, 0, "cos")?.cos())])
}

fn tan<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Num(float(vm, &args, 0, "tan")?.tan())])
}

fn asin<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Num(float(vm, &args, 0, "asin")?.asin())])
}

fn acos<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Num(float(vm, &args, 0, "acos")?.acos())])
}

fn atan<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let y = float(vm, &args, 0, "atan")?;
    let x = if arg(&args, 1).is_nil() {
        1.0
    } else {
        float(vm, &args, 1, "atan")?
    };
    Ok(vec![Value::Num(y.atan2(x))])
}

fn ult<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let a = super::check_int(vm, &args, 0, "ult")?;
    let b = super::check_int(vm, &args, 1, "ult")?;
    Ok(vec![Value::Bool((a as u64) < (b as u64))])
}

fn fmod<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    match (
        number_c(vm, &args, 0, "fmod")?,
        number_c(vm, &args, 1, "fmod")?,
    ) {
        (strlib::Number::Int(a), strlib::Number::Int(b)) => {
            if b == 0 {
                return Err(vm.plain_error("bad argument #2 to 'fmod' (zero)"));
            }
            Ok(vec![Value::Int(if b == -1 { 0 } else { a % b })])
        }
        (a, b) => Ok(vec![Value::Num(a.to_float() % b.to_float())]),
    }
}

fn modf<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let x = float(vm, &args, 0, "modf")?;
    let int = if x.is_infinite() { x } else { x.trunc() };
    let frac = if x.is_infinite() { 0.0 } else { x - int };
    // Lua 5.4 returns the integral part as an integer when it fits (`l_mathop(floor)` then
    // `lua_Number` to integer in `math_modf`'s "float" result: printed as "3").
    let int_v = match float_to_int(int) {
        Some(i) if !x.is_infinite() => Value::Int(i),
        _ => Value::Num(int),
    };
    Ok(vec![int_v, Value::Num(frac)])
}

fn tointeger<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    // `lua_tointegerx`: numeric strings convert too.
    Ok(vec![match arg(&args, 0) {
        Value::Int(i) => Value::Int(i),
        Value::Num(f) => float_to_int(f).map_or(Value::Nil, Value::Int),
        Value::Str(s) => match strlib::str_to_number(&s) {
            Some(strlib::Number::Int(i)) => Value::Int(i),
            Some(strlib::Number::Float(f)) => float_to_int(f).map_or(Value::Nil, Value::Int),
            None => Value::Nil,
        },
        _ if args.is_empty() => {
            return Err(vm.plain_error("bad argument #1 to 'tointeger' (value expected)"));
        }
        _ => Value::Nil,
    }])
}

fn type_<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    if args.is_empty() {
        return Err(vm.plain_error("bad argument #1 to 'type' (value expected)"));
    }
    Ok(vec![match args[0] {
        Value::Int(_) => vm.str(b"integer"),
        Value::Num(_) => vm.str(b"float"),
        _ => Value::Nil,
    }])
}

/// The state of Lua 5.4's pseudo-random generator, xoshiro256** (lmathlib.c).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Xoshiro([u64; 4]);

impl Xoshiro {
    /// The state `math.randomseed(n1, n2)` makes: Lua's `setseed`, including the 16 discarded
    /// outputs that spread the seed bits over the whole state.
    fn seeded(n1: u64, n2: u64) -> Xoshiro {
        // 0xff keeps the state away from all zeros, which xoshiro never leaves.
        let mut g = Xoshiro([n1, 0xff, n2, 0]);
        for _ in 0..16 {
            g.next();
        }
        g
    }

    /// The next 64 random bits.
    fn next(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A float in [0, 1) from the 53 high bits of `bits` (Lua's `I2d`).
    fn to_float(bits: u64) -> f64 {
        (bits >> 11) as f64 * (0.5f64).powi(53)
    }

    /// `bits` projected into [0, n] without bias (Lua 5.4's `project`): the bits are masked to
    /// the smallest all-ones value covering `n`, and fresh bits are drawn while the result lies
    /// above `n`.
    fn project(&mut self, bits: u64, n: u64) -> u64 {
        if n & n.wrapping_add(1) == 0 {
            return bits & n;
        }
        let lim = u64::MAX >> n.leading_zeros();
        let mut r = bits & lim;
        while r > n {
            r = self.next() & lim;
        }
        r
    }
}

/// A state's generator, on the heap.
#[derive(Trace)]
struct Generator {
    #[trace(static)]
    state: Cell<Xoshiro>,
}

/// `math.random` (or, with `seeds`, `math.randomseed`) over one state's generator.
#[derive(Trace)]
struct RandomFn<'gc> {
    generator: Gc<'gc, Generator>,
    #[trace(static)]
    seeds: bool,
}

impl<'gc> HostFunction<'gc> for RandomFn<'gc> {
    fn name(&self) -> &'static str {
        if self.seeds {
            "math.randomseed"
        } else {
            "math.random"
        }
    }

    fn call(&self, vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
        let g = &self.generator.state;
        if self.seeds {
            randomseed(vm, &args, g)
        } else {
            random(vm, &args, g)
        }
    }
}

/// The seed pair of a generator nobody seeded: the time in seconds, as Lua's `randseed`, and the
/// sub-second nanoseconds mixed with a stack address where Lua uses the state's address, so two
/// states made in the same second differ.
fn clock_seed() -> (u64, u64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let here = 0u8;
    let addr = std::ptr::addr_of!(here) as usize as u64;
    (now.as_secs(), u64::from(now.subsec_nanos()) ^ addr)
}

fn random<'gc>(vm: &mut Vm<'_, 'gc>, args: &[Value<'gc>], rng: &Cell<Xoshiro>) -> R<'gc> {
    // Lua draws the bits before looking at the arguments, so a call that fails still advances
    // the generator; doing the same keeps sequences identical to lua5.4's for a given seed.
    let mut g = rng.get();
    let bits = g.next();
    let r = random_with(vm, args, &mut g, bits);
    rng.set(g);
    r
}

fn random_with<'gc>(vm: &Vm<'_, 'gc>, args: &[Value<'gc>], g: &mut Xoshiro, bits: u64) -> R<'gc> {
    let (low, up) = match args.len() {
        0 => return Ok(vec![Value::Num(Xoshiro::to_float(bits))]),
        1 => {
            let up = super::check_int(vm, args, 0, "random")?;
            if up == 0 {
                return Ok(vec![Value::Int(bits as i64)]);
            }
            (1, up)
        }
        2 => (
            super::check_int(vm, args, 0, "random")?,
            super::check_int(vm, args, 1, "random")?,
        ),
        _ => return Err(vm.plain_error("wrong number of arguments")),
    };
    if low > up {
        return Err(vm.plain_error("bad argument #1 to 'random' (interval is empty)"));
    }
    let span = (up as u64).wrapping_sub(low as u64);
    let p = g.project(bits, span);
    Ok(vec![Value::Int(p.wrapping_add(low as u64) as i64)])
}

fn randomseed<'gc>(vm: &mut Vm<'_, 'gc>, args: &[Value<'gc>], rng: &Cell<Xoshiro>) -> R<'gc> {
    let (n1, n2) = if args.is_empty() {
        clock_seed()
    } else {
        let n1 = super::check_int(vm, args, 0, "randomseed")?;
        let n2 = if arg(args, 1).is_nil() {
            0
        } else {
            super::check_int(vm, args, 1, "randomseed")?
        };
        (n1 as u64, n2 as u64)
    };
    rng.set(Xoshiro::seeded(n1, n2));
    // Lua 5.4.4 returns the two seed components, so a script can replay a clock seed.
    Ok(vec![Value::Int(n1 as i64), Value::Int(n2 as i64)])
}

#[cfg(test)]
mod tests {
    use super::Xoshiro;

    #[test]
    fn floats_match_lua_for_a_seed() {
        // lua5.4 -e 'math.randomseed(42) print(math.random())' prints 0.93081217803957.
        let mut g = Xoshiro::seeded(42, 0);
        let x = Xoshiro::to_float(g.next());
        assert!((x - 0.930_812_178_039_57).abs() < 1e-13, "{x}");
    }

    #[test]
    fn projection_stays_in_range() {
        let mut g = Xoshiro::seeded(7, 0);
        for n in [0u64, 1, 2, 5, 9, 10, 1000, u64::MAX / 3, u64::MAX] {
            for _ in 0..200 {
                let b = g.next();
                assert!(g.project(b, n) <= n);
            }
        }
    }
}
