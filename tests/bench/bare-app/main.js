// The bare app's whole front end: it says when it has run, as a Vite + Tauri hello world does.
document.getElementById("hello").dataset.ready = "true";
