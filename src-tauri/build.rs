//! Declares the app's own commands to Tauri's access control, so that each one must be allowed
//! by a capability (see `capabilities/` and `permissions/`) before the UI can invoke it.

/// Every command the app registers; keep in step with `commands::builder` (a test checks it).
const COMMANDS: &[&str] = &[
    "app_info",
    "store_notice",
    "list_connections",
    "get_connection",
    "validate_connection",
    "save_connection",
    "delete_connection",
    "undo_delete",
    "duplicate_connection",
    "scope_catalog",
    "search_scopes",
    "test_connection",
    "get_token",
    "renew_token",
    "token_status",
    "start_authorization",
    "cancel_authorization",
    "start_device_sign_in",
    "finish_device_sign_in",
    "open_in_browser",
    "discover_server",
    "choose_preset",
    "read_service_key",
    "server_scope_catalog",
    "forget_tokens",
    "copy_text",
    "copy_token",
    "get_prefs",
    "set_prefs",
    "default_export_path",
    "choose_file",
    "export_connections",
    "preview_import",
    "import_connections",
    "sandbox_status",
    "add_sandbox_connection",
];

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri build script failed");
}
