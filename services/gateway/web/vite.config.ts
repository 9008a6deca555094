import preact from "@preact/preset-vite";
import { defineConfig } from "vite";

// The bundle is committed inside the gateway package (served at /); `make web-check`
// rebuilds it and fails when it is stale.
export default defineConfig({
  plugins: [preact()],
  base: "/",
  build: {
    outDir: "../src/dlhub_gateway/http/webapp",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
  },
  server: { proxy: { "/api": "http://127.0.0.1:8000", "/v2": "http://127.0.0.1:8000" } },
});
