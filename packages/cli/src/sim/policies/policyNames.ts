import { PdmeError } from '@pdme/common/errors';
import { beladyPolicy } from './beladyPolicy.js';
import { benefitPolicy } from './benefitPolicy.js';
import { frequencyBenefitPolicy } from './frequencyBenefitPolicy.js';
import { greedyPolicy } from './greedyPolicy.js';
import { lruPolicy } from './lruPolicy.js';
import { oraclePolicy } from './oraclePolicy.js';
import type { PolicyFactory } from './policy.js';
import { staticTopKPolicy } from './staticTopKPolicy.js';

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
  lru: { factory: lruPolicy, what: 'reactive LRU' },
  'static-topk': { factory: staticTopKPolicy, what: 'top K of the warm-up, fixed' },
  belady: { factory: beladyPolicy, what: "Belady's MIN (offline, reactive)" },
  oracle: { factory: oraclePolicy, what: 'next window known, seen objects' },
};

export const DEFAULT_POLICIES = [
  'greedy',
  'benefit',
  'benefit+freq',
  'lru',
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
