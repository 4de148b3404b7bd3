import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "../App.svelte";
import type { ConnectionDraft, KeyFacts } from "../backend";
import { FakeBackend, okVerdict } from "../test/fake-backend";
import { makeSummary } from "../test/connection-fixture";
import { toRow } from "./browse";
import { secretUpdate } from "./form";

const FACTS_OF_KEY: KeyFacts = {
  kind: "rsa",
  bits: 3072,
  thumbprint: "C2T3Jy__rX_yQ84Ii8Rep1VmunteipoVNG4YDStrHXo",
  certificate: {
    subject: "CN=netsuite-m2m",
    notAfter: "2026-12-23T10:00:00.000Z",
    sha256Thumbprint: "puEmjwMlcKRTCcRCZnFkRqywTMntZGzuKk0c_WVfZU0",
  },
};

describe("the client's credential in the form", () => {
  it("imports a private key by its path: Rust reads the file, the form shows its facts", async () => {
    // As Rust answers: the facts once a key file is named, and the certificate's warning.
    const validate = (draft: ConnectionDraft) => {
      const v = okVerdict(draft);
      const importing = draft.clientSecret.action === "import_key";
      return {
        ...v,
        warnings: importing
          ? [{ field: "clientKey", message: "The certificate expires on 2026-12-23: renew it and import it before then." }]
          : [],
        normalized: { ...v.normalized, assertion: { ...v.normalized.assertion, key: importing ? FACTS_OF_KEY : null } },
      };
    };
    const backend = new FakeBackend({ validate });
    const asked: string[] = [];
    backend.chooseFile = async (purpose) => {
      asked.push(purpose);
      return purpose === "private_key" ? "/keys/netsuite.pem" : null;
    };
    render(App, { backend });
    await fireEvent.click(await screen.findByTestId("new-connection"));
    await fireEvent.input(screen.getByLabelText(/Name your connection/), { target: { value: "NetSuite" } });
    await fireEvent.input(screen.getByLabelText(/URL subdomain/), { target: { value: "acme" } });
    await fireEvent.change(screen.getByTestId("client-auth"), { target: { value: "private_key_jwt" } });
    expect(screen.queryByLabelText(/Client secret/)).toBeNull();

    await fireEvent.click(screen.getAllByRole("button", { name: "Choose…" })[0] as HTMLElement);
    expect(asked).toEqual(["private_key"]);
    expect((screen.getByTestId("key-file") as HTMLInputElement).value).toBe("/keys/netsuite.pem");
    await waitFor(() => expect(screen.getByTestId("key-thumbprint").textContent).toBe(FACTS_OF_KEY.thumbprint));
    expect(screen.getByTestId("key-facts").textContent).toContain("RSA 3072-bit");
    expect(screen.getByTestId("certificate-expiry").textContent).toContain("2026-12-23");
    expect(screen.getByTestId("key-warning").textContent).toContain("renew it");

    await fireEvent.change(screen.getByTestId("signing-algorithm"), { target: { value: "PS256" } });
    await fireEvent.input(screen.getByTestId("key-id"), { target: { value: "cert-9" } });
    await fireEvent.click(screen.getByRole("button", { name: "Add claim" }));
    await fireEvent.input(screen.getByLabelText("Name of claim 1"), { target: { value: "scope" } });
    await fireEvent.input(screen.getByLabelText("Value of claim 1"), { target: { value: "{scopes_comma}" } });
    await fireEvent.click(screen.getByTestId("save"));
    await waitFor(() => expect(backend.saved.length).toBe(1));
    const saved = backend.saved[0] as ConnectionDraft;
    expect(saved.clientSecret).toEqual({ action: "import_key", keyFile: "/keys/netsuite.pem", certificateFile: null });
    expect(saved.settings.clientAuth).toBe("private_key_jwt");
    expect(saved.settings.assertion).toMatchObject({
      algorithm: "PS256",
      keyId: "cert-9",
      claims: [{ name: "scope", value: "{scopes_comma}" }],
    });
  });

  it("a public client has no secret field and says why", async () => {
    render(App, { backend: new FakeBackend() });
    await fireEvent.click(await screen.findByTestId("new-connection"));
    await fireEvent.change(screen.getByTestId("client-auth"), { target: { value: "none" } });
    expect(screen.queryByLabelText(/Client secret/)).toBeNull();
    expect(screen.getByTestId("public-client").textContent).toContain("PKCE");
  });

  it("sends a key file only for a signed assertion, trimmed", () => {
    expect(secretUpdate("", false, " /k.pem ", "", "private_key_jwt")).toEqual({
      action: "import_key",
      keyFile: "/k.pem",
      certificateFile: null,
    });
    expect(secretUpdate("", false, "", "/c.pem", "private_key_jwt")).toEqual({ action: "keep" });
    expect(secretUpdate("typed", false, "/k.pem", "", "basic")).toEqual({ action: "replace", value: "typed" });
  });

  it("the list marks a certificate within Rust's warning days, and an expired one", () => {
    const now = Date.parse("2026-12-03T00:00:00Z");
    const row = (expires: string | null) => toRow({ ...makeSummary({ name: "NS" }), certificateExpiresAt: expires }, now);
    expect(row("2026-12-20T00:00:00Z").certificateDue).toBe(Date.parse("2026-12-20T00:00:00Z"));
    expect(row("2027-03-01T00:00:00Z").certificateDue).toBeNull();
    expect(row("2026-11-01T00:00:00Z").certificateDue).toBe(Date.parse("2026-11-01T00:00:00Z"));
    expect(row(null).certificateDue).toBeNull();
  });
});
