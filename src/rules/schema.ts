// Config schema of one rule: which source, which lines, how often, which actions.
import * as z from "zod";
import { zDuration, zNameList, zPatternList } from "../core/schema.js";

export const ruleSchema = z.strictObject({
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
  /** Action name(s) to run. */
  actions: zNameList,
});

export type RuleConfig = z.output<typeof ruleSchema>;
