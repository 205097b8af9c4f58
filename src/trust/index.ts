/**
 * Trust: who is asking (sender authentication), who may approve (the approval path), and when the
 * mailbox may answer (loop guard, header safety).
 */
export {
  type AuthResult,
  type AuthVerdict,
  type AuthenticateOptions,
  type DnsResolver,
  authenticateSender,
  isDmarcFail,
  parseAuthenticationResults,
} from './authenticate';
export {
  type ApprovalPath,
  type PathDecision,
  type TrustCaps,
  type TrustSignals,
  decideApprovalPath,
  namesMatch,
} from './policy';
export { type AutoReplyDecision, type AutoReplyInput, shouldAutoReply } from './loop-guard';
export { safeHeaderText } from './header-safety';
