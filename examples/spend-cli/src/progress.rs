//! Progress of syncs: a bar per source on a terminal, plain lines otherwise.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use spend_core::sync::Progress;

/// Draws the progress of several sources.
pub struct Bars {
    multi: Option<MultiProgress>,
}

impl Bars {
    /// Bars on stderr when it is a terminal.
    pub fn new() -> Self {
        let multi = std::io::stderr()
            .is_terminal()
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Bars { multi }
    }

    /// A reporter for one source.
    pub fn source(&self, name: &str) -> impl FnMut(&Progress) + Send + use<> {
        let bar = self.multi.as_ref().map(|m| {
            let bar = m.add(ProgressBar::new(0));
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix:28} {bar:30} {pos}/{len} {per_sec} eta {eta} {msg}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_prefix(name.to_owned());
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        let name = name.to_owned();
        move |p: &Progress| match &bar {
            Some(bar) => {
                bar.set_length(p.total.unwrap_or(p.done));
                bar.set_position(p.done);
                bar.set_message(format!("{} rows", p.rows));
                if p.total.is_some_and(|t| p.done >= t) {
                    bar.finish();
                }
            }
            None => eprintln!(
                "{name}: {}{} done, {} rows written, {:.1} s",
                p.done,
                p.total.map(|t| format!("/{t}")).unwrap_or_default(),
                p.rows,
                p.elapsed.as_secs_f64()
            ),
        }
    }
}

/// A single counter for one long step (`done` of `total`): a bar on a
/// terminal, a line per update otherwise.
pub fn counter(name: &str) -> impl Fn(u64, u64) + use<> {
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{prefix:12} {bar:30} {pos}/{len} {per_sec} eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_prefix(name.to_owned());
        bar
    });
    let name = name.to_owned();
    move |done, total| match &bar {
        Some(bar) => {
            bar.set_length(total);
            bar.set_position(done);
            if done >= total {
                bar.finish_and_clear();
            }
        }
        None if total > 0 => eprintln!("{name}: {done}/{total}"),
        None => {}
    }
}
