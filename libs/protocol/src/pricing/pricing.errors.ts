import { LptsError, familyPredicate, registerErrorFamily } from '../errors/lpts-error';

export const PricingErrorCode = {
  /** `pixels per unit is 0` */
  PIXELS_PER_UNIT_ZERO: 'PIXELS_PER_UNIT_ZERO',
  /** A price that does not fit PriceInfo's int64 fields or is otherwise unusable. */
  INVALID_PRICE: 'INVALID_PRICE',
  /** `missing orchestrator price` */
  MISSING_PRICE: 'MISSING_PRICE',
  /** `Orchestrator price has more than doubled, …` */
  PRICE_MORE_THAN_DOUBLED: 'PRICE_MORE_THAN_DOUBLED',
  /** Bad AI request input for the unit count (`MaxTokens not specified`, `Unable to calculate duration`, …). */
  INVALID_JOB_INPUT: 'INVALID_JOB_INPUT',
} as const;
export type PricingErrorCode = (typeof PricingErrorCode)[keyof typeof PricingErrorCode];

export class PricingError extends LptsError<PricingErrorCode> {}
registerErrorFamily(PricingError);
export const isPricingError = familyPredicate(PricingError);
