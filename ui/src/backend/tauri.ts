// The Backend over Tauri: the only UI module that reaches @tauri-apps, through the bindings
// generated from the Rust commands.
import { type Backend, unwrap } from "./index";
import { commands } from "./bindings";

export function createTauriBackend(): Backend {
  return {
    appInfo: async () => unwrap(await commands.appInfo()),
  };
}
