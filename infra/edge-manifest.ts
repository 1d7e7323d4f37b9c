import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { needSchema } from './constructs/onramp-function.ts';
import { fromRoot } from './paths.ts';

/** The functions that face the outside world; the local HTTP server reads the same file. */
export const edgeManifestFile = 'functions/handlers/edge.functions.json';

/** `GET /links/{token}`: an HTTP API route key, as API Gateway and the manifest write it. */
const routeSchema = z.string().regex(/^(GET|POST|PUT|PATCH|DELETE) (\/[\w.-]+|\/\{\w+\})+$/, {
  error: (issue) =>
    `route "${String(issue.input)}" must be a method and a path, such as "GET /links/{token}"`,
});

const common = {
  /** The construct id of its function (`IntegrationApi`), so the logical ids stay stable. */
  id: z.string().regex(/^[A-Z]\w*$/),
  handler: z.string().regex(/^[\w-]+$/),
  needs: z.array(needSchema),
};

const routedSchema = z.object({ ...common, routes: z.array(routeSchema).min(1) }).strict();
/** Invoked by an SES receipt rule's Lambda action, not by the HTTP API. */
const sesReceiptSchema = z.object({ ...common, trigger: z.literal('ses-receipt') }).strict();

const manifestSchema = z
  .object({ functions: z.array(z.union([routedSchema, sesReceiptSchema])) })
  .superRefine(({ functions }, context) => {
    const seen = new Map<string, string>();
    for (const fn of functions) {
      for (const route of 'routes' in fn ? fn.routes : []) {
        const other = seen.get(route);
        if (other)
          context.addIssue({ code: 'custom', message: `${route} is routed to both ${other} and ${fn.id}` });
        seen.set(route, fn.id);
      }
    }
    if (functions.filter((fn) => 'trigger' in fn).length > 1) {
      context.addIssue({
        code: 'custom',
        message: 'only one function can receive mail (trigger "ses-receipt")',
      });
    }
  });

export type EdgeManifest = z.infer<typeof manifestSchema>;
export type EdgeFunction = EdgeManifest['functions'][number];
export type RoutedFunction = z.infer<typeof routedSchema>;
export type MailReceivingFunction = z.infer<typeof sesReceiptSchema>;

/** Reads and validates the edge manifest; a malformed one fails synthesis with zod's report. */
export function readEdgeManifest(): EdgeManifest {
  return manifestSchema.parse(JSON.parse(readFileSync(fromRoot(edgeManifestFile), 'utf8')));
}

export const isRouted = (fn: EdgeFunction): fn is RoutedFunction => 'routes' in fn;
export const receivesMail = (fn: EdgeFunction): fn is MailReceivingFunction => 'trigger' in fn;
