export {
  expectedBenefit,
  planByBenefit,
  type BenefitCandidate,
  type BenefitCosts,
  type PlanCapacity,
} from './benefitPlan.js';
export { thresholdForCapacity, type RatedResource } from './thresholdForCapacity.js';
