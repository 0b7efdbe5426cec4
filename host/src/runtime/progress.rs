//! Progress per stage: live bars on a terminal (percent and ETA where the stage
//! says how many items it expects, a spinner where not); otherwise one plain
//! line every few seconds, with no escape codes, for log files and pipes.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use indicatif::{
    HumanCount, MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle,
};
use macroscope_plugin_api::PortSpec;

use crate::pipeline::Pipeline;
use crate::readable::count as readable;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// Live bars on stderr.
    Bars,
    /// A plain line on stderr at this interval.
    Lines(Duration),
    /// Nothing.
    Quiet,
}

impl ProgressMode {
    /// Bars when stderr is a terminal, otherwise a plain line every `line_every`.
    pub fn detect(line_every: Duration) -> Self {
        if std::io::stderr().is_terminal() {
            ProgressMode::Bars
        } else {
            ProgressMode::Lines(line_every)
        }
    }
}

const BAR_REFRESH: Duration = Duration::from_millis(200);

/// How often a plain progress line is printed unless asked otherwise.
pub const LINE_EVERY: Duration = Duration::from_secs(5);

/// One stage as the monitor shows it.
struct Meter {
    id: String,
    /// Items the stage expects to emit, when every output port says.
    total: Option<u64>,
    items: Arc<AtomicU64>,
}

/// Counters the stages bump and a thread that shows them.
pub(super) struct Progress {
    counters: Vec<Arc<AtomicU64>>,
    done: Arc<AtomicBool>,
    monitor: Option<JoinHandle<()>>,
}

impl Progress {
    pub(super) fn start(pipeline: &Pipeline, mode: ProgressMode) -> Progress {
        let meters: Vec<Meter> = pipeline
            .stages()
            .iter()
            .map(|s| Meter {
                id: s.id().to_owned(),
                total: expected_items(s.outputs()),
                items: Arc::default(),
            })
            .collect();
        let counters = meters.iter().map(|m| m.items.clone()).collect();
        let done = Arc::new(AtomicBool::new(false));
        let monitor = match mode {
            ProgressMode::Quiet => None,
            ProgressMode::Bars => Some(spawn_bars(meters, done.clone())),
            ProgressMode::Lines(every) => Some(spawn_lines(meters, every, done.clone())),
        };
        Progress {
            counters,
            done,
            monitor,
        }
    }

    pub(super) fn counter(&self, stage: usize) -> Arc<AtomicU64> {
        self.counters[stage].clone()
    }

    pub(super) fn finish(mut self) {
        self.done.store(true, Ordering::SeqCst);
        if let Some(monitor) = self.monitor.take() {
            let _ = monitor.join();
        }
    }
}

/// The items a stage expects over all its ports, if every port says.
fn expected_items(outputs: &[PortSpec]) -> Option<u64> {
    // Saturating: a count beyond u64 is refused by `validate`, never a panic here.
    outputs
        .iter()
        .map(PortSpec::expected_items)
        .try_fold(0_u64, |sum, items| Some(sum.saturating_add(items?)))
}

fn spawn_bars(meters: Vec<Meter>, done: Arc<AtomicBool>) -> JoinHandle<()> {
    thread::spawn(move || {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let width = meters.iter().map(|m| m.id.len()).max().unwrap_or(0);
        let bars: Vec<ProgressBar> = meters
            .iter()
            .map(|meter| {
                let bar = match meter.total {
                    Some(total) => ProgressBar::new(total).with_style(bar_style(
                        "{prefix} {bar:24} {percent:>3}%  {count:>17}  {rate:>12}  ETA {eta}",
                    )),
                    None => ProgressBar::no_length().with_style(bar_style(
                        "{prefix} {spinner}  {count:>9} items  {rate:>12}  {elapsed}",
                    )),
                };
                bar.set_prefix(format!("{:>width$}", meter.id));
                multi.add(bar)
            })
            .collect();
        loop {
            let finished = done.load(Ordering::SeqCst);
            for (bar, meter) in bars.iter().zip(&meters) {
                let items = meter.items.load(Ordering::Relaxed);
                // An estimate may be passed: the bar grows rather than overflows.
                if bar.length().is_some_and(|total| items > total) {
                    bar.set_length(items);
                }
                bar.set_position(items);
            }
            if finished {
                bars.iter().for_each(ProgressBar::finish);
                return;
            }
            thread::sleep(BAR_REFRESH);
        }
    })
}

/// A bar style with the readable `{count}` (items, or items of total) and `{rate}` keys.
fn bar_style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .expect("valid template")
        .with_key(
            "count",
            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = match state.len() {
                    Some(total) => write!(w, "{}/{}", HumanCount(state.pos()), HumanCount(total)),
                    None => write!(w, "{}", HumanCount(state.pos())),
                };
            },
        )
        .with_key(
            "rate",
            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{}/s", readable(state.per_sec()));
            },
        )
}

fn spawn_lines(meters: Vec<Meter>, every: Duration, done: Arc<AtomicBool>) -> JoinHandle<()> {
    thread::spawn(move || {
        let started = Instant::now();
        let mut last_line = Instant::now();
        while !done.load(Ordering::SeqCst) {
            thread::sleep(BAR_REFRESH.min(every));
            if last_line.elapsed() < every {
                continue;
            }
            last_line = Instant::now();
            let seconds = started.elapsed().as_secs_f64();
            let stages: Vec<String> = meters
                .iter()
                .map(|m| progress_of(&m.id, m.items.load(Ordering::Relaxed), m.total, seconds))
                .collect();
            eprintln!("progress {seconds:.0} s: {}", stages.join("; "));
        }
    })
}

/// One stage in a plain progress line: `camera 3,183/5,745 (55%, 318/s, ~8 s left)`.
fn progress_of(id: &str, items: u64, total: Option<u64>, seconds: f64) -> String {
    let rate = items as f64 / seconds;
    match total {
        Some(total) if items < total && rate > 0.0 => format!(
            "{id} {}/{} ({:.0}%, {}/s, ~{} s left)",
            HumanCount(items),
            HumanCount(total),
            100.0 * items as f64 / total as f64,
            readable(rate),
            readable(((total - items) as f64 / rate).ceil()),
        ),
        Some(total) => format!(
            "{id} {}/{} ({:.0}%)",
            HumanCount(items),
            HumanCount(total),
            100.0 * items.min(total) as f64 / total.max(1) as f64,
        ),
        None => format!("{id} {} items ({}/s)", HumanCount(items), readable(rate)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_with_a_known_total_shows_percent_rate_and_time_left() {
        assert_eq!(
            progress_of("camera", 3_183, Some(5_745), 10.0),
            "camera 3,183/5,745 (55%, 318/s, ~9 s left)"
        );
    }

    #[test]
    fn a_stage_past_its_estimate_shows_its_count_without_time_left() {
        assert_eq!(
            progress_of("camera", 5_800, Some(5_745), 10.0),
            "camera 5,800/5,745 (100%)"
        );
    }

    #[test]
    fn a_stage_without_a_total_shows_its_count_and_rate() {
        assert_eq!(
            progress_of("camera", 3_183, None, 10.0),
            "camera 3,183 items (318/s)"
        );
    }

    #[test]
    fn a_stage_expects_the_sum_of_its_ports_only_when_every_port_says() {
        use macroscope_plugin_api::ElementType;
        let stream = PortSpec::stream("frames", ElementType::U8, &[2]);
        let dataset = PortSpec::dataset("map", ElementType::F64, &[2]);
        assert_eq!(
            expected_items(&[stream.clone().with_expected_items(10), dataset]),
            Some(11)
        );
        assert_eq!(expected_items(&[stream]), None);
    }
}
