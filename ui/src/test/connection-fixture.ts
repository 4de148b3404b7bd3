// Saved connections for component tests, as Rust would send them.
import type { Connection, ConnectionSummary, TokenView } from "../backend";
import { newSettings } from "../connections/form";

let seq = 0;

export interface Shape {
  name: string;
  host?: string;
  scopes?: string[];
  grant?: "client_credentials" | "authorization_code";
  provider?: "coupa" | "generic";
  testedAt?: string | null;
  testOk?: boolean;
  usedAt?: string | null;
  tokenExpiresAt?: string | null;
  needsSecret?: boolean;
}

export function makeConnection(shape: Shape): Connection {
  const host = shape.host ?? "acme.coupahost.com";
  const id = `c-${++seq}`;
  return {
    id,
    settings: {
      ...newSettings(),
      name: shape.name,
      provider: shape.provider ?? "coupa",
      subdomain: host,
      clientId: "client",
      grantType: shape.grant ?? "client_credentials",
      scopes: shape.scopes ?? ["core.user.read"],
    },
    endpoints: {
      instanceUrl: `https://${host}`,
      authorizationUrl: null,
      tokenUrl: `https://${host}/oauth2/token`,
      apiBaseUrl: `https://${host}`,
      issuer: `https://${host}`,
      revocationUrl: null,
      deviceAuthorizationUrl: null,
    },
    hasClientSecret: !shape.needsSecret,
    createdAt: "2026-11-01T00:00:00.000Z",
    updatedAt: "2026-11-01T00:00:00.000Z",
    lastTest: shape.testedAt ? { ok: shape.testOk ?? true, at: shape.testedAt, summary: "All steps passed" } : null,
    lastUsed: shape.usedAt ?? null,
    token:
      shape.tokenExpiresAt === undefined
        ? null
        : { obtainedAt: "2026-11-24T09:00:00.000Z", expiresAt: shape.tokenExpiresAt, hasRefreshToken: false },
    needsClientSecret: shape.needsSecret ?? false,
  };
}

/** The list's view of a connection, as Rust's `Connection::summary` makes it. */
export function summaryOf(c: Connection): ConnectionSummary {
  const e = c.endpoints;
  let host = "";
  try {
    host = new URL(e.instanceUrl ?? e.apiBaseUrl ?? e.tokenUrl).host;
  } catch {
    // Left empty, as Rust leaves it.
  }
  return {
    id: c.id,
    name: c.settings.name,
    provider: c.settings.provider,
    host,
    grantType: c.settings.grantType,
    scopeCount: c.settings.scopes.length,
    lastTest: c.lastTest ? { ...c.lastTest } : null,
    lastUsed: c.lastUsed,
    token: c.token ? { ...c.token } : null,
    needsClientSecret: c.needsClientSecret,
    certificateExpiresAt:
      c.settings.clientAuth === "private_key_jwt" ? (c.settings.assertion.key?.certificate?.notAfter ?? null) : null,
  };
}

/** A connection as the list receives it. */
export function makeSummary(shape: Shape): ConnectionSummary {
  return summaryOf(makeConnection(shape));
}

/** A token as getToken returns it, valid for `seconds`. */
export function makeToken(accessToken: string, seconds = 3600, grantedScopes: string[] = []): TokenView {
  return {
    accessToken,
    info: {
      tokenType: "Bearer",
      obtainedAt: new Date().toISOString(),
      expiresAt: new Date(Date.now() + seconds * 1000).toISOString(),
      grantedScopes,
      missingScopes: [],
      hasRefreshToken: false,
      expiryFromJwt: false,
      notes: [],
      jwt: null,
      idToken: null,
    },
  };
}
