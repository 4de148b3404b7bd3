//! A bare Tauri 2 window showing a Vite page, as the Tauri template makes it: the baseline the
//! app's start-up and memory are measured against.

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the bare window could not start");
}
