//! Draws the latency ring's plots for `docs/`: runs the ring of `benches/latency.rs` and
//! `peer_latency` once (200,000 slots, 1,000,000 fresh 1 KiB buffers, one `mutate` per push,
//! default config) and writes two SVGs:
//!
//! - `latency_pauses.svg`: the push-latency percentile curve (nines scale), with the
//!   collector's per-cycle stops (`MemStats::pause_ns`) in a panel beside it on the same scale;
//! - `heap_over_time.svg`: `heap_alloc` and the goal (`next_gc`) over time, sampled with
//!   `Heap::mem_stats()` between pushes, with each cycle's end (`MemStats::pause_end`) marked.
//!
//! Run with `cargo run --release --example plots [-- --pushes N] [--out DIR]` (default
//! 1,000,000 pushes into `docs/`). Prints a one-line summary and the paths it wrote.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use gcheap::prelude::*;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use gcheap_bench_support::ring::{self, BUFFER, RingRoot, SLOTS};

/// Pushes between two heap samples. `mem_stats()` is not free: it stops the world (waiting for
/// the sweeper's current batch), and on the 2-core machine a call took about 30 µs even on an
/// idle heap, most of it `available_parallelism()` (read from cgroup files) for
/// `gc_cpu_fraction`; 80-135 µs on average during runs (up to ~1 ms). 500 samples cost a few
/// percent of a 1.5 s run; they are taken between pushes, outside the timed `mutate` calls, and
/// the program prints what they cost.
const SAMPLE_EVERY: usize = 2_000;

/// Points drawn on the percentile curve: the SVG stays small while the tail, where the
/// interesting pushes are, keeps its steps (the grid is even on the nines scale).
const CURVE_POINTS: usize = 1_500;

const BLUE: RGBColor = RGBColor(31, 94, 168);
const ORANGE: RGBColor = RGBColor(214, 110, 0);
const RED: RGBColor = RGBColor(196, 30, 58);
const GREEN: RGBColor = RGBColor(30, 130, 60);
const GREY: RGBColor = RGBColor(90, 90, 90);

struct Args {
    pushes: usize,
    out: PathBuf,
}

/// One `mem_stats()` sample taken between pushes.
struct Sample {
    ms: f64,
    heap_alloc: u64,
    /// `None` while no cycle is due from growth (`next_gc == u64::MAX`).
    goal: Option<u64>,
}

/// One cycle whose stop began during the pushes, from the MemStats rings.
struct Cycle {
    number: u32,
    stop_ns: u64,
}

struct Run {
    pushes: usize,
    /// Every push's latency, sorted.
    sorted_ns: Vec<u64>,
    samples: Vec<Sample>,
    cycles: Vec<Cycle>,
    setup_cycles: u32,
    /// When each cycle that ended during the pushes ended, ms since the first push. gcheap
    /// records `pause_end` when the cycle ends (after its concurrent mark), not when its stop
    /// ends; MemStats has no cycle start times, so the ends are what can be marked.
    cycle_ends_ms: Vec<f64>,
    /// Cycles whose entries the 256-entry rings no longer hold.
    lost_cycles: u32,
    total_ms: f64,
    sample_cost: (Duration, Duration),
    /// The median latency of the pushes right after a sample, to show whether sampling slows
    /// the next push (it should not: the world is running again by then).
    after_sample_p50_ns: u64,
    checksum: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        pushes: 1_000_000,
        out: PathBuf::from("docs"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--pushes" => {
                args.pushes = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n >= 1)
                    .ok_or("--pushes needs a number >= 1")?;
            }
            "--out" => args.out = it.next().ok_or("--out needs a directory")?.into(),
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    Ok(args)
}

fn unix_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_nanos() as u64
}

fn run_ring(pushes: usize) -> Run {
    let heap = Heap::new(Config::default()).expect("default config");
    let mut m = heap.mutator::<RingRoot>(ring::new_ring);
    let mut times = Vec::with_capacity(pushes);
    let mut samples = Vec::with_capacity(pushes / SAMPLE_EVERY + 2);
    let (mut cost_total, mut cost_max) = (Duration::ZERO, Duration::ZERO);
    // The same moment on both clocks: pause_end is Unix time, the samples are Instants.
    let start_unix = unix_ns();
    let start = Instant::now();
    let mut sample = |samples: &mut Vec<Sample>| {
        let t = Instant::now();
        let s = heap.mem_stats();
        let cost = t.elapsed();
        cost_total += cost;
        cost_max = cost_max.max(cost);
        samples.push(Sample {
            ms: (t - start).as_secs_f64() * 1e3,
            heap_alloc: s.heap_alloc,
            goal: (s.next_gc != u64::MAX).then_some(s.next_gc),
        });
    };
    sample(&mut samples);
    for i in 0..pushes {
        let t = Instant::now();
        m.mutate(|mc, r| ring::push(mc, r, i));
        times.push(t.elapsed().as_nanos() as u64);
        if (i + 1) % SAMPLE_EVERY == 0 {
            sample(&mut samples);
        }
    }
    let total_ms = start.elapsed().as_secs_f64() * 1e3;
    if !pushes.is_multiple_of(SAMPLE_EVERY) {
        sample(&mut samples);
    }
    let n_samples = samples.len() as u32;
    let checksum = m.mutate(|_, r| ring::checksum(r));

    let stats = heap.mem_stats();
    let num_gc = stats.num_gc;
    let first_kept = num_gc.saturating_sub(256);
    let mut cycles = Vec::new();
    let mut setup_cycles = 0;
    let mut cycle_ends_ms = Vec::new();
    for c in first_kept..num_gc {
        let (stop_ns, end) = (
            stats.pause_ns[c as usize % 256],
            stats.pause_end[c as usize % 256],
        );
        if end >= start_unix {
            cycle_ends_ms.push((end - start_unix) as f64 / 1e6);
        }
        // As benches/latency.rs counts them: a cycle whose stop began while the ring was built
        // (its wait for that long `mutate` call) is setup, not the pushes' business. Approximate:
        // the stop is taken to end at `pause_end`, which gcheap records at the cycle's end.
        if end.saturating_sub(stop_ns) < start_unix {
            setup_cycles += 1;
            continue;
        }
        cycles.push(Cycle {
            number: c + 1,
            stop_ns,
        });
    }
    // Samples are taken before push 0 and after every SAMPLE_EVERY-th push.
    let mut after: Vec<u64> = times.iter().copied().step_by(SAMPLE_EVERY).collect();
    after.sort_unstable();
    let after_sample_p50_ns = after.get(after.len() / 2).copied().unwrap_or(0);
    times.sort_unstable();
    Run {
        pushes,
        sorted_ns: times,
        samples,
        cycles,
        setup_cycles,
        cycle_ends_ms,
        lost_cycles: first_kept,
        total_ms,
        sample_cost: (cost_total / n_samples, cost_max),
        after_sample_p50_ns,
        checksum,
    }
}

/// The push at percentile `p` (0..=1), as benches/latency.rs picks it.
fn percentile(sorted: &[u64], p: f64) -> u64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// A latency in ns, readable at a glance.
fn fmt_ns(ns: u64) -> String {
    match ns {
        0..1_000 => format!("{ns} ns"),
        1_000..1_000_000 => format!("{:.2} µs", ns as f64 / 1e3),
        _ => format!("{:.3} ms", ns as f64 / 1e6),
    }
}

/// A value on the nines axis (x = -log10(1 - q)) as a percentile label: 0 -> p0, 1 -> p90,
/// 3 -> p99.9; as many decimals as the nines need.
fn nines_label(x: f64) -> String {
    let p = 100.0 * (1.0 - 10f64.powf(-x));
    let decimals = (x.ceil() as i64 - 2).max(0) as usize;
    format!("p{p:.decimals$}")
}

/// A log10(µs) axis value as a time label: -1 -> 0.1 µs, 3 -> 1 ms.
fn log_us_label(y: f64) -> String {
    if (y - y.round()).abs() > 1e-9 {
        return String::new(); // only whole decades are labelled
    }
    let us = 10f64.powi(y.round() as i32);
    if us >= 1e6 {
        format!("{} s", us / 1e6)
    } else if us >= 1e3 {
        format!("{} ms", us / 1e3)
    } else {
        format!("{us} µs")
    }
}

fn log_us(ns: u64) -> f64 {
    (ns.max(1) as f64 / 1e3).log10()
}

fn workload(pushes: usize) -> String {
    format!(
        "latency ring: {} slots, {} pushes of {} KiB, default config",
        thousands(SLOTS),
        thousands(pushes),
        BUFFER / 1024
    )
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

type PlotResult = Result<(), Box<dyn std::error::Error>>;

fn draw_latency(run: &Run, svg: &mut String) -> PlotResult {
    let sorted = &run.sorted_ns;
    let n = sorted.len();
    let worst = sorted[n - 1];
    let worst_stop = run.cycles.iter().map(|c| c.stop_ns).max();
    // Whole decades of µs around everything drawn, so every gridline is labelled, with room
    // above the worst push for its label.
    let lowest = log_us(sorted[0]).min(worst_stop.map_or(f64::MAX, log_us));
    let highest = log_us(worst).max(worst_stop.map_or(f64::MIN, log_us));
    let y_range = lowest.floor()..(highest + 0.3).ceil();
    let decades = (y_range.end - y_range.start) as usize + 1;

    let root = SVGBackend::with_string(svg, (1200, 640)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(
        &format!(
            "Push latency and collector stops ({})",
            workload(run.pushes)
        ),
        ("sans-serif", 22),
    )?;
    let (left, right) = root.split_horizontally(860);

    // The percentile curve: x is the nines scale, so p99, p99.9, ... are evenly spaced and the
    // single worst push (1 in n) sits at x = log10(n).
    let x_max = (n as f64).log10();
    let mut chart = ChartBuilder::on(&left)
        .caption("push latency by percentile", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(0f64..x_max.max(1.0), y_range.clone())?;
    chart
        .configure_mesh()
        .x_labels(x_max.ceil() as usize + 1)
        .y_labels(decades)
        .x_label_formatter(&|x| nines_label(*x))
        .y_label_formatter(&|y| log_us_label(*y))
        .x_desc("percentile of pushes (nines scale: each step is ten times rarer)")
        .y_desc("push latency (log scale)")
        .axis_desc_style(("sans-serif", 15))
        .label_style(("sans-serif", 14))
        .draw()?;
    let curve = (0..=CURVE_POINTS).map(|k| {
        let x = x_max * k as f64 / CURVE_POINTS as f64;
        // The push exceeded by a fraction 10^-x of all pushes; rounded, so that the last grid
        // point is exactly the worst push despite floating-point error.
        let exceeded = ((n as f64 * 10f64.powf(-x)).round() as usize).clamp(1, n);
        let i = n - exceeded;
        (x, log_us(sorted[i]))
    });
    chart
        .draw_series(LineSeries::new(curve, BLUE.stroke_width(2)))?
        .label(format!("{} pushes, one mutate each", thousands(n)))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 24, y)], BLUE.stroke_width(2)));
    if let Some(stop) = worst_stop {
        let y = log_us(stop);
        chart
            .draw_series(DashedLineSeries::new(
                [(0.0, y), (x_max, y)],
                8,
                5,
                RED.stroke_width(2),
            ))?
            .label(format!("longest collector stop: {}", fmt_ns(stop)))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 24, y)], RED.stroke_width(2)));
    }
    // The marked percentiles, labelled below and right of their point (the curve only rises to
    // the right, so that corner is empty); the worst push, at the right edge, is labelled above
    // and left of its point, where the curve is lower.
    let marks = [
        ("p50", 0.5),
        ("p99", 0.99),
        ("p99.9", 0.999),
        ("worst", 1.0),
    ];
    for (name, p) in marks {
        let ns = percentile(sorted, p);
        let x = if p < 1.0 { -(1.0 - p).log10() } else { x_max };
        let text = format!("{name} {}", fmt_ns(ns));
        let style = ("sans-serif", 15).into_font().color(&BLACK);
        let label = if p < 1.0 {
            Text::new(text, (8, 6), style)
        } else {
            Text::new(
                text,
                (-10, -6),
                style.pos(Pos::new(HPos::Right, VPos::Bottom)),
            )
        };
        chart.draw_series(std::iter::once(
            EmptyElement::at((x, log_us(ns))) + Circle::new((0, 0), 4, ORANGE.filled()) + label,
        ))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(GREY)
        .label_font(("sans-serif", 15))
        .draw()?;

    // The stops on the same y scale, one point per cycle, so they read against the pushes.
    let (first, last) = match (run.cycles.first(), run.cycles.last()) {
        (Some(f), Some(l)) => (f.number as f64, l.number as f64),
        _ => (1.0, 1.0),
    };
    let mut stops = ChartBuilder::on(&right)
        .caption("collector stop per cycle", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(first - 0.5..last + 0.5, y_range.clone())?;
    stops
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(run.cycles.len().clamp(1, 8))
        .y_labels(decades)
        .x_label_formatter(&|x| {
            if (x - x.round()).abs() < 1e-9 {
                format!("{}", x.round())
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| log_us_label(*y))
        .x_desc("GC cycle (NumGC)")
        .y_desc("stop (MemStats.pause_ns, log scale)")
        .axis_desc_style(("sans-serif", 15))
        .label_style(("sans-serif", 14))
        .draw()?;
    if run.cycles.is_empty() {
        right.draw(&Text::new(
            "no cycle during the pushes",
            (60, 300),
            ("sans-serif", 15),
        ))?;
    }
    stops.draw_series(run.cycles.iter().map(|c| {
        let (x, y) = (c.number as f64, log_us(c.stop_ns));
        PathElement::new([(x, y_range.start), (x, y)], RED.mix(0.5).stroke_width(2))
    }))?;
    stops.draw_series(
        run.cycles
            .iter()
            .map(|c| Circle::new((c.number as f64, log_us(c.stop_ns)), 5, RED.filled())),
    )?;
    root.present()?;
    Ok(())
}

fn draw_heap(run: &Run, svg: &mut String) -> PlotResult {
    let mib = |b: u64| b as f64 / (1u64 << 20) as f64;
    let top = run
        .samples
        .iter()
        .map(|s| s.heap_alloc.max(s.goal.unwrap_or(0)))
        .max()
        .unwrap_or(0);
    let x_end = run
        .cycle_ends_ms
        .iter()
        .copied()
        .fold(run.total_ms, f64::max);

    let root = SVGBackend::with_string(svg, (1200, 640)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Heap over time ({})", workload(run.pushes)),
            ("sans-serif", 22),
        )
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..x_end * 1.01, 0f64..mib(top) * 1.1 + 1.0)?;
    chart
        .configure_mesh()
        .x_label_formatter(&|x| format!("{x:.0}"))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .x_desc("time since the first push (ms)")
        .y_desc("heap (MiB)")
        .axis_desc_style(("sans-serif", 15))
        .label_style(("sans-serif", 14))
        .draw()?;

    // Cycle ends first, so the heap lines are drawn over them.
    let y_top = mib(top) * 1.1 + 1.0;
    let marks = chart.draw_series(
        run.cycle_ends_ms
            .iter()
            .map(|&t| PathElement::new([(t, 0.0), (t, y_top)], RED.mix(0.6))),
    )?;
    if !run.cycle_ends_ms.is_empty() {
        marks
            .label(format!(
                "GC cycle ends (MemStats.pause_end): {} cycles",
                run.cycle_ends_ms.len()
            ))
            .legend(|(x, y)| PathElement::new([(x + 12, y - 7), (x + 12, y + 7)], RED));
    }
    // The goal is a step line: it changes only when a cycle ends (the pacer sets it there), so
    // a change seen between two samples is drawn at the last cycle end between them, where it
    // happened, rather than at the later sample. Runs with no goal (`next_gc` unset) are gaps.
    let mut goal_runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for pair in run.samples.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let Some(ga) = a.goal else {
            goal_runs.push(Vec::new());
            continue;
        };
        let cur = goal_runs.last_mut().expect("never empty");
        cur.push((a.ms, mib(ga)));
        match b.goal {
            Some(gb) if gb != ga => {
                let at = run
                    .cycle_ends_ms
                    .iter()
                    .copied()
                    .filter(|&t| t > a.ms && t <= b.ms)
                    .fold(b.ms, |_, t| t);
                cur.extend([(at, mib(ga)), (at, mib(gb))]);
            }
            _ => cur.push((b.ms, mib(ga))),
        }
    }
    chart
        .draw_series(
            goal_runs
                .into_iter()
                .filter(|r| !r.is_empty())
                .map(|r| PathElement::new(r, GREEN.stroke_width(2))),
        )?
        .label("heap goal (MemStats.next_gc)")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 24, y)], GREEN.stroke_width(2)));
    chart
        .draw_series(LineSeries::new(
            run.samples.iter().map(|s| (s.ms, mib(s.heap_alloc))),
            BLUE.stroke_width(2),
        ))?
        .label(format!(
            "MemStats.heap_alloc (sampled every {} pushes)",
            thousands(SAMPLE_EVERY)
        ))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 24, y)], BLUE.stroke_width(2)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.9))
        .border_style(GREY)
        .label_font(("sans-serif", 15))
        .draw()?;
    root.present()?;
    Ok(())
}

/// Renders one plot into memory and writes it, so that a failed write is one clear message.
fn write_plot(path: &Path, draw: impl FnOnce(&mut String) -> PlotResult) -> Result<(), String> {
    let mut svg = String::new();
    draw(&mut svg).map_err(|e| format!("drawing {}: {e}", path.display()))?;
    std::fs::write(path, svg).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn main() -> ExitCode {
    match run_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("plots: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_main() -> Result<(), String> {
    let args = parse_args()
        .map_err(|e| format!("{e}\nusage: plots [--pushes N] [--out DIR] (default docs/)"))?;
    // Before the run, so that an unusable directory fails in a moment, not after it.
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let latency_path = args.out.join("latency_pauses.svg");
    let heap_path = args.out.join("heap_over_time.svg");

    let run = run_ring(args.pushes);
    let s = &run.sorted_ns;
    let peak = run.samples.iter().map(|s| s.heap_alloc).max().unwrap_or(0);
    println!(
        "{}: p50 {}, p99 {}, p99.9 {}, worst push {}; {} cycles during the pushes ({} in setup), \
         longest stop {}; peak heap_alloc {:.1} MiB; {:.0} ms; checksum {}",
        workload(run.pushes),
        fmt_ns(percentile(s, 0.5)),
        fmt_ns(percentile(s, 0.99)),
        fmt_ns(percentile(s, 0.999)),
        fmt_ns(s[s.len() - 1]),
        run.cycles.len(),
        run.setup_cycles,
        run.cycles
            .iter()
            .map(|c| c.stop_ns)
            .max()
            .map_or("none".into(), fmt_ns),
        peak as f64 / (1u64 << 20) as f64,
        run.total_ms,
        run.checksum,
    );
    println!(
        "{} heap samples (mem_stats, between pushes): mean {}, max {}; median push right after \
         a sample {}",
        run.samples.len(),
        fmt_ns(run.sample_cost.0.as_nanos() as u64),
        fmt_ns(run.sample_cost.1.as_nanos() as u64),
        fmt_ns(run.after_sample_p50_ns),
    );
    if run.lost_cycles > 0 {
        println!(
            "note: only the last 256 cycles are in MemStats; {} earlier ones are not drawn",
            run.lost_cycles
        );
    }
    write_plot(&latency_path, |svg| draw_latency(&run, svg))?;
    write_plot(&heap_path, |svg| draw_heap(&run, svg))?;
    println!("wrote {}", latency_path.display());
    println!("wrote {}", heap_path.display());
    Ok(())
}
