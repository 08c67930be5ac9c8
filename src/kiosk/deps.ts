/** What a kiosk session runs on: the card reader, the central accounts, the device's database. */
import type { CardSession } from '../../ccid/usb/index.ts';
import type { DeviceDatabase } from '../lib/device-db/database.ts';
import type { KioskBackend } from './backend.ts';

export type CardReaderPort = {
  onCard(listener: { inserted?(): void; removed?(): void }): () => void;
  connectCard(): Promise<CardSession>;
  readonly cardPresent: boolean;
};

export type KioskDeps = {
  reader: CardReaderPort;
  backend: KioskBackend;
  db: DeviceDatabase;
  /** 12 hex digits, the terminal number the card writes into its log and MACs. */
  terminalId: string;
  nowMs?: () => number;
  /** No touch for this long returns to the start screen (controller.ts KIOSK_IDLE_TIMEOUT_MS). */
  idleTimeoutMs?: number;
  /** The last part of it, counted down on screen (KIOSK_IDLE_WARNING_MS). */
  idleWarningMs?: number;
};
