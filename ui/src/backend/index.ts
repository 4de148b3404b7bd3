// The typed interface between the UI and the app. Components receive a Backend through Svelte
// context and never import Tauri: the app gives them the Tauri implementation (./tauri.ts),
// component tests give them a fake.
import { getContext, setContext } from "svelte";
import type { AppError, AppInfo, ErrorCode } from "./bindings";

export type { AppError, AppInfo, ErrorCode };

/** Everything the UI can ask of the app. Each method rejects with a BackendError. */
export interface Backend {
  appInfo(): Promise<AppInfo>;
}

/** A command's failure, as Rust reported it. Match on `code`, never on `message`. */
export class BackendError extends Error {
  readonly code: ErrorCode;
  readonly field: string | null;

  constructor(error: AppError) {
    super(error.message);
    this.name = "BackendError";
    this.code = error.code;
    this.field = error.field ?? null;
  }
}

/** Turns a generated command's result into a value, or throws its error as a BackendError. */
export function unwrap<T>(result: { status: "ok"; data: T } | { status: "error"; error: AppError }): T {
  if (result.status === "ok") return result.data;
  throw new BackendError(result.error);
}

const KEY = Symbol("backend");

/** Makes `backend` available to every component below the caller. */
export function provideBackend(backend: Backend): void {
  setContext(KEY, backend);
}

/** The Backend given by an ancestor through provideBackend. */
export function useBackend(): Backend {
  const backend = getContext<Backend | undefined>(KEY);
  if (!backend) throw new Error("No Backend was provided to this component tree");
  return backend;
}
