//! `connmgr import` and `connmgr export`: the app's export format, never a secret.

use std::path::Path;

use connmgr_core::Workspace;
use connmgr_core::model::transfer::{ImportAction, ImportChoice};

use crate::args::OnConflict;
use crate::failure::Failure;
use crate::{open, out};

/// Imports `file`; a connection whose name is taken is skipped, renamed or replaced as asked.
/// Prints one line per connection, and which ones need their client secret.
pub fn import(ws: &Workspace, file: &Path, on_conflict: OnConflict) -> Result<(), Failure> {
    let preview = ws.preview_import(file)?;
    let choices: Vec<ImportChoice> = preview
        .items
        .iter()
        .map(|item| ImportChoice {
            index: item.index,
            action: match (&item.clash, on_conflict) {
                (None, _) => ImportAction::Add,
                (Some(_), OnConflict::Skip) => ImportAction::Skip,
                (Some(_), OnConflict::Rename) => ImportAction::Rename,
                (Some(_), OnConflict::Replace) => ImportAction::Replace,
            },
        })
        .collect();
    let outcome = ws.import(file, &choices)?;
    let mut text = String::new();
    for (item, choice) in preview.items.iter().zip(&choices) {
        if let Some(reason) = &item.refused {
            text.push_str(&format!("refused   {}: {reason}\n", item.name));
            continue;
        }
        let line = match choice.action {
            ImportAction::Add => format!("added     {}", item.name),
            ImportAction::Rename => format!("renamed   {} \u{2192} {}", item.name, item.rename_to),
            ImportAction::Replace => format!("replaced  {}", item.name),
            ImportAction::Skip => format!("skipped   {} (the name is taken)", item.name),
        };
        text.push_str(&line);
        text.push('\n');
    }
    for c in outcome.imported.iter().filter(|c| c.needs_client_secret) {
        text.push_str(&format!(
            "needs its client secret: connmgr secret set '{}'\n",
            c.settings.name.replace('\'', r"'\''")
        ));
    }
    out(text)?;
    // The others are imported; a script still hears that some were not (as cp does).
    match outcome.refused.len() {
        0 => Ok(()),
        n if n == preview.items.len() => Err(Failure {
            code: "import_invalid".to_owned(),
            message:
                "None of the file's connections could be imported (see above); nothing was changed."
                    .to_owned(),
            exit: 1,
        }),
        n => Err(Failure {
            code: "import_invalid".to_owned(),
            message: format!(
                "{n} of the file's {} {} {} not imported (see above); the others were.",
                preview.items.len(),
                if preview.items.len() == 1 {
                    "connection"
                } else {
                    "connections"
                },
                if n == 1 { "was" } else { "were" }
            ),
            exit: 1,
        }),
    }
}

/// Writes the named connections (all when none is named) to `output`; an existing file only
/// with `--force`.
pub fn export(ws: &Workspace, names: &[String], output: &Path, force: bool) -> Result<(), Failure> {
    let ids = names
        .iter()
        .map(|n| open::find(ws, n).map(|c| c.id))
        .collect::<Result<Vec<_>, _>>()?;
    let chosen = (!ids.is_empty()).then_some(ids.as_slice());
    let count = ws.export(chosen, output, force).map_err(|err| {
        let exists = err.code() == connmgr_core::ErrorCode::FileExists;
        let mut failure = Failure::from(err);
        if exists {
            failure.message.push_str(" Add --force to replace it.");
        }
        failure
    })?;
    out(format!(
        "{count} {} written to {}\n",
        if count == 1 {
            "connection"
        } else {
            "connections"
        },
        output.display()
    ))
}
