import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import App from "../App.svelte";
import type { Discovered, ServerMetadata } from "../backend";
import { FakeBackend } from "../test/fake-backend";
import { newSettings } from "./form";

const ISSUER = "https://id.example.com/realms/acme";

const metadata = (scopes: string[]): ServerMetadata => ({
  issuer: ISSUER,
  fetchedFrom: "https://id.example.com/.well-known/oauth-authorization-server/realms/acme",
  fetchedAt: "2026-12-03T05:00:00.000Z",
  authorizationEndpoint: `${ISSUER}/protocol/openid-connect/auth`,
  tokenEndpoint: `${ISSUER}/protocol/openid-connect/token`,
  revocationEndpoint: null,
  deviceAuthorizationEndpoint: null,
  scopesSupported: scopes,
  tokenEndpointAuthMethodsSupported: ["client_secret_basic"],
  codeChallengeMethodsSupported: [],
  grantTypesSupported: [],
  issParameterSupported: true,
});

function found(scopes: string[], changes: string[] = []): Discovered {
  return {
    settings: {
      ...newSettings(),
      provider: "generic",
      issuer: ISSUER,
      authorizationUrl: `${ISSUER}/protocol/openid-connect/auth`,
      tokenUrl: `${ISSUER}/protocol/openid-connect/token`,
      validDomains: ["id.example.com"],
      scopes: [],
      requireIss: true,
      clientAuth: "basic",
      metadata: metadata(scopes),
    },
    warnings: ["The server's metadata does not list PKCE with S256."],
    changes,
  };
}

async function newGenericForm(backend: FakeBackend) {
  render(App, { backend });
  await fireEvent.click(await screen.findByTestId("new-connection"));
  await fireEvent.change(screen.getByLabelText(/Provider/), { target: { value: "generic" } });
  await fireEvent.input(await screen.findByLabelText(/^Issuer/), { target: { value: ISSUER } });
}

describe("discovery and extra parameters in the form", () => {
  it("fills the endpoints from the issuer's metadata, warns, and offers its scopes", async () => {
    const backend = new FakeBackend();
    backend.discovered = found(["openid", "acme.reports.read"]);
    await newGenericForm(backend);
    await fireEvent.click(screen.getByTestId("discover"));
    await waitFor(() =>
      expect((screen.getByLabelText(/^Token URL/) as HTMLInputElement).value).toBe(
        `${ISSUER}/protocol/openid-connect/token`,
      ),
    );
    const result = screen.getByTestId("discovery-result");
    expect(result.textContent).toContain("Filled in from https://id.example.com/.well-known/oauth-authorization-server");
    expect(result.textContent).toContain("S256");
    expect(screen.getByTestId("discover").textContent?.trim()).toBe("Fetch again");
    await waitFor(() => expect(screen.getByTestId("connection-form").textContent).toContain("acme.reports.read"));
  });

  it("says why the metadata could not be fetched, and keeps what was typed", async () => {
    const backend = new FakeBackend();
    await newGenericForm(backend);
    await fireEvent.click(screen.getByTestId("discover"));
    expect((await screen.findByTestId("discovery-error")).textContent).toContain("could not be reached");
    expect((screen.getByLabelText(/^Issuer/) as HTMLInputElement).value).toBe(ISSUER);
  });

  it("shows a second fetch's changes before applying them", async () => {
    const backend = new FakeBackend();
    backend.discovered = found(["openid"]);
    await newGenericForm(backend);
    await fireEvent.click(screen.getByTestId("discover"));
    await screen.findByTestId("discovery-result");
    const moved = found(["openid"], ["Token endpoint: a → b"]);
    moved.settings.tokenUrl = "https://id.example.com/new-token";
    backend.discovered = moved;
    await fireEvent.click(screen.getByTestId("discover"));
    const changes = await screen.findByTestId("discovery-changes");
    expect(changes.textContent).toContain("Token endpoint: a → b");
    const tokenUrl = screen.getByLabelText(/^Token URL/) as HTMLInputElement;
    expect(tokenUrl.value).toBe(`${ISSUER}/protocol/openid-connect/token`);
    await fireEvent.click(screen.getByTestId("apply-discovery"));
    await waitFor(() => expect(tokenUrl.value).toBe("https://id.example.com/new-token"));
  });

  it("saves the extra parameters typed under Advanced", async () => {
    const backend = new FakeBackend();
    render(App, { backend });
    await fireEvent.click(await screen.findByTestId("new-connection"));
    await fireEvent.input(screen.getByLabelText(/Name your connection/), { target: { value: "Acme" } });
    await fireEvent.input(screen.getByLabelText(/URL subdomain/), { target: { value: "acme" } });
    await fireEvent.input(screen.getByLabelText(/Client secret/), { target: { value: "s3cret" } });
    await fireEvent.click(screen.getByTestId("add-extra-param"));
    await fireEvent.input(screen.getByLabelText("Name of parameter 1"), { target: { value: "prompt" } });
    await fireEvent.input(screen.getByLabelText("Value of parameter 1"), { target: { value: "consent" } });
    await waitFor(() => expect(screen.getByTestId("endpoint-preview")).toBeTruthy());
    await fireEvent.click(screen.getByTestId("save"));
    await waitFor(() => expect(backend.saved.length).toBe(1));
    expect(backend.saved[0]?.settings.extraParams).toEqual([{ stage: "authorization", name: "prompt", value: "consent" }]);
  });
});
