import type { AnonymizedClient } from '../anonymizer.js';
import { KAnonymityGate } from './kAnonymityGate.js';
import type { RegionResolver } from './regionResolver.js';
import { UserAgentClassifier } from './userAgentFamilies.js';

export interface PublishedTraits {
  readonly region: string;
  readonly osFamily: string;
  readonly browserFamily: string;
}

const NONE: PublishedTraits = { region: '', osFamily: '', browserFamily: '' };

/**
 * Region, OS and browser family of a client, generalized until k-anonymous: the full combination
 * if at least k clients share it, else region and OS, else region alone, else nothing. Every level
 * is counted on every event so a coarser level can be released while a finer one is not yet.
 */
export class ClientTraitsPolicy {
  private readonly gate: KAnonymityGate;
  private readonly userAgents = new UserAgentClassifier();

  constructor(
    private readonly regions: RegionResolver,
    k: number,
    maxGroups?: number,
  ) {
    this.gate = new KAnonymityGate({ k, maxGroups });
  }

  traits(input: {
    readonly client: AnonymizedClient;
    readonly clientAddress: string;
    readonly cluster: string;
    readonly userAgent: string;
  }): PublishedTraits {
    const region = this.regions.region(input.clientAddress, input.cluster);
    const { os, browser } = this.userAgents.classify(input.userAgent);
    const { clientHash, keyEpoch } = input.client;
    const full = this.gate.admit(`r=${region}|o=${os}|b=${browser}`, clientHash, keyEpoch);
    const regionOs = this.gate.admit(`r=${region}|o=${os}`, clientHash, keyEpoch);
    const regionOnly = this.gate.admit(`r=${region}`, clientHash, keyEpoch);
    if (full) return { region, osFamily: os, browserFamily: browser };
    if (regionOs) return { region, osFamily: os, browserFamily: '' };
    if (regionOnly) return { region, osFamily: '', browserFamily: '' };
    return NONE;
  }
}
