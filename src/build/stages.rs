//! Stages: runs each stage of a build under its name, showing it on the spinner (only on a
//! terminal) and recording how long it took for the report's `timings_seconds`.

use super::Failure;
use serde_json::{json, Value};
use std::io::IsTerminal;
use std::time::Instant;

/// Seconds per stage, in the order they ran.
#[derive(Default)]
pub(super) struct Timings(Vec<(String, f64)>);

impl Timings {
    /// Records `key` as having taken the time since `since`.
    pub fn record(&mut self, key: &str, since: Instant) {
        self.0.push((key.into(), since.elapsed().as_secs_f64()));
    }

    /// The report's `timings_seconds`: milliseconds are all a build's stages need.
    pub fn to_json(&self) -> Value {
        self.0
            .iter()
            .map(|(k, v)| (k.clone(), json!((v * 1000.0).round() / 1000.0)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    }
}

/// The spinner and the timings of the stages that follow the plan.
pub(super) struct Stages {
    progress: Progress,
    pub timings: Timings,
}

impl Stages {
    /// `quiet`: no spinner. `timings` holds what was timed before (the plan).
    pub fn new(quiet: bool, timings: Timings) -> Stages {
        Stages {
            progress: Progress::new(quiet),
            timings,
        }
    }

    /// Runs `stage`, shown as `label` and timed as `key` (a failed stage is not timed: its
    /// build has no report).
    pub fn run<T>(
        &mut self,
        label: &str,
        key: &str,
        stage: impl FnOnce() -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let started = Instant::now();
        self.progress.stage(label);
        let value = stage()?;
        self.timings.record(key, started);
        Ok(value)
    }

    /// Clears the spinner before the final output.
    pub fn finish(&self) {
        self.progress.finish();
    }
}

/// The stage display: a spinner naming the current stage, only on a terminal.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}
impl Progress {
    fn new(quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} [{elapsed}] {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Progress { bar }
    }

    fn stage(&self, name: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(name.to_string());
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
