//! The Tauri app: the window, the managed state and the commands over `connmgr-core`.

mod auto_refresh;
mod bindings;
mod browser;
mod clipboard;
mod commands;
mod deletion;
mod demo;
mod discovery;
mod error;
mod logging;
mod prefs;
mod sign_in;
mod single_instance;
mod state;
mod tasks;
mod watch;

pub use browser::SystemBrowser;

/// Builds and runs the app until its last window closes.
pub fn run() {
    let specta = commands::builder();
    let context = tauri::generate_context!();
    let identifier = context.config().identifier.clone();
    let app = tauri::Builder::default()
        // First: a second launch on the same data folder focuses this window and exits.
        .plugin(single_instance::plugin(&identifier))
        .plugin(tauri_plugin_opener::init())
        // Used from Rust only (no UI permission): the UI asks the app to copy, and tokens never
        // pass through the UI to reach the clipboard.
        .plugin(tauri_plugin_clipboard_manager::init())
        // Used from Rust only: the preferences file (`prefs.rs`) and the file dialogs of export
        // and import (`choose_file`); the UI holds no permission for either.
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(specta.invoke_handler())
        .setup(move |app| {
            logging::init(app.handle())?;
            prefs::set_aside_if_unreadable(app.handle());
            let state = state::init()?;
            tauri::Manager::manage(app, state);
            specta.mount_events(app);
            auto_refresh::start(app.handle());
            watch::start(app.handle());
            tracing::info!(version = connmgr_core::VERSION, "app started");
            Ok(())
        })
        .build(context);
    match app {
        Ok(app) => app.run(|handle, event| {
            // Deletes still undoable when the app quits are made final: nothing is left in the
            // keyring for a connection that is gone.
            if let tauri::RunEvent::Exit = event {
                let w = tauri::Manager::state::<state::AppState>(handle)
                    .workspace
                    .clone();
                tauri::async_runtime::block_on(w.finish_deletes());
            }
        }),
        Err(err) => startup_failed(&err),
    }
}

/// No window could be made (no display, no WebView): say so and exit non-zero. The log may not
/// exist yet, so the terminal is the only place to say it.
#[expect(clippy::print_stderr, reason = "the app failed before logging started")]
fn startup_failed(err: &tauri::Error) -> ! {
    eprintln!("Connection Manager could not start: {err}");
    std::process::exit(1);
}
