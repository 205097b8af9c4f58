import { groupBySize } from '../../../src/ingest/mailbox-poller';
import { dedupeKey, headerBlock, readMessageId } from '../../../src/ingest/dedupe-key';

const MB = 1024 * 1024;

describe('groupBySize', () => {
  it('keeps UID order and cuts a group before it passes the byte budget', () => {
    const groups = groupBySize(
      [
        { uid: 3, size: 25 * MB },
        { uid: 1, size: 20 * MB },
        { uid: 2, size: 20 * MB },
      ],
      64 * MB,
      25 * MB,
    );

    expect(groups.map((g) => g.map((m) => m.uid))).toEqual([[1, 2], [3]]);
  });

  it('counts a message over the size limit by its headers only', () => {
    const groups = groupBySize(
      [
        { uid: 1, size: 500 * MB },
        { uid: 2, size: 10 * MB },
      ],
      64 * MB,
      25 * MB,
    );

    expect(groups).toHaveLength(1);
  });

  it('puts a single message larger than the budget in a group of its own', () => {
    expect(groupBySize([{ uid: 9, size: 100 * MB }], 64 * MB, 200 * MB)).toEqual([
      [{ uid: 9, size: 100 * MB }],
    ]);
  });
});

describe('dedupeKey', () => {
  it('uses the Message-ID without brackets, read from folded headers', () => {
    const raw = Buffer.from('Subject: x\r\nMessage-ID:\r\n <abc@example.com>\r\n\r\nbody');

    expect(dedupeKey(headerBlock(raw))).toEqual({
      key: 'mid:abc@example.com',
      messageId: 'abc@example.com',
    });
  });

  it('hashes the header block when there is no Message-ID, or one with control characters', () => {
    const withNul = Buffer.from('Message-ID: <a\u0000b@example.com>\r\nSubject: x\r\n\r\nbody');

    expect(readMessageId(headerBlock(withNul))).toBeNull();
    expect(dedupeKey(headerBlock(withNul)).key).toMatch(/^hdr:[0-9a-f]{64}$/);
  });
});
