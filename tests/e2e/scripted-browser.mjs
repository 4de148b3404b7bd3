#!/usr/bin/env node
// A scripted stand-in for the system browser, for the end-to-end tests: the app runs it as
// $BROWSER with the authorization URL. It walks the sandbox's sign-in page as a person would
// (Approve), then follows the redirect back to the app's loopback listener; given the device
// sign-in's verification page, it approves the code filled in.
import { appendFileSync } from "node:fs";

const [url] = process.argv.slice(2);
if (!url) {
  console.error("usage: scripted-browser.mjs URL");
  process.exit(2);
}
// What it was asked to open (the address without its query), for a test to see that the app
// went through the system browser.
if (process.env.CONNMGR_E2E_OPENED) appendFileSync(process.env.CONNMGR_E2E_OPENED, `${url.split("?")[0]}\n`);
// A device sign-in's verification page (RFC 8628): the code is filled in from the address;
// Approve posts it back. Nothing redirects to the app: it is polling meanwhile.
if (new URL(url).pathname === "/oauth2/device") {
  const page = await (await fetch(url)).text();
  const userCode = /id="user_code" name="user_code" value="([^"]*)"/.exec(page)?.[1];
  if (!userCode) throw new Error("the verification page has no code filled in");
  const done = await fetch(url.split("?")[0], {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ user_code: userCode, decision: "approve" }),
  });
  if (!(await done.text()).includes("Device approved")) throw new Error("the approval was not taken");
  process.exit(0);
}
let resp = await fetch(url, { redirect: "manual" });
let location = resp.headers.get("location");
if (!location) {
  const page = await resp.text();
  const request = /name="request" value="([^"]+)"/.exec(page)?.[1];
  if (!request) throw new Error("the sign-in page has no request id");
  const base = url.split("/oauth2/")[0];
  resp = await fetch(`${base}/oauth2/authorizations/decide`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ request, decision: "approve" }),
    redirect: "manual",
  });
  location = resp.headers.get("location");
}
if (!location) throw new Error("no redirect back to the app");
await fetch(location);
