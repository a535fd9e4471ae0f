import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs build script without type declarations
import { assembleScanKernel } from "../../../../scripts/build-wasm.mjs";
import { SCAN_WASM_BASE64 } from "./scan-wasm.js";

describe("scan-wasm.ts", () => {
  it("is scan.wat assembled (run `npm run wasm` after editing scan.wat)", async () => {
    const bytes = (await assembleScanKernel()) as Buffer;
    expect(SCAN_WASM_BASE64).toBe(bytes.toString("base64"));
  });
});
