//! The operating-system library (Lua 5.4 manual §6.9), the part about time and the environment:
//! `os.time`, `os.clock`, `os.difftime`, `os.date` and `os.getenv`.
//!
//! Dates are computed with proleptic Gregorian civil-date arithmetic rather than the C
//! library's `mktime`/`localtime`, so no time-zone database is read: local time is UTC (as on
//! the machines the interpreter runs on), `isdst` is always false and `%Z` names "UTC" (or
//! "GMT" for a `!` format, as glibc's `gmtime` does). Within that, results follow lua5.4 on
//! glibc: `os.time` normalises out-of-range fields like `mktime`, the same range limits and
//! error messages apply, and `os.date` formats like glibc's `strftime` in the C locale.

use gcheap::Gc;

use crate::table::Table;
use crate::value::Value;
use crate::vm::{LuaError, Vm};

use super::{arg, check_int, check_table, register};

type R<'gc> = Result<Vec<Value<'gc>>, LuaError<'gc>>;

/// Registers `os` in `globals`.
pub fn open<'gc>(vm: &mut Vm<'_, 'gc>, globals: Gc<'gc, Table<'gc>>) {
    // Read once now so that the wall-clock fallback of `os.clock` counts from start-up.
    let _ = start_instant();
    let lib = Table::new(vm.mc, 0, 8);
    register(vm, lib, "os.time", time);
    register(vm, lib, "os.clock", clock);
    register(vm, lib, "os.difftime", difftime);
    register(vm, lib, "os.date", date);
    register(vm, lib, "os.getenv", getenv);
    let k = Value::Str(vm.rt.strings.intern(vm.mc, b"os"));
    globals
        .set(vm.mc, k, Value::Table(lib))
        .expect("a string key");
}

const SECS_PER_DAY: i64 = 86_400;

/// Days from 1970-01-01 to `year`-`month`-`day` (month 1..=12) in the proleptic Gregorian
/// calendar. Works in 400-year eras, whose length in days is fixed, so any `i64` year whose
/// day count fits is exact.
pub fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Counting years from March puts the leap day last, so the day of the year is a linear
    // function of the month.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date (year, month 1..=12, day 1..=31) `days` days after 1970-01-01: the inverse
/// of [`days_from_civil`].
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// A broken-down time, C's `struct tm` with the year and month as Lua shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tm {
    /// The year (1970, not 70).
    pub year: i64,
    /// The month, 1..=12.
    pub month: i64,
    /// The day of the month, 1..=31.
    pub day: i64,
    /// The hour, 0..=23.
    pub hour: i64,
    /// The minute, 0..=59.
    pub min: i64,
    /// The second, 0..=59.
    pub sec: i64,
    /// The day of the year, 0..=365 (January 1st is 0, as in C).
    pub yday: i64,
    /// The day of the week, 0..=6 (Sunday is 0, as in C).
    pub wday: i64,
}

/// The broken-down UTC time of `t` seconds after the epoch, `None` where C's `tm_year` (the
/// year minus 1900, an `int`) cannot hold the year, as glibc's `gmtime` fails there.
pub fn gmtime(t: i64) -> Option<Tm> {
    let days = t.div_euclid(SECS_PER_DAY);
    let secs = t.rem_euclid(SECS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    i32::try_from(year - 1900).ok()?;
    Some(Tm {
        year,
        month,
        day,
        hour: secs / 3600,
        min: secs / 60 % 60,
        sec: secs % 60,
        yday: days - days_from_civil(year, 1, 1),
        // 1970-01-01 was a Thursday.
        wday: (days + 4).rem_euclid(7),
    })
}

/// `mktime` in UTC: the time of the given fields, each normalised into the next larger one
/// (month 13 is January of the next year, second -1 the last second of the previous minute).
/// Fields are as Lua passes them to C (year minus 1900, month 0-based), each an `int`. `None`
/// where the normalised year does not fit C's `tm_year`.
fn mktime(year: i32, mon: i32, mday: i32, hour: i32, min: i32, sec: i32) -> Option<i64> {
    let (mon, year) = (
        i64::from(mon).rem_euclid(12),
        i64::from(year) + 1900 + i64::from(mon).div_euclid(12),
    );
    let days = days_from_civil(year, mon + 1, 1) + i64::from(mday) - 1;
    let t = days * SECS_PER_DAY + i64::from(hour) * 3600 + i64::from(min) * 60 + i64::from(sec);
    gmtime(t).map(|_| t)
}

/// Where the wall-clock fallback of `os.clock` counts from.
fn start_instant() -> std::time::Instant {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *START.get_or_init(std::time::Instant::now)
}

/// The CPU time of the process in seconds, as C's `clock()` gives it to Lua: user plus system
/// time of all its threads from `/proc/self/stat`. Those are counted in `USER_HZ` ticks, which
/// Linux fixes at 100 for user space, so the resolution is 10 ms. Without `/proc` (another
/// system) the wall time since the library was opened stands in.
fn cpu_seconds() -> f64 {
    let from_proc = || -> Option<f64> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // The command name (field 2) is in parentheses and may contain spaces: count fields
        // after its closing parenthesis, where field 3 (the state) comes first.
        let rest = &stat[stat.rfind(')')? + 1..];
        let mut fields = rest.split_ascii_whitespace().skip(11);
        let utime: u64 = fields.next()?.parse().ok()?;
        let stime: u64 = fields.next()?.parse().ok()?;
        Some((utime + stime) as f64 / 100.0)
    };
    from_proc().unwrap_or_else(|| start_instant().elapsed().as_secs_f64())
}

fn now() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs_f64().ceil() as i64),
    }
}

fn clock<'gc>(_vm: &mut Vm<'_, 'gc>, _args: Vec<Value<'gc>>) -> R<'gc> {
    Ok(vec![Value::Num(cpu_seconds())])
}

fn difftime<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let t1 = check_int(vm, &args, 0, "difftime")?;
    let t2 = check_int(vm, &args, 1, "difftime")?;
    // C's difftime subtracts as doubles.
    Ok(vec![Value::Num(t1 as f64 - t2 as f64)])
}

/// `lua_tointegerx` of a field value: integers, floats with an integral value and strings
/// holding one.
fn field_int(v: Value<'_>) -> Option<i64> {
    match v {
        Value::Int(i) => Some(i),
        Value::Num(f) => crate::value::float_to_int(f),
        Value::Str(s) => match gcheap_lua_strlib::str_to_number(&s)? {
            gcheap_lua_strlib::Number::Int(i) => Some(i),
            gcheap_lua_strlib::Number::Float(f) => crate::value::float_to_int(f),
        },
        _ => None,
    }
}

/// Field `key` of the date table `t` minus `delta`, as an `int` (los.c's `getfield`): `default`
/// when absent, or an error when there is no default (`None`).
fn get_field<'gc>(
    vm: &mut Vm<'_, 'gc>,
    t: Value<'gc>,
    key: &str,
    default: Option<i32>,
    delta: i64,
) -> Result<i32, LuaError<'gc>> {
    let k = vm.str(key.as_bytes());
    let v = vm.index(t, k)?;
    match field_int(v) {
        Some(n) => {
            // Lua checks the bound before subtracting so that the subtraction cannot overflow;
            // the accepted range is the same as that of `n - delta` fitting an `int`.
            i32::try_from(n - delta)
                .map_err(|_| vm.plain_error(format!("field '{key}' is out-of-bound")))
        }
        None if !v.is_nil() => Err(vm.plain_error(format!("field '{key}' is not an integer"))),
        None => {
            default.ok_or_else(|| vm.plain_error(format!("field '{key}' missing in date table")))
        }
    }
}

/// Stores the fields of `tm` in `t` (los.c's `setallfields`), in Lua's order.
fn set_fields<'gc>(vm: &mut Vm<'_, 'gc>, t: Value<'gc>, tm: &Tm) -> Result<(), LuaError<'gc>> {
    let fields = [
        ("year", tm.year),
        ("month", tm.month),
        ("day", tm.day),
        ("hour", tm.hour),
        ("min", tm.min),
        ("sec", tm.sec),
        ("yday", tm.yday + 1),
        ("wday", tm.wday + 1),
    ];
    for (key, n) in fields {
        let k = vm.str(key.as_bytes());
        vm.set_index(t, k, Value::Int(n))?;
    }
    let k = vm.str(b"isdst");
    vm.set_index(t, k, Value::Bool(false))
}

fn time<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    if arg(&args, 0).is_nil() {
        return Ok(vec![Value::Int(now())]);
    }
    let t = Value::Table(check_table(vm, &args, 0, "time")?);
    let year = get_field(vm, t, "year", None, 1900)?;
    let mon = get_field(vm, t, "month", None, 1)?;
    let mday = get_field(vm, t, "day", None, 0)?;
    let hour = get_field(vm, t, "hour", Some(12), 0)?;
    let min = get_field(vm, t, "min", Some(0), 0)?;
    let sec = get_field(vm, t, "sec", Some(0), 0)?;
    let k = vm.str(b"isdst");
    let isdst = vm.index(t, k)?.truthy();
    let cannot = "time result cannot be represented in this installation";
    let Some(mut secs) = mktime(year, mon, mday, hour, min, sec) else {
        return Err(vm.plain_error(cannot));
    };
    // glibc's mktime, asked for daylight saving time in a zone without it, takes the time as
    // one hour ahead of standard time.
    if isdst {
        secs -= 3600;
    }
    let Some(tm) = gmtime(secs) else {
        return Err(vm.plain_error(cannot));
    };
    set_fields(vm, t, &tm)?;
    // mktime's error value is also a valid time, one second before the epoch, which Lua
    // cannot tell from an error.
    if secs == -1 {
        return Err(vm.plain_error(cannot));
    }
    Ok(vec![Value::Int(secs)])
}

fn date<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let format = match arg(&args, 0) {
        Value::Nil => b"%c".to_vec(),
        Value::Str(s) => s.to_vec(),
        v @ (Value::Int(_) | Value::Num(_)) => crate::vm::to_concat_bytes(v).expect("a number"),
        v => {
            return Err(vm.plain_error(format!(
                "bad argument #1 to 'date' (string expected, got {})",
                v.type_name()
            )));
        }
    };
    let t = if arg(&args, 1).is_nil() {
        now()
    } else {
        check_int(vm, &args, 1, "date")?
    };
    let (utc, spec) = match format.strip_prefix(b"!") {
        Some(rest) => (true, rest),
        None => (false, &format[..]),
    };
    let Some(tm) = gmtime(t) else {
        return Err(vm.plain_error("date result cannot be represented in this installation"));
    };
    // Lua compares with strcmp, which stops at a zero byte.
    if spec.split(|&b| b == 0).next() == Some(b"*t") {
        let table = Table::new(vm.mc, 0, 9);
        set_fields(vm, Value::Table(table), &tm)?;
        return Ok(vec![Value::Table(table)]);
    }
    match strftime(spec, &tm, utc) {
        Ok(s) => Ok(vec![vm.str(&s)]),
        Err(conv) => Err(vm.plain_error(format!(
            "bad argument #1 to 'date' (invalid conversion specifier '%{}')",
            String::from_utf8_lossy(conv)
        ))),
    }
}

fn getenv<'gc>(vm: &mut Vm<'_, 'gc>, args: Vec<Value<'gc>>) -> R<'gc> {
    let name = match arg(&args, 0) {
        Value::Str(s) => s.to_vec(),
        v @ (Value::Int(_) | Value::Num(_)) => crate::vm::to_concat_bytes(v).expect("a number"),
        _ => {
            return Err(vm.plain_error(format!(
                "bad argument #1 to 'getenv' (string expected, got {})",
                super::got(&args, 0)
            )));
        }
    };
    // No variable can have such a name, and the platform calls may reject it.
    if name.is_empty() || name.contains(&b'=') || name.contains(&0) {
        return Ok(vec![Value::Nil]);
    }
    Ok(vec![match env_var(&name) {
        Some(v) => vm.str(&v),
        None => Value::Nil,
    }])
}

/// The environment variable `name` as bytes, which Unix variables are, UTF-8 or not.
#[cfg(unix)]
fn env_var(name: &[u8]) -> Option<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    std::env::var_os(std::ffi::OsStr::from_bytes(name)).map(|v| v.into_encoded_bytes())
}

/// The environment variable `name` as bytes; names that are not UTF-8 cannot be spelled here.
#[cfg(not(unix))]
fn env_var(name: &[u8]) -> Option<Vec<u8>> {
    let name = std::str::from_utf8(name).ok()?;
    std::env::var(name).ok().map(String::into_bytes)
}

const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The conversions Lua lets through to `strftime` (C99's, `LUA_STRFTIMEOPTIONS`): one byte, or
/// `E`/`O` and one byte.
const OPTIONS_1: &[u8] = b"aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%";
const OPTIONS_2: [&[u8]; 19] = [
    b"Ec", b"EC", b"Ex", b"EX", b"Ey", b"EY", b"Od", b"Oe", b"OH", b"OI", b"Om", b"OM", b"OS",
    b"Ou", b"OU", b"OV", b"Ow", b"OW", b"Oy",
];

/// The number of days into the ISO week-numbering year at which the week of `yday` starts
/// (negative when the day belongs to the previous ISO year): glibc's `iso_week_days`.
fn iso_week_days(yday: i64, wday: i64) -> i64 {
    // Week 1 is the week (from Monday) holding the year's first Thursday.
    yday - (yday - wday + 4).rem_euclid(7) + 3
}

/// The ISO 8601 week-numbering year of `tm` relative to its calendar year (-1, 0 or 1) and its
/// week number (1..=53).
fn iso_week(tm: &Tm) -> (i64, i64) {
    let mut days = iso_week_days(tm.yday, tm.wday);
    let mut adjust = 0;
    if days < 0 {
        adjust = -1;
        days = iso_week_days(tm.yday + 365 + i64::from(is_leap(tm.year - 1)), tm.wday);
    } else {
        let d = iso_week_days(tm.yday - 365 - i64::from(is_leap(tm.year)), tm.wday);
        if d >= 0 {
            adjust = 1;
            days = d;
        }
    }
    (adjust, days / 7 + 1)
}

/// `os.date`'s formatting: `spec` with each conversion replaced as glibc's `strftime` does in
/// the C locale. An unknown conversion is an error carrying the rest of the format from it
/// (what Lua quotes in its message).
pub fn strftime<'s>(spec: &'s [u8], tm: &Tm, utc: bool) -> Result<Vec<u8>, &'s [u8]> {
    let mut out = Vec::with_capacity(spec.len() + 16);
    let mut i = 0;
    while i < spec.len() {
        if spec[i] != b'%' {
            out.push(spec[i]);
            i += 1;
            continue;
        }
        i += 1;
        let rest = &spec[i..];
        let conv = if rest.first().is_some_and(|c| OPTIONS_1.contains(c)) {
            rest[0]
        } else if rest.len() >= 2 && OPTIONS_2.contains(&&rest[..2]) {
            // In the C locale the alternative forms are the plain ones.
            i += 1;
            rest[1]
        } else {
            // C stops reading the format at a zero byte.
            let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            return Err(&rest[..end]);
        };
        i += 1;
        convert(&mut out, conv, tm, utc);
    }
    Ok(out)
}

/// Appends conversion `conv` (valid, without modifier) of `tm`.
fn convert(out: &mut Vec<u8>, conv: u8, tm: &Tm, utc: bool) {
    use std::io::Write;
    // glibc computes the printed year as `tm_year + 1900` in an `int`, which wraps for the
    // last representable years; only `%y` (and `%D`, `%x`) take the digits of the true year.
    let shown_year = i64::from(((tm.year - 1900) as i32).wrapping_add(1900));
    let hour12 = (tm.hour + 11) % 12 + 1;
    let w = &mut *out;
    let r = match conv {
        b'a' => write!(w, "{}", &DAYS[tm.wday as usize][..3]),
        b'A' => write!(w, "{}", DAYS[tm.wday as usize]),
        b'b' | b'h' => write!(w, "{}", &MONTHS[tm.month as usize - 1][..3]),
        b'B' => write!(w, "{}", MONTHS[tm.month as usize - 1]),
        b'c' => write!(
            w,
            "{} {} {:>2} {:02}:{:02}:{:02} {}",
            &DAYS[tm.wday as usize][..3],
            &MONTHS[tm.month as usize - 1][..3],
            tm.day,
            tm.hour,
            tm.min,
            tm.sec,
            shown_year
        ),
        b'C' => write!(w, "{}", shown_year.div_euclid(100)),
        b'd' => write!(w, "{:02}", tm.day),
        b'D' | b'x' => write!(
            w,
            "{:02}/{:02}/{:02}",
            tm.month,
            tm.day,
            tm.year.rem_euclid(100)
        ),
        b'e' => write!(w, "{:>2}", tm.day),
        b'F' => write!(w, "{}-{:02}-{:02}", shown_year, tm.month, tm.day),
        b'g' => write!(w, "{:02}", (shown_year + iso_week(tm).0).rem_euclid(100)),
        b'G' => write!(w, "{}", shown_year + iso_week(tm).0),
        b'H' => write!(w, "{:02}", tm.hour),
        b'I' => write!(w, "{:02}", hour12),
        b'j' => write!(w, "{:03}", tm.yday + 1),
        b'm' => write!(w, "{:02}", tm.month),
        b'M' => write!(w, "{:02}", tm.min),
        b'n' => writeln!(w),
        b'p' => write!(w, "{}", if tm.hour < 12 { "AM" } else { "PM" }),
        b'r' => write!(
            w,
            "{:02}:{:02}:{:02} {}",
            hour12,
            tm.min,
            tm.sec,
            if tm.hour < 12 { "AM" } else { "PM" }
        ),
        b'R' => write!(w, "{:02}:{:02}", tm.hour, tm.min),
        b'S' => write!(w, "{:02}", tm.sec),
        b't' => write!(w, "\t"),
        b'T' | b'X' => write!(w, "{:02}:{:02}:{:02}", tm.hour, tm.min, tm.sec),
        b'u' => write!(w, "{}", if tm.wday == 0 { 7 } else { tm.wday }),
        b'U' => write!(w, "{:02}", (tm.yday + 7 - tm.wday) / 7),
        b'V' => write!(w, "{:02}", iso_week(tm).1),
        b'w' => write!(w, "{}", tm.wday),
        b'W' => write!(w, "{:02}", (tm.yday + 7 - (tm.wday + 6) % 7) / 7),
        b'y' => write!(w, "{:02}", tm.year.rem_euclid(100)),
        b'Y' => write!(w, "{}", shown_year),
        b'z' => write!(w, "+0000"),
        b'Z' => write!(w, "{}", if utc { "GMT" } else { "UTC" }),
        b'%' => write!(w, "%"),
        _ => unreachable!("conversion {conv} passed the option check"),
    };
    r.expect("writing to a Vec");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_against_known_timestamps() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(
            days_from_civil(2000, 1, 1) * SECS_PER_DAY + 12 * 3600,
            946_728_000
        );
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(1900, 3, 1), -25_508);
        // The values lua5.4 prints for os.time{year = Y, month = 3, day = 1}, noon.
        for (y, t) in [
            (-5000, -219_946_795_200),
            (0, -62_161_992_000),
            (999, -30_636_619_200),
            (10_000, 253_407_528_000),
        ] {
            assert_eq!(
                days_from_civil(y, 3, 1) * SECS_PER_DAY + 12 * 3600,
                t,
                "{y}"
            );
        }
        for days in [
            -1_000_000, -719_468, -1, 0, 1, 59, 60, 11_016, 11_017, 2_000_000,
        ] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn gmtime_breaks_down_times() {
        let tm = gmtime(946_728_000).unwrap();
        assert_eq!(
            tm,
            Tm {
                year: 2000,
                month: 1,
                day: 1,
                hour: 12,
                min: 0,
                sec: 0,
                yday: 0,
                wday: 6,
            }
        );
        let tm = gmtime(-1).unwrap();
        assert_eq!(
            (tm.year, tm.month, tm.day, tm.hour, tm.min, tm.sec),
            (1969, 12, 31, 23, 59, 59)
        );
        assert_eq!(tm.wday, 3);
        assert_eq!(tm.yday, 364);
        // 2004 is a leap year: December 31st is its 366th day.
        assert_eq!(gmtime(1_104_451_200).unwrap().yday, 365);
        // C's tm_year (an int) bounds the representable years.
        assert!(gmtime(67_768_036_191_676_799).is_some());
        assert!(gmtime(67_768_036_191_676_800).is_none());
        assert!(gmtime(-67_768_040_609_740_800).is_some());
        assert!(gmtime(-67_768_040_609_740_801).is_none());
    }

    #[test]
    fn mktime_normalises_like_c() {
        assert_eq!(mktime(100, 0, 1, 12, 0, 0), Some(946_728_000));
        // lua5.4: os.time{year = 2000, month = 13, day = 32, hour = 25, min = 61, sec = -1}
        assert_eq!(mktime(100, 12, 32, 25, 61, -1), Some(981_079_259));
        assert_eq!(
            mktime(100, i32::MAX, 1, 12, 0, 0),
            Some(5_647_337_477_467_200)
        );
        assert_eq!(
            mktime(i32::MAX, 11, 31, 23, 59, 59),
            Some(67_768_036_191_676_799)
        );
        assert_eq!(mktime(i32::MAX, 11, 31, 23, 59, 60), None);
        assert_eq!(mktime(i32::MIN, -1, 1, 12, 0, 0), None);
    }

    fn fmt(spec: &str, t: i64) -> String {
        String::from_utf8(strftime(spec.as_bytes(), &gmtime(t).unwrap(), false).unwrap()).unwrap()
    }

    #[test]
    fn strftime_matches_glibc_c_locale() {
        let t = 946_728_000;
        assert_eq!(fmt("%c", t), "Sat Jan  1 12:00:00 2000");
        assert_eq!(
            fmt("%x|%X|%p|%A|%a|%B|%b|%y|%j|%%|%Z|%z", t),
            "01/01/00|12:00:00|PM|Saturday|Sat|January|Jan|00|001|%|UTC|+0000"
        );
        assert_eq!(
            fmt("%C|%D|%e|%F|%g|%G|%h|%I|%r|%R|%T|%u|%U|%V|%w|%W", t),
            "20|01/01/00| 1|2000-01-01|99|1999|Jan|12|12:00:00 PM|12:00|12:00:00|6|00|52|6|00"
        );
        assert_eq!(
            fmt("%Ec|%EY|%Od|%OV", t),
            "Sat Jan  1 12:00:00 2000|2000|01|52"
        );
        assert_eq!(fmt("%U %W %V %G", 0), "00 00 01 1970");
        // Small and negative years are printed without padding; %C and %y split them with
        // floor division.
        let y = |year| days_from_civil(year, 1, 3) * SECS_PER_DAY;
        assert_eq!(fmt("%Y|%C|%y|%G|%g|%V", y(-150)), "-150|-2|50|-150|50|01");
        assert_eq!(fmt("%Y|%C|%y|%G|%g|%V", y(500)), "500|5|00|499|99|53");
        assert_eq!(fmt("%Y|%C|%y|%F", y(5)), "5|0|05|5-01-03");
        // ISO weeks around the turn of the year (as glibc's strftime prints them).
        let d = |year, month, day| days_from_civil(year, month, day) * SECS_PER_DAY;
        assert_eq!(fmt("%G %V %U %W", d(2004, 12, 31)), "2004 53 52 52");
        assert_eq!(fmt("%G %V %U %W", d(2012, 12, 31)), "2013 01 53 53");
        assert_eq!(fmt("%G %V %U %W", d(2006, 1, 1)), "2005 52 01 00");
    }

    #[test]
    fn strftime_rejects_unknown_conversions() {
        let tm = gmtime(0).unwrap();
        assert_eq!(strftime(b"%Q abc", &tm, false), Err(&b"Q abc"[..]));
        assert_eq!(strftime(b"abc%", &tm, false), Err(&b""[..]));
        assert_eq!(strftime(b"%Ez", &tm, false), Err(&b"Ez"[..]));
        assert_eq!(strftime(b"%E", &tm, false), Err(&b"E"[..]));
        assert_eq!(strftime(b"!%Z", &tm, true).unwrap(), b"!GMT");
    }
}
