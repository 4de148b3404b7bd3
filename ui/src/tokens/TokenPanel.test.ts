import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import { BackendError, type Connection, type TokenView } from "../backend";
import { newSettings } from "../connections/form";
import { FakeBackend } from "../test/fake-backend";
import WithBackend from "../test/WithBackend.svelte";
import { toastState } from "../shared/toast.svelte";
import { noteSignInLink } from "./signInLinks";
import TokenPanel from "./TokenPanel.svelte";

type Grant = "client_credentials" | "authorization_code" | "device_code";

const connection = (grantType: Grant): Connection => ({
  id: "c1",
  settings: { ...newSettings(), name: "Acme", grantType },
  endpoints: { instanceUrl: null, authorizationUrl: null, tokenUrl: "https://acme.coupahost.com/oauth2/token", apiBaseUrl: null, issuer: null, revocationUrl: null, deviceAuthorizationUrl: null },
  hasClientSecret: true,
  createdAt: "2026-11-24T10:00:00Z",
  updatedAt: "2026-11-24T10:00:00Z",
  lastTest: null,
  lastUsed: null,
  token: null,
  needsClientSecret: false,
});

const token = (hasRefreshToken: boolean, expiresInSecs = 3600): TokenView => ({
  accessToken: "sbx_at_0123456789abcdef",
  info: {
    tokenType: "Bearer",
    obtainedAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + expiresInSecs * 1000).toISOString(),
    grantedScopes: ["core.user.read"],
    missingScopes: ["core.invoice.write"],
    hasRefreshToken,
    expiryFromJwt: false,
    notes: [],
    jwt: null,
    idToken: {
      header: [{ name: "alg", value: '"RS256"' }],
      claims: [{ name: "email", value: '"admin@acme.example"' }],
      verified: false,
    },
  },
});

function show(backend: FakeBackend, grant: Grant) {
  render(WithBackend, { props: { backend, component: TokenPanel, innerProps: { connection: connection(grant) } } });
}

describe("TokenPanel", () => {
  it("says there is no token, or that a person must sign in", async () => {
    const backend = new FakeBackend();
    show(backend, "client_credentials");
    await waitFor(() => expect(screen.getByTestId("token-state").textContent).toBe("No token"));
    expect((screen.getByTestId("renew-token") as HTMLButtonElement).disabled).toBe(false);
    expect(screen.getByTestId("get-token").textContent?.trim()).toBe("Get token");
  });

  it("needs sign-in for an authorization-code connection without tokens", async () => {
    const backend = new FakeBackend();
    show(backend, "authorization_code");
    await waitFor(() => expect(screen.getByTestId("token-state").textContent).toBe("Needs sign-in"));
    expect((screen.getByTestId("refresh-token") as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId("get-token") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId("sign-in")).toBeTruthy();
  });

  it("while it waits for the browser, offers to copy the sign-in link or open it again", async () => {
    const backend = new FakeBackend();
    backend.startAuthorization = () => new Promise(() => {});
    // A link of an earlier attempt is not offered for this one.
    noteSignInLink("c1", "https://login.example.com/authorize?state=old");
    show(backend, "authorization_code");
    await fireEvent.click(await screen.findByTestId("sign-in"));
    await screen.findByTestId("waiting-sign-in");
    expect(screen.queryByTestId("copy-sign-in-link")).toBeNull();
    // The app opened the browser on the page (Rust's SignInOpened, heard by the shell).
    const url = "https://login.example.com/authorize?response_type=code&state=s2";
    noteSignInLink("c1", url);
    await fireEvent.click(await screen.findByTestId("copy-sign-in-link"));
    await waitFor(() => expect(backend.copied).toEqual([url]));
    expect(screen.getByTestId("copy-sign-in-link").textContent?.trim()).toBe("Copied");
    await fireEvent.click(screen.getByTestId("open-sign-in-again"));
    await waitFor(() => expect(backend.opened).toEqual([url]));
  });

  it("a new sign-in clears the previous attempt's error", async () => {
    const backend = new FakeBackend();
    show(backend, "authorization_code");
    await fireEvent.click(await screen.findByTestId("sign-in"));
    expect((await screen.findByTestId("token-problem")).textContent).toContain("The sign-in was cancelled.");
    backend.startAuthorization = () => new Promise(() => {});
    await fireEvent.click(screen.getByTestId("sign-in"));
    await screen.findByTestId("waiting-sign-in");
    expect(screen.queryByTestId("token-problem")).toBeNull();
  });

  it("copying with no token yet says there is none, in Rust's words", async () => {
    const backend = new FakeBackend();
    backend.copyToken = async () => {
      throw new BackendError({
        code: "refused",
        message: "There is no token to copy: Acme holds none yet. Sign in first (Sign in, or Test connection), then copy.",
      });
    };
    show(backend, "authorization_code");
    await waitFor(() => expect(screen.getByTestId("token-state").textContent).toBe("Needs sign-in"));
    const header = screen.getByTestId("copy-header") as HTMLButtonElement;
    expect(header.disabled).toBe(false);
    await fireEvent.click(header);
    expect((await screen.findByTestId("token-problem")).textContent).toContain("There is no token to copy");
  });

  it("shows a valid token masked, reveals it, and marks scopes not granted", async () => {
    const backend = new FakeBackend();
    backend.token = token(false);
    show(backend, "client_credentials");
    await waitFor(() => expect(screen.getByTestId("token-state").textContent).toMatch(/^Valid — expires in (59 m|1 h)/));
    expect(screen.getByTestId("token-missing").textContent).toBe("core.invoice.write");
    expect(screen.getByTestId("token-id-token").textContent).toContain("admin@acme.example");
    expect(screen.getByTestId("get-token").textContent?.trim(), "a token is held: it is shown, not got").toBe("Show token");
    await fireEvent.click(screen.getByTestId("get-token"));
    const value = await screen.findByTestId("token-value");
    expect(value.textContent).toBe("sbx_••••••••••••cdef");
    expect(screen.queryByTestId("get-token"), "nothing left to show").toBeNull();
    await fireEvent.click(screen.getByTestId("reveal-token"));
    expect(value.textContent).toBe("sbx_at_0123456789abcdef");
  });

  it("Get new token asks for a new one; Forget tokens clears the view", async () => {
    const backend = new FakeBackend();
    backend.token = token(false);
    show(backend, "client_credentials");
    await fireEvent.click(await screen.findByTestId("renew-token"));
    await waitFor(() => expect(backend.renewals).toBe(1));
    await fireEvent.click(screen.getByTestId("reveal-token"));
    expect(screen.getByTestId("token-value").textContent).toBe("sbx_at_0123456789abcdef-renewed-1");
    await fireEvent.click(screen.getByTestId("forget-tokens"));
    await waitFor(() => expect(screen.getByTestId("token-state").textContent).toBe("No token"));
    expect(screen.queryByTestId("token-value")).toBeNull();
  });

  it("Forget tokens says when the server could not revoke them", async () => {
    const backend = new FakeBackend();
    backend.token = token(false);
    backend.revocation = { outcome: "failed", message: "The revocation endpoint answered 503." };
    show(backend, "client_credentials");
    await fireEvent.click(await screen.findByTestId("forget-tokens"));
    await waitFor(() => expect(toastState.current?.text).toMatch(/^Tokens forgotten\. The server did not revoke/));
    expect(toastState.current?.text).toContain("answered 503");
  });

  it("a renewal in the background replaces the token on screen and its expiry", async () => {
    const backend = new FakeBackend();
    backend.token = token(false, 90);
    show(backend, "client_credentials");
    await waitFor(() => expect(screen.getByTestId("token-state").textContent).toMatch(/^Valid — expires in 1 m/));
    await fireEvent.click(screen.getByTestId("get-token"));
    await fireEvent.click(await screen.findByTestId("reveal-token"));
    expect(screen.getByTestId("token-value").textContent).toBe("sbx_at_0123456789abcdef");

    backend.token = { ...token(false, 3600), accessToken: "sbx_at_renewed" };
    backend.emitTokenRenewed("another-connection");
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.getByTestId("token-value").textContent, "another connection's renewal changes nothing").toBe(
      "sbx_at_0123456789abcdef",
    );
    backend.emitTokenRenewed("c1");
    await waitFor(() => expect(screen.getByTestId("token-value").textContent).toBe("sbx_at_renewed"));
    expect(screen.getByTestId("token-state").textContent).toMatch(/^Valid — expires in (59 m|1 h)/);
  });

  it("Refresh uses the refresh token of a signed-in connection", async () => {
    const backend = new FakeBackend();
    backend.token = token(true, 10);
    show(backend, "authorization_code");
    const refresh = (await screen.findByTestId("refresh-token")) as HTMLButtonElement;
    await waitFor(() => expect(refresh.disabled).toBe(false));
    await fireEvent.click(refresh);
    await waitFor(() => expect(backend.renewals).toBe(1));
  });

  it("copies the token as a header and says when the clipboard is cleared", async () => {
    const backend = new FakeBackend();
    backend.token = token(false);
    show(backend, "client_credentials");
    await fireEvent.click(screen.getByTestId("copy-header"));
    await waitFor(() => expect(backend.copiedTokens).toEqual([{ id: "c1", format: "authorization_header" }]));
    expect((screen.getByTestId("copy-curl") as HTMLButtonElement).disabled).toBe(true);
  });

  it("shows a device sign-in's code, page, QR code and time left, and completes on approval", async () => {
    const backend = new FakeBackend();
    show(backend, "device_code");
    await waitFor(() => expect(screen.getByTestId("token-state").textContent).toBe("Needs sign-in"));
    await fireEvent.click(screen.getByTestId("sign-in"));
    await waitFor(() => expect(screen.getByTestId("device-user-code").textContent).toBe("WDJB-MJHT"));
    expect(screen.getByTestId("device-uri").textContent).toBe("https://id.example.com/device");
    expect(screen.getByTestId("device-countdown").textContent?.trim()).toMatch(/^Expires in (10:00|9:5\d)$/);
    const qr = screen.getByTestId("device-qr") as HTMLImageElement;
    expect(qr.src.startsWith("data:image/svg+xml")).toBe(true);
    expect(qr.alt).toBe("QR code of https://id.example.com/device?user_code=WDJB-MJHT");
    expect(screen.getByTestId("device-waiting").textContent).toContain("every 5 s");
    await fireEvent.click(screen.getByTestId("open-device-page"));
    expect(backend.opened).toEqual(["https://id.example.com/device?user_code=WDJB-MJHT"]);
    await fireEvent.click(screen.getByTestId("copy-device-code"));
    await waitFor(() => expect(backend.copied).toContain("WDJB-MJHT"));
    backend.approveDevice(token(true));
    await waitFor(() => expect(screen.queryByTestId("device-code")).toBeNull());
    await waitFor(() => expect(screen.getByTestId("token-state").textContent).toMatch(/^Valid — expires in/));
    expect(screen.getByTestId("token-value").textContent).toContain("sbx_");
  });

  it("cancels a device sign-in and says so", async () => {
    const backend = new FakeBackend();
    show(backend, "device_code");
    await fireEvent.click(await screen.findByTestId("sign-in"));
    await screen.findByTestId("device-code");
    await fireEvent.click(screen.getByTestId("cancel-sign-in"));
    await waitFor(() => expect(screen.queryByTestId("device-code")).toBeNull());
    expect(screen.getByTestId("token-problem").textContent).toContain("cancelled");
  });
});
