import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it } from "vitest";
import type { ConnectionDraft, Validation } from "../backend";
import { FakeBackend, okVerdict } from "../test/fake-backend";
import WithBackend from "../test/WithBackend.svelte";
import ConnectionForm from "./ConnectionForm.svelte";

/** Renders a new connection's form; returns the drafts it asked Rust to judge. */
function newForm(validate: (d: ConnectionDraft) => Validation = okVerdict) {
  const judged: ConnectionDraft[] = [];
  const backend = new FakeBackend({
    validate: (d) => {
      judged.push(structuredClone(d));
      return validate(d);
    },
  });
  render(WithBackend, {
    props: { backend, component: ConnectionForm, innerProps: { connection: null, onsaved: () => {}, oncancel: () => {} } },
  });
  return { backend, judged };
}

/** Rust's verdict on a typed redirect port, as the core gives it (tested there). */
function portVerdict(d: ConnectionDraft): Validation {
  const v = okVerdict(d);
  const typed = d.redirectPortText?.trim() ?? "";
  if (/^\d+$/.test(typed) && Number(typed) <= 65535) v.normalized = { ...v.normalized, redirectPort: Number(typed) };
  else if (typed !== "") v.errors.push({ field: "redirectPort", message: `“${typed}” is not a port: enter a number from 1024 to 65535.` });
  return v;
}

describe("ConnectionForm", () => {
  it("sends the redirect port as typed, and shows Rust's error at the field instead of a random port", async () => {
    const { judged } = newForm(portVerdict);
    await fireEvent.click(screen.getByLabelText(/Authorization code/));
    const port = screen.getByLabelText("Redirect port");
    await fireEvent.input(port, { target: { value: "80a" } });
    await fireEvent.blur(port);
    await waitFor(() => expect(judged.at(-1)?.redirectPortText).toBe("80a"));
    expect((await screen.findByTestId("error-redirectPort")).textContent).toContain("“80a” is not a port");
    // The redirect URI does not pretend a random port will be used.
    expect(screen.getByTestId("redirect-port-problem").textContent).toMatch(/not a\s+port the app can listen on/);
    expect(screen.getByTestId("save").hasAttribute("disabled") || screen.getByTestId("save").getAttribute("aria-disabled") === "true").toBe(true);

    await fireEvent.input(port, { target: { value: "8765" } });
    await waitFor(() => expect(screen.getByTestId("redirect-uri").textContent).toBe("http://127.0.0.1:8765/callback"));
    expect(screen.queryByTestId("error-redirectPort")).toBeNull();
  });

  it("offers Generic OAuth 2.0 when another server's address is typed as Coupa's", async () => {
    const notCoupa = (d: ConnectionDraft): Validation => {
      const v = okVerdict(d);
      if (d.settings.provider === "coupa" && d.settings.subdomain.includes("microsoftonline"))
        v.errors.push({
          field: "subdomain",
          message: "login.microsoftonline.com is not a Coupa address. For another OAuth 2.0 server, use Generic OAuth 2.0.",
          action: "use_generic",
        });
      return v;
    };
    newForm(notCoupa);
    const subdomain = screen.getByLabelText(/URL subdomain/);
    await fireEvent.input(subdomain, { target: { value: "https://login.microsoftonline.com/acme/v2.0" } });
    await fireEvent.blur(subdomain);
    expect((await screen.findByTestId("error-subdomain")).textContent).toContain("is not a Coupa address");
    // The field says what is wrong, and is tied to the message for a screen reader.
    expect(subdomain.getAttribute("aria-invalid")).toBe("true");
    expect(subdomain.getAttribute("aria-describedby")).toContain("subdomain-error");
    await fireEvent.click(screen.getByTestId("use-generic"));
    await waitFor(() => expect((screen.getByLabelText(/^Provider/) as HTMLSelectElement).value).toBe("generic"));
    expect((screen.getByLabelText("Issuer") as HTMLInputElement).value).toBe("https://login.microsoftonline.com");
    expect(screen.queryByLabelText(/URL subdomain/)).toBeNull();
  });

  it("ties each field's help to it and says which fields are required", async () => {
    newForm();
    const name = screen.getByLabelText(/Name your connection/);
    expect(name.getAttribute("aria-required")).toBe("true");
    expect(name.getAttribute("aria-describedby")).toBe("name-help");
    expect(document.getElementById("name-help")?.textContent).toContain("A clear, distinct name");
    expect(name.hasAttribute("aria-invalid")).toBe(false);
  });

  it("shows each domain chip as Rust reads it, and a bad one marked with its own message", async () => {
    // Rust's reading (tested there): a URL is kept as its host; "com" is too broad.
    const readDomains = (d: ConnectionDraft): Validation => {
      const v = okVerdict(d);
      v.domains = d.settings.validDomains.map((raw) =>
        raw === "com"
          ? { typed: raw, host: null, problem: "“com” is too broad: give a domain name with a dot." }
          : { typed: raw, host: raw.replace(/^https?:\/\//, "").replace(/\/.*$/, "").toLowerCase(), problem: null },
      );
      for (const c of v.domains) if (c.problem) v.errors.push({ field: "validDomains", message: c.problem });
      return v;
    };
    newForm(readDomains);
    const box = document.getElementById("validDomains") as HTMLInputElement;
    // The Coupa default chip, then two typed ones.
    await fireEvent.input(box, { target: { value: "http://Evil.com/path com" } });
    await fireEvent.blur(box);
    await waitFor(() => expect(screen.getAllByTestId("chip").map((c) => c.querySelector(".mono")?.textContent)).toEqual(["coupahost.com", "evil.com", "com"]));
    const chips = screen.getAllByTestId("chip");
    expect(chips[1]?.getAttribute("aria-invalid")).toBeNull();
    expect(chips[2]?.getAttribute("aria-invalid")).toBe("true");
    const errors = screen.getAllByTestId("chip-error");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.textContent).toContain("“com” is too broad");
    expect(chips[2]?.getAttribute("aria-describedby")).toBe(errors[0]?.id);
    // The message is under its chip, not repeated under the field.
    expect(screen.queryByTestId("error-validDomains")).toBeNull();
  });

  it("keeps a long name whole, for Rust to say how long it may be", async () => {
    newForm();
    const name = screen.getByLabelText(/Name your connection/) as HTMLInputElement;
    // No limit of the field's own that could differ from the one the message states.
    expect(name.hasAttribute("maxlength")).toBe(false);
  });
});
