/**
 * Status-word catalogue: the SW1 SW2 values of ISO 7816-4 §5.6 (tables 5 and 6) and the PBOC /
 * Sinopec fuel-card ones (JR/T 0025, docs/card-protocol.md §6), each with its meaning in
 * English and Chinese, and `describeSw` that also reads the counted patterns (61xx bytes available,
 * 6Cxx exact length, 63Cx tries left). `SW` names the fixed values with ISO's own wording so that
 * code reads `SW.SECURITY_STATUS_NOT_SATISFIED`, not 0x6982. Texts here are for logs and traces;
 * the app's message catalogue decides what a customer reads.
 */

/** Named status words. ISO 7816-4 §5.6 unless marked PBOC (JR/T 0025) or Sinopec. */
export const SW = {
  NO_ERROR: 0x9000,
  // ISO 7816-4 table 6: warnings
  WARNING_NO_INFORMATION: 0x6200,
  PART_OF_RETURNED_DATA_MAY_BE_CORRUPTED: 0x6281,
  END_OF_FILE_REACHED_BEFORE_READING_NE_BYTES: 0x6282,
  SELECTED_FILE_DEACTIVATED: 0x6283,
  FILE_CONTROL_INFORMATION_NOT_FORMATTED: 0x6284,
  WARNING_NON_VOLATILE_MEMORY_CHANGED: 0x6300,
  FILE_FILLED_UP_BY_LAST_WRITE: 0x6381,
  // ISO 7816-4 table 6: execution errors
  EXECUTION_ERROR: 0x6400,
  MEMORY_FAILURE: 0x6581,
  SECURITY_ERROR: 0x6600,
  // ISO 7816-4 table 6: checking errors
  WRONG_LENGTH: 0x6700,
  FUNCTION_IN_CLA_NOT_SUPPORTED: 0x6800,
  LOGICAL_CHANNEL_NOT_SUPPORTED: 0x6881,
  SECURE_MESSAGING_NOT_SUPPORTED: 0x6882,
  COMMAND_NOT_ALLOWED: 0x6900,
  COMMAND_INCOMPATIBLE_WITH_FILE_STRUCTURE: 0x6981,
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  AUTHENTICATION_METHOD_BLOCKED: 0x6983,
  REFERENCE_DATA_NOT_USABLE: 0x6984,
  CONDITIONS_OF_USE_NOT_SATISFIED: 0x6985,
  COMMAND_NOT_ALLOWED_NO_CURRENT_EF: 0x6986,
  EXPECTED_SM_DATA_OBJECTS_MISSING: 0x6987,
  INCORRECT_SM_DATA_OBJECTS: 0x6988,
  WRONG_PARAMETERS_P1_P2_NO_INFORMATION: 0x6a00,
  INCORRECT_PARAMETERS_IN_DATA_FIELD: 0x6a80,
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  FILE_OR_APPLICATION_NOT_FOUND: 0x6a82,
  RECORD_NOT_FOUND: 0x6a83,
  NOT_ENOUGH_MEMORY_SPACE_IN_FILE: 0x6a84,
  NC_INCONSISTENT_WITH_TLV_STRUCTURE: 0x6a85,
  INCORRECT_PARAMETERS_P1_P2: 0x6a86,
  NC_INCONSISTENT_WITH_P1_P2: 0x6a87,
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
  WRONG_PARAMETERS_P1_P2: 0x6b00,
  INSTRUCTION_CODE_NOT_SUPPORTED_OR_INVALID: 0x6d00,
  CLASS_NOT_SUPPORTED: 0x6e00,
  NO_PRECISE_DIAGNOSIS: 0x6f00,
  // PBOC / Sinopec (docs/card-protocol.md §6)
  MAC_INVALID: 0x9302,
  APPLICATION_PERMANENTLY_LOCKED: 0x9303,
  INSUFFICIENT_BALANCE: 0x9401,
  KEY_INDEX_NOT_SUPPORTED: 0x9403,
  REQUIRED_MAC_UNAVAILABLE: 0x9406,
  APPLICATION_LOCKED: 0x9407,
  PURSE_GREY_LOCKED: 0x9408,
} as const;

/** SW1 of the counted patterns (ISO 7816-4 §5.6, ISO 7816-3 §10.3.3). */
export const SW1 = {
  RESPONSE_BYTES_STILL_AVAILABLE: 0x61, // 61xx
  WRONG_LE_FIELD: 0x6c, // 6Cxx
  WARNING_NON_VOLATILE_MEMORY_CHANGED: 0x63, // 63Cx: counter x
} as const;

export type SwCategory = 'success' | 'warning' | 'error';

export interface SwDescription {
  sw: number;
  /** Four hex digits, e.g. "6A82". */
  hex: string;
  category: SwCategory;
  en: string;
  zh: string;
  /** 63Cx: tries left before the PIN blocks. */
  triesLeft?: number;
  /** 61xx: response bytes available (00 means 256). 6Cxx: the exact Le to use. */
  length?: number;
  /**
   * The meaning on the PBOC / Sinopec fuel card (docs/card-protocol.md §6), as ccid/fuelcard
   * words it in traces and errors; only for the words that card answers.
   */
  fuelCard?: string;
}

/** ISO's meaning in English and Chinese, then the fuel card's own wording where the fuel-card layer has one. */
type Entry = readonly [en: string, zh: string, fuelCard?: string];

const EXACT: ReadonlyMap<number, Entry> = new Map<number, Entry>([
  [SW.NO_ERROR, ['Normal processing', '成功', 'OK']],
  [SW.WARNING_NO_INFORMATION, ['Warning: state of non-volatile memory unchanged', '警告：非易失存储器未改变']],
  [SW.PART_OF_RETURNED_DATA_MAY_BE_CORRUPTED, ['Part of returned data may be corrupted', '返回数据可能有误']],
  [SW.END_OF_FILE_REACHED_BEFORE_READING_NE_BYTES, ['End of file reached before reading Ne bytes', '读到文件尾，数据不足 Le 字节']],
  [SW.SELECTED_FILE_DEACTIVATED, ['Selected file deactivated', '所选文件已失效']],
  [SW.FILE_CONTROL_INFORMATION_NOT_FORMATTED, ['File control information not formatted', '文件控制信息格式错误']],
  [SW.WARNING_NON_VOLATILE_MEMORY_CHANGED, ['Warning: state of non-volatile memory changed', '警告：非易失存储器已改变']],
  [SW.FILE_FILLED_UP_BY_LAST_WRITE, ['File filled up by the last write', '文件已被最后一次写入填满']],
  [SW.EXECUTION_ERROR, ['Execution error, memory unchanged', '执行出错，存储器未改变']],
  [SW.MEMORY_FAILURE, ['Memory failure', '存储器故障', 'memory failure']],
  [SW.SECURITY_ERROR, ['Security-related error', '安全相关错误']],
  [SW.WRONG_LENGTH, ['Wrong length', '长度错误', 'wrong length']],
  [SW.FUNCTION_IN_CLA_NOT_SUPPORTED, ['Functions in CLA not supported', '不支持 CLA 中的功能']],
  [SW.LOGICAL_CHANNEL_NOT_SUPPORTED, ['Logical channel not supported', '不支持逻辑通道']],
  [SW.SECURE_MESSAGING_NOT_SUPPORTED, ['Secure messaging not supported', '不支持安全报文']],
  [SW.COMMAND_NOT_ALLOWED, ['Command not allowed', '不允许的命令']],
  [SW.COMMAND_INCOMPATIBLE_WITH_FILE_STRUCTURE, ['Command incompatible with file structure', '命令与文件结构不相容']],
  [
    SW.SECURITY_STATUS_NOT_SATISFIED,
    [
      'Security status not satisfied (PIN not verified)',
      '安全状态不满足（未验证 PIN）',
      'security status not satisfied (PIN not verified)',
    ],
  ],
  [SW.AUTHENTICATION_METHOD_BLOCKED, ['Authentication method blocked (PIN blocked)', '认证方法锁定（PIN 已锁）', 'PIN blocked']],
  [SW.REFERENCE_DATA_NOT_USABLE, ['Reference data not usable', '引用数据无效']],
  [SW.CONDITIONS_OF_USE_NOT_SATISFIED, ['Conditions of use not satisfied', '使用条件不满足', 'conditions of use not satisfied']],
  [SW.COMMAND_NOT_ALLOWED_NO_CURRENT_EF, ['Command not allowed (no current EF)', '不允许的命令（无当前 EF）']],
  [SW.EXPECTED_SM_DATA_OBJECTS_MISSING, ['Expected secure messaging data objects missing', '安全报文数据对象缺失']],
  [SW.INCORRECT_SM_DATA_OBJECTS, ['Incorrect secure messaging data objects', '安全报文数据对象不正确']],
  [SW.WRONG_PARAMETERS_P1_P2_NO_INFORMATION, ['Wrong parameters P1-P2', '参数 P1 P2 错误']],
  [SW.INCORRECT_PARAMETERS_IN_DATA_FIELD, ['Incorrect parameters in the data field', '数据域参数不正确']],
  [
    SW.FUNCTION_NOT_SUPPORTED,
    ['Function not supported (application blocked)', '功能不支持（应用已锁定）', 'function not supported / application blocked'],
  ],
  [SW.FILE_OR_APPLICATION_NOT_FOUND, ['File or application not found', '未找到文件或应用', 'file or application not found']],
  [SW.RECORD_NOT_FOUND, ['Record not found', '未找到记录', 'record not found']],
  [SW.NOT_ENOUGH_MEMORY_SPACE_IN_FILE, ['Not enough memory space in the file', '文件存储空间不足']],
  [SW.NC_INCONSISTENT_WITH_TLV_STRUCTURE, ['Nc inconsistent with TLV structure', 'Lc 与 TLV 结构不一致']],
  [SW.INCORRECT_PARAMETERS_P1_P2, ['Incorrect parameters P1-P2', '参数 P1 P2 不正确', 'incorrect P1 P2']],
  [SW.NC_INCONSISTENT_WITH_P1_P2, ['Nc inconsistent with P1-P2', 'Lc 与 P1 P2 不一致']],
  [SW.REFERENCED_DATA_NOT_FOUND, ['Referenced data or key not found', '未找到引用数据或密钥']],
  [SW.WRONG_PARAMETERS_P1_P2, ['Wrong parameters P1-P2 (offset outside the EF)', '参数错误（偏移超出文件）']],
  [
    SW.INSTRUCTION_CODE_NOT_SUPPORTED_OR_INVALID,
    ['Instruction code not supported or invalid', '不支持的指令代码', 'instruction not supported'],
  ],
  [SW.CLASS_NOT_SUPPORTED, ['Class not supported', '不支持的 CLA', 'class not supported']],
  [SW.NO_PRECISE_DIAGNOSIS, ['No precise diagnosis', '无精确诊断']],
  [SW.MAC_INVALID, ['MAC invalid', 'MAC 无效', 'MAC invalid']],
  [SW.APPLICATION_PERMANENTLY_LOCKED, ['Application permanently locked', '应用永久锁定', 'application permanently locked']],
  [SW.INSUFFICIENT_BALANCE, ['Insufficient balance', '余额不足', 'insufficient funds']],
  [SW.KEY_INDEX_NOT_SUPPORTED, ['Key index not supported', '密钥索引不支持', 'key index not supported']],
  [
    SW.REQUIRED_MAC_UNAVAILABLE,
    [
      'Required MAC unavailable (offline transaction counter mismatch)',
      '所需 MAC 不可用（脱机交易序号错）',
      'MAC/TTC unavailable (offline TTC mismatch on unlock)',
    ],
  ],
  [SW.APPLICATION_LOCKED, ['Application locked', '应用已锁定', 'application locked']],
  [SW.PURSE_GREY_LOCKED, ['Purse grey-locked', '钱包已灰锁', 'purse grey-locked']],
]);

function hex4(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}

function categoryOf(sw: number): SwCategory {
  const sw1 = sw >> 8;
  if (sw === SW.NO_ERROR || sw1 === SW1.RESPONSE_BYTES_STILL_AVAILABLE) return 'success';
  if (sw1 === 0x62 || sw1 === 0x63) return 'warning';
  return 'error';
}

/** Meaning of a status word in English and Chinese; unknown words get a generic text, never a throw. */
export function describeSw(sw: number): SwDescription {
  const value = Number.isInteger(sw) && sw >= 0 && sw <= 0xffff ? sw : 0;
  const hex = hex4(value);
  const category = categoryOf(value);
  const sw1 = value >> 8;
  const sw2 = value & 0xff;
  const exact = EXACT.get(value);
  if (exact !== undefined)
    return { sw: value, hex, category, en: exact[0], zh: exact[1], ...(exact[2] === undefined ? {} : { fuelCard: exact[2] }) };
  if (sw1 === SW1.RESPONSE_BYTES_STILL_AVAILABLE) {
    const length = sw2 === 0 ? 256 : sw2;
    return { sw: value, hex, category, length, en: `${length} response bytes still available`, zh: `还有 ${length} 字节响应数据` };
  }
  if (sw1 === SW1.WRONG_LE_FIELD) {
    return { sw: value, hex, category, length: sw2, en: `Wrong Le: exact length is ${sw2}`, zh: `Le 错误，正确长度为 ${sw2}` };
  }
  if (sw1 === SW1.WARNING_NON_VOLATILE_MEMORY_CHANGED && (sw2 & 0xf0) === 0xc0) {
    const triesLeft = sw2 & 0x0f;
    if (triesLeft === 0) return { sw: value, hex, category: 'error', triesLeft, en: 'Wrong PIN, PIN blocked', zh: 'PIN 错误，PIN 已锁' };
    return { sw: value, hex, category, triesLeft, en: `Wrong PIN, ${triesLeft} tries left`, zh: `PIN 错误，还可尝试 ${triesLeft} 次` };
  }
  const generic = categoryOf(value) === 'warning' ? ['Warning', '警告'] : ['Unknown status', '未知状态'];
  return { sw: value, hex, category, en: `${generic[0]} ${hex}`, zh: `${generic[1]} ${hex}` };
}

export function isSuccess(sw: number): boolean {
  return sw === SW.NO_ERROR || sw >> 8 === SW1.RESPONSE_BYTES_STILL_AVAILABLE;
}
