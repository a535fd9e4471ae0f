// Discord messages and config: wait=true, allowed mentions, the mention prefix, blank lines, usernames.
import { describe, expect, it } from "vitest";
import { allowedMentions, discordAction, discordEncoder, executeUrl } from "./index.js";
import { lineEvent } from "../delivery/testing/helpers.js";

describe("discord messages", () => {
  it("asks Discord to wait for the saved message, keeping other query parameters", () => {
    expect(executeUrl("https://discord.com/api/webhooks/1/t?thread_id=9")).toBe(
      "https://discord.com/api/webhooks/1/t?thread_id=9&wait=true",
    );
  });

  it("lets only the configured mention ping", () => {
    expect(allowedMentions(undefined)).toEqual({ parse: [] });
    expect(allowedMentions("<@123> <@&456>")).toEqual({ parse: [], users: ["123"], roles: ["456"] });
    expect(allowedMentions("@here")).toEqual({ parse: ["everyone"] });
  });

  it("puts the mention first in each message, within the limit", () => {
    const config = discordAction.schema.parse({ url: "https://discord.com/api/webhooks/1/t", mention: "<@&456>" });
    const encoder = discordEncoder(config);
    const parts = encoder.parts(lineEvent("x".repeat(3000)));
    const bodies = parts.map(
      (p) => JSON.parse(encoder.request([p.value]).body) as { content: string; allowed_mentions: unknown },
    );
    for (const body of bodies) {
      expect(body.content.startsWith("<@&456>\n")).toBe(true);
      expect(body.content.length).toBeLessThanOrEqual(2000);
      expect(body.allowed_mentions).toEqual({ parse: [], roles: ["456"] });
    }
    expect(bodies.map((b) => b.content.slice(8)).join("")).toBe("x".repeat(3000));
  });

  it("never sends an empty message for a blank line", () => {
    const encoder = discordEncoder(discordAction.schema.parse({ url: "https://discord.com/api/webhooks/1/t" }));
    const [part] = encoder.parts(lineEvent(""));
    expect((JSON.parse(encoder.request([part?.value as string]).body) as { content: string }).content).toBe("\u200b");
  });
});

describe("discord config", () => {
  it("refuses a username Discord would reject, at config time", () => {
    expect(
      discordAction.schema.safeParse({ url: "https://discord.com/api/webhooks/1/t", username: "Discord Bot" }).success,
    ).toBe(false);
    expect(
      discordAction.schema.safeParse({ url: "https://discord.com/api/webhooks/1/t", username: "logward" }).success,
    ).toBe(true);
  });
});
