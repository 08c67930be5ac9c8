/**
 * The rules a customer's details must meet (docs/domain.md §5 customer info), as pure functions so
 * that the server refuses what breaks them with a catalogue code and the tablet's forms can say so
 * before anything is queued. No zod here: these are checks, not shapes.
 *
 * - A mainland resident ID number (居民身份证号码, GB 11643-1999): 6-digit address code, 8-digit
 *   birth date (a real date, not before 1900 nor after today), 3-digit sequence, and a check
 *   character: the sum of the first 17 digits weighted 2^(17-i) mod 11, mapped through
 *   "10X98765432". The X (ten) is written upper case; a lower-case x is accepted and raised.
 * - A unified social credit code (统一社会信用代码, GB 32100-2015), a unit's tax id: 18 characters
 *   of the code's alphabet (digits and capitals without I, O, Z, S, V), the 3rd to 8th the
 *   administrative-division code (digits), and a check character: 31 minus the sum of the first 17
 *   values weighted 3^(i-1) mod 31, mod 31, as a character of the alphabet.
 * - Other identity documents (passport, Hong Kong/Macao and Taiwan travel permits, other) are
 *   checked for shape only.
 * - Names (a person's, a unit's, a contact's) are Chinese or Latin script, trimmed, 1 to 100
 *   characters; units' names may also carry digits and the punctuation of company names.
 */

export const PERSONAL_ID_TYPES = ['resident_id', 'passport', 'hk_macao_permit', 'taiwan_permit', 'other'] as const;
type PersonalIdType = (typeof PERSONAL_ID_TYPES)[number];

const RESIDENT_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const RESIDENT_ID_CHECK = '10X98765432';

/** The check character of the first 17 digits of a resident ID number. */
export function residentIdCheckChar(first17: string): string {
  if (!/^[0-9]{17}$/.test(first17)) throw new Error('assertion: 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * RESIDENT_ID_WEIGHTS[i]!;
  return RESIDENT_ID_CHECK[sum % 11]!;
}

/** A resident ID number as stored (trimmed, X upper case), or null when it is not a valid one as of `today`. */
export function normaliseResidentId(raw: string, today: Date): string | null {
  const id = raw.trim().toUpperCase();
  if (!/^[1-9][0-9]{16}[0-9X]$/.test(id)) return null;
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(year, month - 1, day));
  if (birth.getUTCFullYear() !== year || birth.getUTCMonth() !== month - 1 || birth.getUTCDate() !== day) return null;
  if (year < 1900 || birth.getTime() > today.getTime()) return null;
  return residentIdCheckChar(id.slice(0, 17)) === id[17] ? id : null;
}

/** The 31 characters of the unified social credit code, each worth its index. */
const TAX_ID_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const TAX_ID_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/** The check character of the first 17 characters of a unified social credit code. */
export function taxIdCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = TAX_ID_ALPHABET.indexOf(first17[i] ?? '');
    if (value < 0) throw new Error('assertion: characters of the code alphabet');
    sum += value * TAX_ID_WEIGHTS[i]!;
  }
  return TAX_ID_ALPHABET[(31 - (sum % 31)) % 31]!;
}

/** A unified social credit code as stored (trimmed, upper case), or null when it is not a valid one. */
export function normaliseTaxId(raw: string): string | null {
  const code = raw.trim().toUpperCase();
  if (!/^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$/.test(code)) return null;
  return taxIdCheckChar(code.slice(0, 17)) === code[17] ? code : null;
}

/** Shapes of the documents other than the resident ID card, checked for shape only. */
const ID_SHAPES: Record<Exclude<PersonalIdType, 'resident_id'>, RegExp> = {
  passport: /^[A-Z0-9]{5,20}$/,
  // 港澳居民来往内地通行证: H or M and 8 or 10 digits.
  hk_macao_permit: /^[HM][0-9]{8}([0-9]{2})?$/,
  // 台湾居民来往大陆通行证: 8 or 10 digits.
  taiwan_permit: /^[0-9]{8}([0-9]{2})?$/,
  other: /^[A-Z0-9][A-Z0-9 ()-]{0,38}[A-Z0-9)]$|^[A-Z0-9]$/,
};

/** A document number as stored, or null when it does not fit its type. */
export function normaliseIdNumber(type: PersonalIdType, raw: string, today: Date): string | null {
  if (type === 'resident_id') return normaliseResidentId(raw, today);
  const id = raw.trim().toUpperCase();
  return ID_SHAPES[type].test(id) ? id : null;
}

export const NAME_CHARS_MAX = 100;

/**
 * A name as stored (trimmed, runs of spaces made one), or null. Chinese (Han, with the middle dot
 * of transcribed names) or Latin letters, spaces, and `.'-`; a unit's name may also hold digits,
 * `&`, commas and brackets (full- or half-width), as company names do.
 */
export function normaliseName(raw: string, kind: 'person' | 'unit'): string | null {
  const name = raw.trim().replace(/ {2,}/g, ' ');
  const length = [...name].length;
  if (length < 1 || length > NAME_CHARS_MAX) return null;
  const person = /^[\p{Script=Han}\p{Script=Latin}·・. '-]+$/u;
  const unit = /^[\p{Script=Han}\p{Script=Latin}0-9·・. '&,，()（）-]+$/u;
  if (!(kind === 'unit' ? unit : person).test(name)) return null;
  // At least one letter: a name is not punctuation.
  return /[\p{Script=Han}\p{Script=Latin}]/u.test(name) ? name : null;
}

/** A telephone number as stored (trimmed), or null: digits with an optional leading + and spaces or dashes between, 5 to 20 characters. */
export function normalisePhone(raw: string): string | null {
  const phone = raw.trim();
  return phone.length <= 20 && /^\+?[0-9][0-9 -]{3,18}[0-9]$/.test(phone) ? phone : null;
}

/** Free text (an address, a letter's reference) as stored, or null: trimmed, 1 to `max` characters, no control characters. */
export function normaliseText(raw: string, max: number): string | null {
  const text = raw.trim();
  const length = [...text].length;
  // eslint-disable-next-line no-control-regex
  if (length < 1 || length > max || /[\u0000-\u001f\u007f]/.test(text)) return null;
  return text;
}
