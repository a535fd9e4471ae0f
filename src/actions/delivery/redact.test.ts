// Redaction of webhook URL secrets in any text: credentials, path tokens, query values, however encoded.
import { describe, expect, it } from "vitest";
import { redactSecrets, redactUrl, urlSecrets } from "./redact.js";

describe("redactSecrets", () => {
  it("hides a Discord token, user:pass@ and ?token= wherever they appear", () => {
    const url = "https://bob:hunter2pass@discord.com/api/webhooks/123456789/AbC-dEf_tok3n?token=q%2Fsecret";
    const text = `fetch ${url} failed; server said: no hook AbC-dEf_tok3n for bob (q/secret) hunter2pass`;
    const out = redactSecrets(text, url);
    for (const secret of ["AbC-dEf_tok3n", "hunter2pass", "q/secret", "q%2Fsecret", "123456789"])
      expect(out).not.toContain(secret);
    expect(out).toContain("https://…@discord.com/api/webhooks/…");
  });

  it("leaves short ids and API words alone, and text without secrets unchanged", () => {
    const url = "https://hooks.example/services/v2/T0/B0/longsecretvalue";
    expect(urlSecrets(url)).not.toContain("v2");
    expect(urlSecrets(url)).not.toContain("T0");
    expect(redactSecrets("HTTP 503: Service Unavailable", url)).toBe("HTTP 503: Service Unavailable");
  });

  it("shows a URL without its secrets", () => {
    expect(redactUrl("https://discord.com/api/webhooks/1/tok")).toBe("https://discord.com/api/webhooks/…");
    expect(redactUrl("not a url")).toBe("***");
  });
});
