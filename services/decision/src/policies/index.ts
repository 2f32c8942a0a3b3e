export {
  expectedBenefit,
  planByBenefit,
  type BenefitCandidate,
  type BenefitCosts,
  type PlanCapacity,
} from './benefitPlan.js';
export { thresholdForCapacity, type RatedResource } from './thresholdForCapacity.js';
export {
  benefitPerByte,
  decideByBenefit,
  predictedHits,
  type BenefitDecision,
  type BenefitInput,
  type BenefitSettings,
} from './benefitDecision.js';
export { ForecastBook } from './forecastBook.js';
export { DemandMemory, type RememberedForecast } from './demandMemory.js';
