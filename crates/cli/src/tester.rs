//! `connmgr test`: the app's connection test, each step on a line with its time and hint.

use connmgr_core::Workspace;
use connmgr_core::oauth::BrowserOpener;
use connmgr_core::oauth::redirect::DEFAULT_TIMEOUT;
use connmgr_core::tester::{StepReport, StepStatus};

use crate::failure::{Failure, exit_code};
use crate::{open, out, out_json};

/// The command line opens no browser: a connection that needs a sign-in says so at that step.
#[derive(Debug)]
struct NoBrowser;

impl BrowserOpener for NoBrowser {
    fn open(&self, _url: &str) -> Result<(), String> {
        Err("the test opens no browser; run `connmgr sign-in NAME` first".to_owned())
    }
}

/// Runs the test; exits 0 only when every step passed, otherwise with the first failed step's
/// exit code.
pub async fn test(ws: &Workspace, key: &str, json: bool) -> Result<(), Failure> {
    let c = open::find(ws, key)?;
    let report = ws.test(&c.id, &NoBrowser, DEFAULT_TIMEOUT, &|_| {}).await?;
    if json {
        out_json(&report)?;
    } else {
        let text: String = report.steps.iter().map(line).collect();
        out(text)?;
    }
    match report.steps.iter().find(|s| s.status == StepStatus::Failed) {
        None if report.ok => Ok(()),
        failed => Err(Failure {
            code: failed
                .and_then(|s| s.code)
                .map_or_else(|| "test_failed".to_owned(), crate::failure::code_name),
            message: format!(
                "The test of \u{201c}{}\u{201d} did not pass{}.",
                c.settings.name,
                failed
                    .map(|s| format!(" at \u{201c}{}\u{201d}", s.label))
                    .unwrap_or_default()
            ),
            exit: failed.and_then(|s| s.code).map_or(1, exit_code),
        }),
    }
}

/// `✓ Get a token (143 ms): 200 OK · Bearer · 24 h` and, on failure, the hint below.
fn line(s: &StepReport) -> String {
    let mark = match s.status {
        StepStatus::Passed => "\u{2713}",
        StepStatus::Failed => "\u{2717}",
        _ => "-",
    };
    let time = s
        .duration_ms
        .map(|ms| format!(" ({ms} ms)"))
        .unwrap_or_default();
    let detail = if s.detail.is_empty() {
        String::new()
    } else {
        format!(": {}", s.detail)
    };
    let hint = s
        .hint
        .as_ref()
        .map(|h| format!("\n    {h}"))
        .unwrap_or_default();
    format!("{mark} {}{time}{detail}{hint}\n", s.label)
}
