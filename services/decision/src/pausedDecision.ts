import type { BenefitDecision } from './policies/benefitDecision.js';

/**
 * While decisions are paused (`decision.paused` in the live config) nothing new is placed: a mirror
 * or a displacement becomes `none`. Releases (unmirror, hold) still go ahead, so pausing never
 * strands the capacity of mirrors whose demand is gone.
 */
export function pausedDecision(decision: BenefitDecision, paused: boolean | undefined): BenefitDecision {
  if (paused !== true) return decision;
  if (decision.kind !== 'mirror' && decision.kind !== 'displace') return decision;
  return { kind: 'none', reason: 'decisions paused', demand: decision.demand };
}
