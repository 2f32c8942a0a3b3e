import { PdmeError } from '@pdme/common/errors';
import { beladyPolicy } from './beladyPolicy.js';
import { benefitPolicy } from './benefitPolicy.js';
import { frequencyBenefitPolicy } from './frequencyBenefitPolicy.js';
import { greedyPolicy } from './greedyPolicy.js';
import { liveBenefitPolicy } from './liveBenefitPolicy.js';
import { lruPolicy } from './lruPolicy.js';
import { oraclePolicy } from './oraclePolicy.js';
import { priorBenefitPolicy } from './priorBenefitPolicy.js';
import type { PolicyFactory } from './policy.js';
import { staticTopKPolicy } from './staticTopKPolicy.js';
import { tinyLfuPolicy } from './tinyLfuPolicy.js';

/** Every policy the simulator knows, by the name `--policy` takes. */
export const POLICIES: Readonly<Record<string, { factory: PolicyFactory; what: string }>> = {
  greedy: { factory: (s) => greedyPolicy(s, false), what: 'seed threshold rule, mirrors only' },
  'greedy+lru': { factory: (s) => greedyPolicy(s, true), what: 'seed threshold rule + LRU in the rest' },
  benefit: { factory: (s) => benefitPolicy(s, false), what: 'benefit per byte, mirrors only' },
  'benefit+lru': { factory: (s) => benefitPolicy(s, true), what: 'benefit per byte + LRU in the rest' },
  'benefit+freq': {
    factory: (s) => frequencyBenefitPolicy(s, false),
    what: 'benefit per byte on forecast + long-run demand',
  },
  'benefit+freq+lru': {
    factory: (s) => frequencyBenefitPolicy(s, true),
    what: 'benefit+freq, LRU in the room left',
  },
  'benefit+prior': {
    factory: (s) => priorBenefitPolicy(s, false),
    what: 'benefit per byte on forecast + decayed long-run demand (default)',
  },
  'benefit+prior+tinylfu': {
    factory: (s) => priorBenefitPolicy(s, true),
    what: 'benefit+prior on 90% of the room, W-TinyLFU admission in the rest',
  },
  'benefit-live': {
    factory: (s) => liveBenefitPolicy(s, false),
    what: "the decision service's benefit path as deployed, forecast by forecast (decideByBenefit)",
  },
  'benefit-live+prior': {
    factory: (s) => liveBenefitPolicy(s, true),
    what: 'benefit-live with the DemandMemory prior (service option priorHalfLifeMs)',
  },
  lru: { factory: lruPolicy, what: 'reactive LRU' },
  tinylfu: { factory: tinyLfuPolicy, what: 'reactive W-TinyLFU (frequency admission)' },
  'static-topk': { factory: staticTopKPolicy, what: 'top K of the warm-up, fixed' },
  belady: { factory: beladyPolicy, what: "Belady's MIN (offline, reactive)" },
  oracle: { factory: oraclePolicy, what: 'next window known, seen objects' },
};

export const DEFAULT_POLICIES = [
  'greedy',
  'benefit',
  'benefit+freq',
  'benefit+prior',
  'benefit+prior+tinylfu',
  'benefit-live',
  'lru',
  'tinylfu',
  'static-topk',
  'belady',
  'oracle',
];

export function parsePolicies(text: string): string[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => POLICIES[name] === undefined);
  if (unknown.length > 0 || names.length === 0) {
    throw new PdmeError('BAD_INPUT', `unknown policy ${unknown.join(', ') || '(none)'}`, {
      details: { known: Object.keys(POLICIES) },
    });
  }
  return [...new Set(names)];
}
