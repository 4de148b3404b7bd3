//! Connection names: unique among the saved connections (trimmed, case-insensitive), and the
//! free names a copy or an imported clash gets ("Copy of X", "X (2)").

use crate::error::Error;
use crate::model::connection::Connection;
use crate::model::validate::{self, NAME_MAX};

pub(crate) fn check_name_free(
    list: &[Connection],
    name: &str,
    own_id: Option<&str>,
) -> Result<(), Error> {
    let wanted = name.trim().to_lowercase();
    if list
        .iter()
        .any(|c| Some(c.id.as_str()) != own_id && c.settings.name.trim().to_lowercase() == wanted)
    {
        return Err(Error::Validation(vec![validate::FieldIssue {
            field: validate::field::NAME.to_owned(),
            message: format!(
                "A connection named \u{201c}{}\u{201d} already exists; choose another name.",
                name.trim()
            ),
            action: None,
        }]));
    }
    Ok(())
}

/// "Copy of X", or "Copy of X (2)", … : the first that no saved connection has.
pub(crate) fn copy_name(name: &str, list: &[Connection]) -> String {
    free_name(&format!("Copy of {name}"), &|n| name_taken(list, n))
}

/// Whether a saved connection has this name (trimmed, case-insensitive).
pub(crate) fn name_taken(list: &[Connection], name: &str) -> bool {
    let wanted = name.trim().to_lowercase();
    list.iter()
        .any(|c| c.settings.name.trim().to_lowercase() == wanted)
}

/// `name` if `taken` says it is free, else "name (2)", "name (3)", … : the first free one, cut to
/// fit the name limit.
pub(crate) fn free_name(name: &str, taken: &dyn Fn(&str) -> bool) -> String {
    let fit = |base: &str, suffix: &str| -> String {
        let room = NAME_MAX - suffix.chars().count();
        let mut cut: String = base.chars().take(room).collect();
        cut.push_str(suffix);
        cut
    };
    let first = fit(name, "");
    if !taken(&first) {
        return first;
    }
    (2..)
        .map(|n| fit(name, &format!(" ({n})")))
        .find(|candidate| !taken(candidate))
        .unwrap_or(first)
}
