// Config schema of one rule: which source, which lines, how often, per which key, which actions.
import * as z from "zod";
import { zDuration, zNameList, zPatternList } from "../core/schema.js";

/** Default of max_groups: distinct keys a grouped rule tracks before it forgets the least recently seen. */
export const DEFAULT_MAX_GROUPS = 10_000;

export const ruleSchema = z
  .strictObject({
    /** Source name(s) the rule reads. */
    source: zNameList,
    /** Pattern(s); a line matching any fires. No match: every line. */
    match: zPatternList.optional(),
    /** Lines matching any of these never fire. */
    exclude: zPatternList.optional(),
    /** Fire only when count matches fall within the window. */
    threshold: z.strictObject({ count: z.number().int().positive(), within: zDuration }).optional(),
    /** After firing, matches do not fire again for this long. */
    cooldown: zDuration.default(0),
    /** Field name(s) (named groups or parser fields): each distinct value has its own window, cooldown, silence. */
    group_by: zNameList.optional(),
    /** Distinct keys tracked at most (DEFAULT_MAX_GROUPS); past it the least recently seen is forgotten, counted. */
    max_groups: z.number().int().positive().optional(),
    /** Fire when no matching line came for this long (once per silence); recover when one comes. */
    absent: zDuration.pipe(z.number().positive()).optional(),
    /** Action name(s) to run. */
    actions: zNameList,
  })
  .superRefine((rule, ctx) => {
    if (rule.absent !== undefined && rule.threshold !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["absent"],
        message: "absent fires on silence, threshold on bursts: write two rules instead of one with both",
      });
    if (rule.absent !== undefined && rule.cooldown > 0)
      ctx.addIssue({
        code: "custom",
        path: ["cooldown"],
        message: "an absent rule fires once per silence already: cooldown does not apply to it",
      });
  });

export type RuleConfig = z.output<typeof ruleSchema>;
