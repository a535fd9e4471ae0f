// Unit tests of subject templates: validation, safe tokens, and the stream subjects a template implies.
import { describe, expect, it } from "vitest";
import { checkTemplate, renderSubject, streamSubjects, subjectToken } from "./subject.js";

describe("subject templates", () => {
  it("renders placeholders as single safe tokens", () => {
    expect(
      renderSubject("logs.{host}.{source}.{rule}", { host: "web1.example.com", source: "my app", rule: "a*b>c" }),
    ).toBe("logs.web1_example_com.my_app.a_b_c");
    expect(subjectToken("")).toBe("_");
    expect(subjectToken("ok-Name_1")).toBe("ok-Name_1");
  });

  it("derives the stream subjects from the fixed prefix", () => {
    expect(streamSubjects("logs.{source}")).toEqual(["logs.>"]);
    expect(streamSubjects("a.b.{host}.x.{source}")).toEqual(["a.b.>"]);
    expect(streamSubjects("logs.all")).toEqual(["logs.all"]);
    expect(streamSubjects("{source}.logs")).toBeUndefined();
    expect(streamSubjects("logs-{source}")).toBeUndefined();
  });

  it("reports unusable templates", () => {
    expect(checkTemplate("logs.{source}")).toBeUndefined();
    expect(checkTemplate("logs.{file}")).toMatch(/unknown placeholder \{file\}/);
    expect(checkTemplate("logs.>")).toMatch(/cannot contain/);
    expect(checkTemplate("logs..{source}")).toMatch(/empty tokens/);
    expect(checkTemplate("logs.{source")).toMatch(/unbalanced/);
    expect(checkTemplate("logs {source}")).toMatch(/cannot contain/);
  });
});
