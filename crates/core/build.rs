//! Embeds every provider preset of `data/presets/` (one JSON file each): adding a provider is
//! adding a file, with no list to keep in step.

use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/presets");
    println!("cargo:rerun-if-changed=data/presets");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("data/presets exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = String::from(
        "/// Every preset file of data/presets, as (file name, text), by name.\npub(crate) const FILES: &[(&str, &str)] = &[\n",
    );
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        println!("cargo:rerun-if-changed={}", path.display());
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("presets.rs");
    std::fs::write(target, out).expect("write presets.rs");
}
