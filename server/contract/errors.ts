/**
 * The error body every API failure answers with: a stable machine code the app maps to a message
 * in the user's language, plus an English message for logs and operators. Never a stack.
 * DEVICE_CLOCK_SKEW also carries the server's time, which a device with a wrong clock signs with.
 */
import { z } from 'zod';

export const ApiErrorBody = z.object({
  error: z.object({
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
    message: z.string(),
    serverTime: z.iso.datetime().optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;
