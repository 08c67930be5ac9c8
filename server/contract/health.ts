/** GET /healthz: liveness and which database engine this server runs on. */
import { z } from 'zod';

export const HealthResponse = z.object({
  status: z.literal('ok'),
  database: z.enum(['pglite', 'postgresql']),
});
export type HealthResponse = z.infer<typeof HealthResponse>;
