/*
 * Subject rules. The request phrase is matched in any case and spacing; prefixes are the ones
 * mail clients add in English and the main European languages.
 */

const REQUEST_PHRASE = /\bams[\s_-]*account[\s_-]*unlock[\s_-]*request\b/i;
const REFERENCE_TAG = /(?:^|[^a-z0-9])ams-(\d{1,9})(?![0-9])/i;

/** Reply prefixes: Re, Aw/Antw (de, nl), Sv (sv, da, no), Vs (fi), Rif/R (it), Odp (pl). */
const REPLY_PREFIX =
  /^(?:re|aw|antw|antwort|sv|vs|ref|rif|r|res|odp|ynt|vá|atb)\s*(?:\[\d+\])?\s*:/i;
/** Forward prefixes: Fwd/Fw, Wg (de), Tr (fr), Rv (es), I (it), Doorst (nl), Vb (sv), Vl (fi). */
const FORWARD_PREFIX =
  /^(?:fwd?|wg|tr|rv|enc|i|doorst|vb|vl|pd|videresend|trs)\s*(?:\[\d+\])?\s*:/i;

/**
 * Subject openings of out-of-office and other automatic answers (Outlook, Exchange, Gmail,
 * Thunderbird) in English, German, French, Spanish, Italian, Dutch, Swedish, Danish, Norwegian,
 * Portuguese, Polish, Finnish and Czech.
 */
const AUTO_REPLY_SUBJECT = new RegExp(
  '^(?:' +
    [
      'automatic reply',
      'auto[ -]?reply',
      'auto[ -]?response',
      'autoresponder',
      'out of (?:the )?office',
      'ooo\\b',
      'away from (?:the )?office',
      'on vacation',
      'vacation reply',
      'automatische antwort',
      'abwesenheitsnotiz',
      'abwesend',
      'automatische abwesenheit',
      'r[ée]ponse automatique',
      'absence du bureau',
      'absent(?:e)? du bureau',
      'respuesta autom[áa]tica',
      'fuera de la oficina',
      'risposta automatica',
      'fuori sede',
      'fuori ufficio',
      'automatisch antwoord',
      'afwezig',
      'niet aanwezig',
      'automatiskt svar',
      'automatisk svar',
      'autosvar',
      'fr[åa]nvaro',
      'frav[æa]r(?:ende)?',
      'ikke på kontoret',
      'resposta autom[áa]tica',
      'ausente',
      'fora do escrit[óo]rio',
      'automatyczna odpowied[źz]',
      'poza biurem',
      'automaattinen vastaus',
      'poissa toimistolta',
      'automatick[áa] odpov[ěe][ďd]',
      'auto(?=\\s*:)',
      '自動応答|自動返信|不在通知|自动回复',
    ].join('|') +
    ')(?=\\s*[:：\\-–(\\[]|\\s*$|\\s)',
  'i',
);

/** Subjects of delivery failure notices from common MTAs and Exchange, in several languages. */
const BOUNCE_SUBJECT = new RegExp(
  '^(?:' +
    [
      'undeliver(?:able|ed)',
      'undelivered mail returned to sender',
      'delivery status notification \\((?:failure|delay)',
      'delivery (?:has )?failed',
      'delivery failure',
      'mail delivery failed',
      'returned mail',
      'failure notice',
      'mail system error',
      'non[- ]delivery',
      'unzustellbar',
      'nicht zustellbar',
      'non remis',
      'non distribuable',
      'no se puede entregar',
      'no entregado',
      'non recapitabile',
      'onbestelbaar',
      'kan niet worden bezorgd',
      'olevererbart',
      'kunne ikke leveres',
      'message not delivered',
      'delivery incomplete',
      'could not be delivered',
      'warning: could not send message',
    ].join('|') +
    ')',
  'i',
);

/** Decoded subject with runs of whitespace (folds, tabs) turned into one space. */
export function normaliseSubject(subject: string): string {
  return subject.replace(/\s+/g, ' ').trim();
}

/** True when the subject carries "AMS Account Unlock Request" in any case and spacing. */
export function matchesRequestSubject(subject: string): boolean {
  return REQUEST_PHRASE.test(normaliseSubject(subject));
}

/** 'AMS-1042' when the subject carries [AMS-1042] or AMS-1042; null otherwise. */
export function extractReferenceTag(subject: string): string | null {
  const m = REFERENCE_TAG.exec(subject);
  return m ? `AMS-${m[1]}` : null;
}

export interface SubjectPrefixes {
  reply: boolean;
  forward: boolean;
  /** The subject with every reply and forward prefix removed. */
  rest: string;
}

/** Strips the stacked prefixes clients add ("RE: FW: AW:") and says which kinds were seen. */
export function readPrefixes(subject: string): SubjectPrefixes {
  let rest = normaliseSubject(subject);
  let reply = false;
  let forward = false;

  for (let guard = 0; guard < 20; guard++) {
    const replyMatch = REPLY_PREFIX.exec(rest);
    const forwardMatch = FORWARD_PREFIX.exec(rest);
    const match = replyMatch ?? forwardMatch;
    if (!match) break;
    reply = reply || Boolean(replyMatch);
    forward = forward || (!replyMatch && Boolean(forwardMatch));
    rest = rest.slice(match[0].length).trim();
  }
  return { reply, forward, rest };
}

/** The automatic-answer phrase the subject opens with (after any Re:), or null. */
export function autoReplySubject(subject: string): string | null {
  const m = AUTO_REPLY_SUBJECT.exec(readPrefixes(subject).rest);
  return m ? m[0] : null;
}

/** The delivery-failure phrase the subject opens with, or null. */
export function bounceSubject(subject: string): string | null {
  const m = BOUNCE_SUBJECT.exec(normaliseSubject(subject));
  return m ? m[0] : null;
}
