import { defineConfig } from "vitest/config";

// Unit tests of the UIs' state logic sit beside the code as *.test.ts(x).
export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  test: {
    include: ["shared/**/*.test.ts", "widget/**/*.test.ts", "widget/**/*.test.tsx",
              "console/**/*.test.ts", "console/**/*.test.tsx", "admin/**/*.test.ts", "admin/**/*.test.tsx"],
    environment: "happy-dom",
  },
});
