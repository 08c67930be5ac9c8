/**
 * GET /api/v1/device/station (a kiosk or tablet, signed): the unit the device stands at, as its
 * customer's receipt prints it: the name, the address and the service hotline (the nearest one
 * set up the organisation tree). The app keeps the last answer so a receipt prints offline too.
 * Set at the console with `npm run admin -- station-info` (docs/operations.md "Receipts").
 */
import { z } from 'zod';

/** A service hotline as printed: digits with spaces or dashes, optionally "+" first (95504, 400-888-8888). */
export const Hotline = z.string().regex(/^\+?[0-9][0-9 -]{2,19}$/);
/** One line of a postal address, as printed on a receipt. */
export const StationAddress = z
  .string()
  .min(1)
  .max(200)
  .refine((text) => text.trim() === text && !/\p{Cc}/u.test(text), 'one line, no leading or trailing spaces');

export const StationInfo = z.object({
  code: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  addressZh: z.string().nullable(),
  addressEn: z.string().nullable(),
  hotline: z.string().nullable(),
});
export type StationInfo = z.infer<typeof StationInfo>;
