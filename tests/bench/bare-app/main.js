// The bare app's whole front end: it says when it has run, as a Vite + Tauri hello world does,
// and marks the next frame as painted (the mark `make bench` reads, as it reads the app's).
document.getElementById("hello").dataset.ready = "true";
requestAnimationFrame(() => performance.mark("painted"));
