import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "../App.svelte";
import type { ConnectionDraft } from "../backend";
import { FakeBackend } from "../test/fake-backend";
import { PROVIDER_CHOICES } from "./form";

describe("provider presets in the form", () => {
  it("offers every preset of Rust's data files after Coupa and Generic", () => {
    const values = PROVIDER_CHOICES.map((c) => c.value);
    expect(values.slice(0, 3)).toEqual(["coupa:customer", "coupa:partner", "generic"]);
    for (const id of ["servicenow", "netsuite", "entra", "google", "okta", "keycloak", "sap-btp", "hubspot"]) {
      expect(values).toContain(`preset:${id}`);
    }
  });

  it("asks for the preset's fields instead of URLs, says how to set it up, and saves its values", async () => {
    const backend = new FakeBackend();
    render(App, { backend });
    await fireEvent.click(await screen.findByTestId("new-connection"));
    await fireEvent.input(screen.getByLabelText(/Name your connection/), { target: { value: "ServiceNow prod" } });
    await fireEvent.change(screen.getByLabelText(/Provider/), { target: { value: "preset:servicenow" } });
    const instance = (await screen.findByTestId("preset-field-instance")) as HTMLInputElement;
    expect(screen.queryByLabelText(/^Token URL/)).toBeNull();
    expect(screen.getByTestId("preset-howto").textContent).toContain("Application Registry");
    expect(screen.getByTestId("preset-hints").textContent).toContain("glide.oauth.inbound.client.credential.grant_type.enabled");
    await fireEvent.input(instance, { target: { value: "acme" } });
    await fireEvent.input(screen.getByLabelText(/Client ID/), { target: { value: "sn-client" } });
    await fireEvent.input(screen.getByLabelText(/Client secret/), { target: { value: "s3cret" } });
    await waitFor(() => expect(screen.getByTestId("endpoint-preview")).toBeTruthy());
    await fireEvent.click(screen.getByTestId("save"));
    await waitFor(() => expect(backend.saved.length).toBe(1));
    const saved = backend.saved[0] as ConnectionDraft;
    expect(saved.settings.provider).toBe("generic");
    expect(saved.settings.preset).toEqual({ id: "servicenow", values: { instance: "acme" } });
    expect(saved.settings.scopes).toEqual(["useraccount"]);
  });
});

describe("a preset's credential file", () => {
  it("fills the fields and the client ID from a service key, and leaves the secret for Rust to read", async () => {
    const backend = new FakeBackend();
    const file = "/keys/service-key.json";
    backend.chooseFile = async (purpose) => (purpose === "service_key" ? file : null);
    backend.serviceKeys.set(file, {
      values: { url: "https://acme.authentication.eu10.hana.ondemand.com" },
      clientId: "sb-app!b1|xsuaa!b2",
    });
    render(App, { backend });
    await fireEvent.click(await screen.findByTestId("new-connection"));
    await fireEvent.input(screen.getByLabelText(/Name your connection/), { target: { value: "SAP" } });
    await fireEvent.change(screen.getByLabelText(/Provider/), { target: { value: "preset:sap-btp" } });
    await fireEvent.click(await screen.findByTestId("import-service-key"));
    await waitFor(() =>
      expect((screen.getByTestId("preset-field-url") as HTMLInputElement).value).toBe(
        "https://acme.authentication.eu10.hana.ondemand.com",
      ),
    );
    expect((screen.getByLabelText(/Client ID/) as HTMLInputElement).value).toBe("sb-app!b1|xsuaa!b2");
    expect(screen.getByTestId("service-key-file").textContent).toContain(file);
    await fireEvent.input(screen.getByLabelText(/^Scopes/), { target: { value: "acme.read" } });
    await fireEvent.keyDown(screen.getByLabelText(/^Scopes/), { key: "Enter" });
    await waitFor(() => expect(screen.getByTestId("endpoint-preview")).toBeTruthy());
    await fireEvent.click(screen.getByTestId("save"));
    await waitFor(() => expect(backend.saved.length).toBe(1));
    expect((backend.saved[0] as ConnectionDraft).clientSecret).toEqual({ action: "import_service_key", file });
  });
});
