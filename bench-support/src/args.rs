//! The one optional numeric argument the `peer_*` examples take (a depth or a count), shared so
//! that each reports a bad value the same way.

use std::str::FromStr;

/// `arg` parsed as a number of at least `min`, or `default` when there is none. A bad value
/// prints `usage` and exits with status 2 (these are processes run by `benches/process/run.sh`,
/// which stops on a non-zero status).
pub fn number_arg<T: FromStr + PartialOrd>(
    arg: Option<String>,
    min: T,
    default: T,
    usage: &str,
) -> T {
    match arg {
        Some(arg) => match arg.parse() {
            Ok(n) if n >= min => n,
            _ => {
                eprintln!("usage: {usage}");
                std::process::exit(2);
            }
        },
        None => default,
    }
}
