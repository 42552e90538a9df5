//! Heap configuration and its validation.

use std::fmt;

/// How a [`Heap`](crate::Heap) behaves. Build one from [`Config::default`] and adjust fields;
/// [`Heap::new`](crate::Heap::new) validates it.
///
/// ```
/// use gcheap_core::{Config, Heap};
///
/// let heap = Heap::new(Config { gc_percent: 200, verify: true, ..Config::default() }).unwrap();
/// assert_eq!(heap.gc_percent(), 200);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Go's `GOGC`: a cycle starts when the heap has grown by this percentage over what the last
    /// cycle found live (floor: 4 MiB x `gc_percent` / 100). Negative disables automatic cycles.
    /// Default 100.
    pub gc_percent: i32,
    /// Threads that mark in parallel during a cycle, counting the thread that runs the cycle.
    /// Default: Go's 25% of the CPUs, `max(1, ncpu / 4)`. Must be 1 to [`MAX_GC_WORKERS`].
    pub gc_workers: usize,
    /// Go's `GOMEMLIMIT`: a soft limit, in bytes, on the memory the heap keeps mapped. Reaching it
    /// lowers the heap goal (cycles come sooner) and returns idle memory to the OS. `u64::MAX`
    /// (the default) means no limit. Must not be zero.
    pub memory_limit: u64,
    /// Checkmark mode: after each mark, re-mark single-threaded and panic, naming the type, if a
    /// reachable object was left unmarked. For tests; it doubles marking time.
    pub verify: bool,
    /// Overwrite freed objects with `0xDB` bytes so that a use after free fails loudly.
    pub poison_freed: bool,
    /// Print one line per cycle to stderr in Go's gctrace format. Default: on when the
    /// `GCHEAP_GCTRACE` environment variable is `1`.
    pub gctrace: bool,
}

/// The most mark workers a heap may have.
pub const MAX_GC_WORKERS: usize = 256;

impl Default for Config {
    fn default() -> Self {
        let ncpu = std::thread::available_parallelism().map_or(1, |n| n.get());
        Config {
            gc_percent: 100,
            gc_workers: (ncpu / 4).max(1),
            memory_limit: u64::MAX,
            verify: false,
            poison_freed: false,
            gctrace: std::env::var("GCHEAP_GCTRACE").is_ok_and(|v| v == "1"),
        }
    }
}

impl Config {
    /// Checks the settings; [`Heap::new`](crate::Heap::new) calls this.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.gc_workers == 0 {
            return Err(ConfigError::NoGcWorkers);
        }
        if self.gc_workers > MAX_GC_WORKERS {
            return Err(ConfigError::TooManyGcWorkers {
                requested: self.gc_workers,
                max: MAX_GC_WORKERS,
            });
        }
        if self.memory_limit == 0 {
            return Err(ConfigError::ZeroMemoryLimit);
        }
        Ok(())
    }
}

/// Why a [`Config`] was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// `gc_workers` was zero: marking needs at least one thread.
    NoGcWorkers,
    /// `gc_workers` exceeded [`MAX_GC_WORKERS`].
    TooManyGcWorkers {
        /// The requested count.
        requested: usize,
        /// The maximum.
        max: usize,
    },
    /// `memory_limit` was zero; use `u64::MAX` for no limit.
    ZeroMemoryLimit,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::NoGcWorkers => write!(f, "gc_workers must be at least 1"),
            ConfigError::TooManyGcWorkers { requested, max } => {
                write!(
                    f,
                    "gc_workers is {requested}, more than the maximum of {max}"
                )
            }
            ConfigError::ZeroMemoryLimit => {
                write!(
                    f,
                    "memory_limit must not be zero (use u64::MAX for no limit)"
                )
            }
        }
    }
}

impl std::error::Error for ConfigError {}
