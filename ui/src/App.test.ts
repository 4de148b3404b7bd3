import { render, screen } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "./App.svelte";
import { type Backend, BackendError } from "./backend";

function fakeBackend(overrides: Partial<Backend> = {}): Backend {
  return {
    appInfo: async () => ({ name: "Connection Manager", version: "9.9.9" }),
    ...overrides,
  };
}

describe("App", () => {
  it("shows the empty connection list with a New connection action", async () => {
    render(App, { backend: fakeBackend() });
    expect(screen.getByTestId("connections-empty").textContent).toContain("No connections yet");
    expect(screen.getByTestId("new-connection").textContent).toBe("New connection");
  });

  it("shows the version the backend reports", async () => {
    render(App, { backend: fakeBackend() });
    expect((await screen.findByTestId("app-version")).textContent).toBe("Connection Manager 9.9.9");
  });

  it("shows a backend failure as an alert with Rust's message", async () => {
    const backend = fakeBackend({
      appInfo: async () => {
        throw new BackendError({ code: "internal", message: "The app could not start its store", field: null });
      },
    });
    render(App, { backend });
    expect((await screen.findByRole("alert")).textContent).toContain("The app could not start its store");
  });
});
