//! The TypeScript bindings for every command, event and shared type, generated from the Rust
//! signatures by tauri-specta and committed as `ui/src/backend/bindings.ts`.
//!
//! `cargo test` fails when the committed file is stale; `make bindings` (or running this test
//! with `UPDATE_BINDINGS=1`) rewrites it.

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use specta_typescript::Typescript;

    fn committed_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/backend/bindings.ts")
    }

    #[test]
    fn bindings_are_current() {
        let dir = tempfile_dir();
        let fresh = dir.join("bindings.ts");
        crate::commands::builder()
            .export(Typescript::default(), &fresh)
            .expect("export TypeScript bindings");
        let fresh_text = std::fs::read_to_string(&fresh).expect("read fresh bindings");
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

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("connmgr-bindings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }
}
