/** What a message is, decided once by the classifier and never revised downstream. */
export type MessageKind = 'unlock_request' | 'reply' | 'auto_reply' | 'bounce' | 'ignored';

/** The three fields the help article asks a locked-out user to send. */
export type FieldName = 'fullName' | 'registeredEmail' | 'description';

/** Where a field value came from, so an agent can see what was inferred. */
export type FieldSource = 'label' | 'prose' | 'sender' | 'none';

/** The From header read strictly (issue 5): an address only when exactly one mailbox is named. */
export interface SenderIdentity {
  /** Lower-cased; null when the header does not name exactly one plain mailbox. */
  address: string | null;
  displayName: string | null;
  /** Why the address is null or suspect, e.g. 'several From headers', 'group syntax'. */
  problem: string | null;
}

/** Everything later steps need to know about one inbound message. */
export interface ParsedEmail {
  kind: MessageKind;
  /** Why this kind, e.g. 'header Auto-Submitted: auto-replied'. */
  reasons: string[];
  /** Without angle brackets. */
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  /** Decoded, whitespace collapsed. */
  subject: string;
  /** The strict sender address (lower-cased) or null. */
  from: string | null;
  sender: SenderIdentity;
  /** Recorded only; never used to decide who the sender is. */
  replyTo: string | null;
  returnPath: string | null;
  senderHeader: string | null;
  /** ISO 8601 in UTC. */
  date: string | null;
  /** 'AMS-1042' when the subject carries [AMS-1042] or AMS-1042. */
  referenceTag: string | null;
  fullName: string | null;
  registeredEmail: string | null;
  description: string | null;
  sources: Record<FieldName, FieldSource>;
  /** Fields an unlock request lacks; empty for every other kind. */
  missing: FieldName[];
  /** null when not an unlock request or no registered email was found. */
  senderMatchesRegistered: boolean | null;
  /** Any automatic-message header or subject prefix: such mail is never answered. */
  autoSubmitted: boolean;
  /** List, bulk or junk headers. */
  bulk: boolean;
  nullReturnPath: boolean;
  /** Counted, never opened. */
  attachments: number;
  /** The decoded text the fields were read from (capped), for agents; never logged. */
  bodyText: string;
}

export interface ParseContext {
  /** Our own address: mail from it is ignored, so we never answer ourselves. */
  supportAddress?: string;
  /** True when any of the ids is one of our outbound Message-IDs. */
  knownMessageIds?: (ids: string[]) => boolean;
}

/** One header field as it appeared: name lower-cased, value unfolded but not decoded. */
export interface MailHeader {
  name: string;
  value: string;
}

/**
 * A message as read from its raw bytes, independent of the MIME library that read it.
 * Text and HTML are already decoded from their transfer encoding and charset.
 */
export interface MailMessage {
  headers: MailHeader[];
  /** The text/plain parts joined; null when there is none. */
  text: string | null;
  /** The text/html parts joined; null when there is none. */
  html: string | null;
  attachments: number;
  /** Content types of the attachments, lower-cased (e.g. 'message/delivery-status'). */
  attachmentTypes: string[];
  /** Messages attached whole (message/rfc822), read one level deep. */
  embedded: MailMessage[];
  /** Set when the body could not be read; the headers are still there. */
  readProblem: string | null;
}
