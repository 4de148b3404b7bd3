import js from "@eslint/js";
import svelte from "eslint-plugin-svelte";
import globals from "globals";
import ts from "typescript-eslint";

export default ts.config(
  { ignores: ["dist/", "tests/bench/bare-app/dist/", "target/", "node_modules/", "tests/artifacts/", "ui/src/backend/bindings.ts"] },
  js.configs.recommended,
  ...ts.configs.strict,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ["**/*.svelte", "**/*.svelte.ts"],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
  {
    files: ["tests/**/*.mjs", "scripts/**/*.mjs", "*.js"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Only the backend module talks to Tauri; everything else uses the typed Backend interface
    // so that component tests can hand it a fake.
    files: ["ui/src/**/*.ts", "ui/src/**/*.svelte"],
    ignores: ["ui/src/backend/**", "ui/src/main.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@tauri-apps/*"], message: "Use the Backend interface (ui/src/backend)." },
            { group: ["**/backend/bindings", "**/backend/tauri"], message: "Use the Backend interface." },
          ],
        },
      ],
    },
  },
);
