import { describe, expect, it } from "vitest";
import { BackendError, errorMessage, unwrap } from "./index";

describe("unwrap", () => {
  it("gives the data, or throws the app's error with its code and message", () => {
    expect(unwrap({ status: "ok", data: 3 })).toBe(3);
    const err = (() => {
      try {
        unwrap({ status: "error", error: { code: "not_found", message: "No such connection.", field: null } });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BackendError);
    expect((err as BackendError).code).toBe("not_found");
    expect(errorMessage(err)).toBe("No such connection.");
  });

  it("says a refusal of the IPC layer itself instead of an empty message", () => {
    const refusal = { status: "error", error: "start_device_sign_in not allowed. Command not found" } as never;
    expect(() => unwrap(refusal)).toThrow("The app could not do this: start_device_sign_in not allowed. Command not found.");
  });
});
