import { describe, expect, it } from 'vitest';
import { OUTBOX_STUCK_MS, QueueWatch, queueStatus } from './queue-status.ts';
import { catalogues } from '../i18n/index.ts';

describe('the status bar’s word on the outbox', () => {
  it('says nothing of an empty queue', () => {
    expect(queueStatus(0, true, 0)).toBeNull();
    expect(queueStatus(0, false, 10 * OUTBOX_STUCK_MS)).toBeNull();
  });

  it('reads a proof just queued after an online load as being sent, in a neutral tone', () => {
    expect(queueStatus(1, true, 0)).toEqual({ key: 'outbox.sending', tone: 'neutral' });
    expect(queueStatus(1, true, OUTBOX_STUCK_MS - 1)).toEqual({ key: 'outbox.sending', tone: 'neutral' });
    expect(catalogues['zh-CN']['outbox.sending']).toBe('正在上传 {count} 笔记录');
    expect(catalogues.en['outbox.sending']).not.toMatch(/sync|wait/i);
  });

  it('reads a queue offline, or one that has not moved for a minute, as waiting, in a warning tone', () => {
    expect(queueStatus(1, false, 0)).toEqual({ key: 'outbox.queued', tone: 'warning' });
    expect(queueStatus(3, true, OUTBOX_STUCK_MS)).toEqual({ key: 'outbox.queued', tone: 'warning' });
    expect(catalogues['zh-CN']['outbox.queued']).toBe('待同步 {count} 笔');
  });

  it('counts the wait from when the queue last became non-empty or shrank, not while it grows', () => {
    const watch = new QueueWatch();
    expect(watch.observe(0, 1_000)).toBe(0);
    expect(watch.observe(1, 2_000)).toBe(0);
    expect(watch.observe(2, 30_000)).toBe(28_000);
    expect(watch.observe(2, 70_000)).toBe(68_000);
    expect(watch.observe(1, 71_000)).toBe(0);
    expect(watch.observe(0, 72_000)).toBe(0);
    expect(watch.observe(1, 200_000)).toBe(0);
  });
});
