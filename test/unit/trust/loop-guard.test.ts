import { shouldAutoReply, type AutoReplyInput } from '../../../src/trust';
import { isOurAddress } from '../../../src/trust/loop-guard';

const SUPPORT = 'support@ams-support.example';

/** A first request from a person: the one case that is answered. */
function input(overrides: Partial<AutoReplyInput> = {}): AutoReplyInput {
  return {
    autoSubmitted: false,
    bulk: false,
    nullReturnPath: false,
    kind: 'unlock_request',
    sender: 'jane@example.com',
    supportAddress: SUPPORT,
    answeredSenderWithin24h: false,
    senderUnverifiable: false,
    ...overrides,
  };
}

describe('shouldAutoReply', () => {
  it('answers a first request from a person', () => {
    expect(shouldAutoReply(input())).toEqual({ reply: true, reason: 'ok' });
  });

  it('answers a reply to one of our tickets', () => {
    expect(shouldAutoReply(input({ kind: 'reply' })).reply).toBe(true);
  });

  it.each<[string, Partial<AutoReplyInput>]>([
    ['an auto-reply', { kind: 'auto_reply' }],
    ['a bounce', { kind: 'bounce' }],
    ['ignored mail', { kind: 'ignored' }],
    ['a kind nobody has approved yet', { kind: 'something_new' }],
    ['an Auto-Submitted request', { autoSubmitted: true }],
    ['list or bulk mail', { bulk: true }],
    ['a null return path', { nullReturnPath: true }],
    ['an unverifiable sender', { senderUnverifiable: true }],
    ['a message without a sender', { sender: null }],
    ['our own address', { sender: 'Support@AMS-Support.Example' }],
    ['our own address in angle brackets', { sender: `<${SUPPORT}>` }],
    ['MAILER-DAEMON', { sender: 'MAILER-DAEMON@mx.example.com' }],
    ['postmaster', { sender: 'postmaster@example.com' }],
    ['noreply', { sender: 'noreply@example.com' }],
    ['no-reply', { sender: 'no-reply@example.com' }],
    ['no_reply with a tag', { sender: 'no_reply+x1@example.com' }],
    ['a list owner', { sender: 'owner-staff@lists.example.com' }],
    ['a list request address', { sender: 'staff-request@lists.example.com' }],
    ['a sender answered in the last 24 hours', { answeredSenderWithin24h: true }],
  ])('stays silent for %s', (_label, overrides) => {
    const decision = shouldAutoReply(input(overrides));

    expect(decision.reply).toBe(false);
    expect(decision.reason).not.toBe('ok');
  });

  it('sends at most one message into a loop with an autoresponder that marks nothing', () => {
    const answered = new Set<string>();
    let sent = 0;

    for (let round = 0; round < 10; round++) {
      const sender = 'robot@example.com';
      const decision = shouldAutoReply(
        input({ sender, answeredSenderWithin24h: answered.has(sender) }),
      );
      if (decision.reply) {
        sent++;
        answered.add(sender);
      }
    }

    expect(sent).toBe(1);
  });
});

describe('isOurAddress', () => {
  it('recognises our address in any case, with a +tag or a trailing dot', () => {
    const ours = 'support@ams-support.example';

    expect(isOurAddress('SUPPORT@AMS-Support.example', ours)).toBe(true);
    expect(isOurAddress('support+x@ams-support.example', ours)).toBe(true);
    expect(isOurAddress('support@ams-support.example.', ours)).toBe(true);
    expect(isOurAddress('supporter@ams-support.example', ours)).toBe(false);
  });
});
