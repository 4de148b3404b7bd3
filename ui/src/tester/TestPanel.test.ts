import { render, screen } from "@testing-library/svelte";
import { tick } from "svelte";
import { describe, expect, it } from "vitest";
import type { StepReport } from "../backend";
import TestPanel from "./TestPanel.svelte";

const step = (over: Partial<StepReport>): StepReport => ({
  id: "reach",
  label: "Reach the host",
  status: "pending",
  durationMs: null,
  detail: "",
  hint: null,
  code: null,
  waitingUntil: null,
  ...over,
});

describe("TestPanel", () => {
  it("shows each step's state, time and detail", () => {
    render(TestPanel, {
      steps: [
        step({ status: "passed", durationMs: 12, detail: "127.0.0.1 · TCP 1 ms" }),
        step({ id: "token", label: "Get a token", status: "running" }),
        step({ id: "api", label: "Call the API", status: "pending" }),
      ],
    });
    expect(screen.getByTestId("step-reach").dataset.status).toBe("passed");
    expect(screen.getByTestId("step-reach").textContent).toContain("12 ms");
    expect(screen.getByTestId("step-reach").textContent).toContain("127.0.0.1 · TCP 1 ms");
    expect(screen.getByTestId("step-token").dataset.status).toBe("running");
  });

  it("shows the hint of a failed step in plain words", () => {
    render(TestPanel, {
      steps: [
        step({ status: "passed", durationMs: 3 }),
        step({
          id: "token",
          label: "Get a token",
          status: "failed",
          durationMs: 40,
          detail: "The token endpoint answered invalid_client.",
          hint: "Check the client ID and secret.",
          code: "invalid_client",
        }),
        step({ id: "api", label: "Call the API", status: "skipped", detail: "Not run: an earlier step failed." }),
      ],
    });
    expect(screen.getByTestId("hint-token").textContent).toBe("Check the client ID and secret.");
    expect(screen.getByTestId("step-api").dataset.status).toBe("skipped");
  });

  it("announces each step as it passes or fails, in a polite live region", async () => {
    const { rerender } = render(TestPanel, {
      steps: [step({ status: "running" }), step({ id: "token", label: "Get a token" })],
    });
    const region = screen.getByTestId("test-announcements");
    expect(region.getAttribute("role")).toBe("status");
    expect(region.getAttribute("aria-live")).toBe("polite");
    expect(region.textContent?.trim()).toBe("");
    await rerender({ steps: [step({ status: "passed", durationMs: 3 }), step({ id: "token", label: "Get a token", status: "running" })] });
    await tick();
    expect(region.textContent?.trim()).toBe("Reach the host: passed.");
    await rerender({
      steps: [
        step({ status: "passed", durationMs: 3 }),
        step({ id: "token", label: "Get a token", status: "failed", detail: "The token endpoint answered invalid_client." }),
      ],
    });
    await tick();
    const said = [...region.querySelectorAll("p")].map((p) => p.textContent);
    expect(said).toEqual(["Reach the host: passed.", "Get a token: failed. The token endpoint answered invalid_client."]);
  });

  it("counts down while it waits for the sign-in, with Cancel", async () => {
    let cancelled = 0;
    const until = new Date(Date.now() + 272_500).toISOString();
    render(TestPanel, {
      steps: [
        step({ status: "passed", durationMs: 3 }),
        step({ id: "token", label: "Get a token", status: "running", detail: "Waiting for you to sign in to Coupa in your browser…", waitingUntil: until }),
      ],
      oncancel: () => (cancelled += 1),
    });
    expect(screen.getByTestId("time-left").textContent).toMatch(/^4 m 3[23] s left$/);
    screen.getByTestId("cancel-waiting").click();
    expect(cancelled).toBe(1);
  });
});
