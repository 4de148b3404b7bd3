//! Where a command's work runs: blocking work on a thread for it (never the window's main
//! thread, which Tauri uses for a command that is not `async`), async work in a task of its
//! own. Either way a panic in the work answers the window with an `internal` error instead of
//! leaving it waiting forever.

use connmgr_core::Workspace;
use tauri::AppHandle;

use crate::error::CommandResult;
use crate::state::AppState;

/// Runs `work` on the workspace on a thread for blocking work: never on the window's main
/// thread, which Tauri uses for a command that is not `async`.
pub async fn off_main<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&Workspace) -> Result<T, connmgr_core::Error> + Send + 'static,
) -> CommandResult<T> {
    let workspace = state.workspace.clone();
    Ok(
        tauri::async_runtime::spawn_blocking(move || work(&workspace))
            .await
            .map_err(crate::error::task_failed)??,
    )
}

/// Runs the workspace's async `work` in a task of its own, so that a panic in it answers the
/// window with an `internal` error instead of leaving it waiting forever.
pub async fn guarded<T: Send + 'static>(
    work: impl std::future::Future<Output = Result<T, connmgr_core::Error>> + Send + 'static,
) -> CommandResult<T> {
    Ok(tauri::async_runtime::spawn(work)
        .await
        .map_err(crate::error::task_failed)??)
}

/// Runs `work` with the app handle on a thread for blocking work.
pub async fn off_main_app<T: Send + 'static>(
    app: AppHandle,
    work: impl FnOnce(&AppHandle) -> CommandResult<T> + Send + 'static,
) -> CommandResult<T> {
    tauri::async_runtime::spawn_blocking(move || work(&app))
        .await
        .map_err(crate::error::task_failed)?
}

#[cfg(test)]
mod tests {
    use super::guarded;
    use connmgr_core::ErrorCode;

    #[test]
    fn a_panic_in_async_work_answers_an_internal_error() {
        let answer = tauri::async_runtime::block_on(guarded::<()>(async {
            panic!("a defect in the work");
        }));
        let err = answer.expect_err("no answer but an error");
        assert_eq!(err.code, ErrorCode::Internal);
        assert!(
            err.message.contains("stopped unexpectedly"),
            "{}",
            err.message
        );
        // And work that does not panic answers as it is.
        let ok = tauri::async_runtime::block_on(guarded(async { Ok(7) }));
        assert_eq!(ok.expect("an answer"), 7);
    }
}
