//! The TypeScript bindings for every command, event and shared type, generated from the Rust
//! signatures by tauri-specta and committed as `ui/src/backend/bindings.ts`.
//!
//! `cargo test` fails when the committed file is stale; `make bindings` (or running this test
//! with `UPDATE_BINDINGS=1`) rewrites it.

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    use specta_typescript::Typescript;

    fn committed_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/backend/bindings.ts")
    }

    /// The bindings as `commands::builder` generates them now.
    fn fresh_bindings() -> String {
        let dir = tempfile_dir();
        let fresh = dir.join(format!("bindings-{:?}.ts", std::thread::current().id()));
        crate::commands::builder()
            .export(Typescript::default(), &fresh)
            .expect("export TypeScript bindings");
        std::fs::read_to_string(&fresh).expect("read fresh bindings")
    }

    #[test]
    fn bindings_are_current() {
        let fresh_text = fresh_bindings();
        let committed = committed_path();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&committed, &fresh_text).expect("write committed bindings");
            return;
        }
        let committed_text = std::fs::read_to_string(&committed).unwrap_or_default();
        assert!(
            committed_text == fresh_text,
            "ui/src/backend/bindings.ts is stale: the Rust commands changed; run `make bindings` and commit it"
        );
    }

    /// Every `"…"` in `text`.
    fn quoted(text: &str) -> BTreeSet<String> {
        text.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    }

    /// The part of `text` from `start` to the next `end` after it.
    fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
        let from = text
            .find(start)
            .unwrap_or_else(|| panic!("{start:?} not found"))
            + start.len();
        let len = text[from..]
            .find(end)
            .unwrap_or_else(|| panic!("{end:?} not found"));
        &text[from..from + len]
    }

    /// A command must be in three lists: registered (`commands::builder`), declared to the access
    /// control (`build.rs`) and allowed to the window (`permissions/app-commands.toml`). One
    /// missing from the last two leaves it unreachable from the UI, with no error until used.
    #[test]
    fn the_three_lists_of_commands_agree() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let registered: BTreeSet<String> = fresh_bindings()
            .split("__TAURI_INVOKE(\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next().map(str::to_owned))
            .collect();
        let build = std::fs::read_to_string(root.join("build.rs")).expect("read build.rs");
        let declared = quoted(between(&build, "const COMMANDS: &[&str] = &[", "];"));
        let toml = std::fs::read_to_string(root.join("permissions/app-commands.toml"))
            .expect("read permissions/app-commands.toml");
        let allowed = quoted(between(&toml, "commands.allow = [", "]"));

        assert!(
            registered.len() > 20,
            "the commands were found: {registered:?}"
        );
        let differ = |other: &BTreeSet<String>| -> Vec<String> {
            registered.symmetric_difference(other).cloned().collect()
        };
        assert!(
            differ(&declared).is_empty(),
            "build.rs and commands::builder differ on {:?}",
            differ(&declared)
        );
        assert!(
            differ(&allowed).is_empty(),
            "permissions/app-commands.toml and commands::builder differ on {:?}",
            differ(&allowed)
        );
    }

    /// Tauri runs a command that is not `async` on the window's main thread, where file or
    /// keyring work freezes the window: every command is `async`.
    #[test]
    fn every_command_is_async() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        // Every file of the app's source: commands live in `commands.rs` and `sign_in.rs`.
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("src"))
            .expect("read src")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "rs"))
            .collect();
        files.sort();
        let source: String = files
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("read a source file"))
            .collect();
        let mut commands = 0;
        let mut not_async = Vec::new();
        // The marker is spelt in two halves so that this test's own source does not hold it.
        let marker = concat!("#[tauri", "::command]");
        for part in source.split(marker).skip(1) {
            let signature = part
                .lines()
                .find(|l| l.contains(" fn "))
                .expect("a function after the command attribute");
            commands += 1;
            if !signature.contains("pub async fn ") {
                not_async.push(signature.trim().to_owned());
            }
        }
        let registered = fresh_bindings().matches("__TAURI_INVOKE(\"").count();
        assert_eq!(
            commands, registered,
            "every registered command is defined in the app's source"
        );
        assert!(
            not_async.is_empty(),
            "commands that would run on the main thread: {not_async:?}"
        );
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("connmgr-bindings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }
}
