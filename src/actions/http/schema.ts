// The http action's config schema, apart from its implementation so a config is validated without loading it.
import * as z from "zod";
import { deliverySchemaShape } from "../delivery/schema.js";
import { checkTemplate } from "./template.js";

export const httpSchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  method: z.enum(["POST", "PUT", "PATCH"]).default("POST"),
  headers: z.record(z.string().min(1), z.string()).default({}),
  /**
   * A body with {{events}} (JSON array), {{message}} (text, JSON-escaped), {{count}}, and the first event's {{rule}},
   * {{source}}, {{kind}} (match, threshold, absence, traffic), {{state}} (firing, recovered); default {"events":[...]}.
   */
  body_template: z
    .string()
    .min(1)
    .superRefine((template, ctx) => {
      const problem = checkTemplate(template);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .optional(),
  ...deliverySchemaShape,
});

export type HttpConfig = z.output<typeof httpSchema>;
