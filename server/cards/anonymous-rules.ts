/**
 * What may not be done to an anonymous card (不记名卡, docs/domain.md "Anonymous cards"): it is
 * not reported lost (挂失), since nobody can prove it is theirs; an anonymous card upgraded to a
 * named one can be. The loss report operation (another issue) calls this before anything else.
 */
import { ApiError } from '../errors.ts';

/** Refuses ANONYMOUS_NO_LOSS_REPORT for a card that is not named (the card row's `named`). */
export function requireLossReportable(card: { named: boolean; card_type?: string }): void {
  if (!card.named) throw new ApiError('ANONYMOUS_NO_LOSS_REPORT');
}
