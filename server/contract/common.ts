/** Field shapes shared by the API's requests and responses. Money is integer fen. */
import { z } from 'zod';

/** A card number: the 20 BCD digits of the ASN (docs/card-protocol.md §5.1). */
export const CardNo = z.string().regex(/^[0-9]{20}$/);
/** 4 bytes as 8 hex digits: MAC1, MAC2, TAC, card random. */
export const Hex4 = z.string().regex(/^[0-9A-Fa-f]{8}$/);
/** The 6-byte terminal id as 12 hex digits. */
export const TerminalId = z.string().regex(/^[0-9A-Fa-f]{12}$/);
/** An amount in fen: positive and within the card's 4-byte field. */
export const AmountFen = z.number().int().positive().max(4_294_967_295);
export const BalanceFen = z.number().int().min(0).max(4_294_967_295);
/** A signed amount as reported by the ledger (a BANK account may be below zero). */
export const LedgerFen = z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
export const Counter16 = z.number().int().min(0).max(65_535);
export const Byte = z.number().int().min(0).max(255);
/** Ids made on a device before the first send and reused on every retry. */
export const OperationId = z.uuid();
/** Database ids travel as decimal strings (they are bigint on the server). */
export const EntityId = z.string().regex(/^[1-9][0-9]{0,17}$/);
export const DeviceId = z.string().regex(/^[a-z0-9-]{3,64}$/);

export const Role = z.enum(['kiosk', 'tablet', 'outlet_operator', 'outlet_supervisor', 'center_operator', 'administrator']);
export type Role = z.infer<typeof Role>;

export const AccountCode = z.enum([
  'QUOTA',
  'RESERVE',
  'PURSE',
  'CASH',
  'CHEQUE',
  'BANK',
  'FEE_INCOME',
  'SALES',
  'REFUND_PAYABLE',
  'CASH_DIFFERENCE',
]);
