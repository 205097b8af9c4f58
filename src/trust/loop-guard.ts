/** What the auto-reply decision needs to know about one inbound message. */
export interface AutoReplyInput {
  /** Auto-Submitted other than 'no', or another autoresponder mark (X-Autoreply, say). */
  autoSubmitted: boolean;
  /** Precedence bulk/list/junk, List-Id or List-Unsubscribe. */
  bulk: boolean;
  /** Return-Path was '<>': bounces and other automatic mail must never be answered. */
  nullReturnPath: boolean;
  /** The classifier's kind: unlock_request, reply, auto_reply, bounce or ignored. */
  kind: string;
  /** The authenticated From address, or null when there is none. */
  sender: string | null;
  /** Our own support mailbox address. */
  supportAddress: string;
  /** We already sent this sender an automatic message in the last 24 hours. */
  answeredSenderWithin24h: boolean;
  /** The From header was ambiguous, so there is no address we could safely answer. */
  senderUnverifiable: boolean;
}

export interface AutoReplyDecision {
  reply: boolean;
  /** Why not (or 'ok'), for the audit log. */
  reason: string;
}

/**
 * Kinds that may get an automatic answer. Everything else (auto_reply, bounce, ignored, and any
 * kind added later) stays silent until it is added here on purpose.
 */
const ANSWERABLE_KINDS: ReadonlySet<string> = new Set(['unlock_request', 'reply']);

/**
 * Local parts of role addresses that are machines, not people (RFC 3834 section 2 and RFC 2142).
 * Compared after removing dots, dashes and underscores, so 'no-reply' and 'no_reply' match too.
 */
const MACHINE_LOCAL_PARTS: ReadonlySet<string> = new Set([
  'mailerdaemon',
  'postmaster',
  'noreply',
  'donotreply',
  'bounce',
  'bounces',
]);

/**
 * Decides whether we may send an automatic reply, following RFC 3834: never to automatic mail,
 * bounces, lists or bulk mail, null return paths, ourselves or machine addresses, and at most once
 * a day to the same sender, so two autoresponders can exchange at most one message from us.
 */
export function shouldAutoReply(input: AutoReplyInput): AutoReplyDecision {
  const reason = silenceReason(input);
  return reason === null ? { reply: true, reason: 'ok' } : { reply: false, reason };
}

function silenceReason(input: AutoReplyInput): string | null {
  if (!ANSWERABLE_KINDS.has(input.kind)) return `kind ${input.kind} is never answered`;
  if (input.autoSubmitted) return 'message was sent automatically (Auto-Submitted)';
  if (input.bulk) return 'list or bulk mail';
  if (input.nullReturnPath) return 'null return path';
  if (input.senderUnverifiable) return 'sender cannot be verified';
  if (!input.sender) return 'no sender address';
  if (isOurAddress(input.sender, input.supportAddress)) return 'sender is our own address';
  if (isMachineAddress(input.sender)) return 'sender is a machine address';
  if (input.answeredSenderWithin24h) return 'sender already answered in the last 24 hours';
  return null;
}

/** Our address in any case, with a +tag or a trailing dot on the domain, is still ours. */
export function isOurAddress(sender: string, supportAddress: string): boolean {
  const canonical = (address: string) => {
    const [local, domain = ''] = normaliseAddress(address).split('@');
    return `${local.split('+')[0]}@${domain.replace(/\.$/, '')}`;
  };
  return canonical(sender) === canonical(supportAddress);
}

/**
 * Machine role addresses, plus the list conventions RFC 3834 section 2 names: owner-* and
 * *-request. Plus-tags are ignored ('noreply+abc@').
 */
function isMachineAddress(sender: string): boolean {
  const local = normaliseAddress(sender).split('@')[0].split('+')[0];
  if (local.startsWith('owner-') || local.endsWith('-request')) return true;
  return MACHINE_LOCAL_PARTS.has(local.replace(/[._-]/g, ''));
}

function normaliseAddress(address: string): string {
  return address.trim().replace(/^<|>$/g, '').toLowerCase();
}
