import Bowser from 'bowser';

export interface UserAgentFamilies {
  /** `Windows`, `macOS`, `Android`, ... or '' when unknown. */
  readonly os: string;
  /** `Chrome`, `Firefox`, `Safari`, ... or '' when unknown. */
  readonly browser: string;
}

const UNKNOWN: UserAgentFamilies = { os: '', browser: '' };

/**
 * OS and browser family of a user agent, by bowser (MIT). A busy cache sees few distinct user
 * agents, so results are memoized in a bounded map: parsing costs tens of microseconds, a hit none.
 */
export class UserAgentClassifier {
  private readonly cache = new Map<string, UserAgentFamilies>();

  constructor(private readonly maxEntries = 10_000) {}

  classify(userAgent: string): UserAgentFamilies {
    if (userAgent === '' || userAgent === '-') return UNKNOWN;
    const cached = this.cache.get(userAgent);
    if (cached !== undefined) return cached;
    const families = parseFamilies(userAgent);
    // Oldest first out: Map keeps insertion order, so this is FIFO and costs O(1).
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
    this.cache.set(userAgent, families);
    return families;
  }
}

function parseFamilies(userAgent: string): UserAgentFamilies {
  try {
    const parsed = Bowser.parse(userAgent);
    return { os: parsed.os.name ?? '', browser: parsed.browser.name ?? '' };
  } catch {
    // bowser throws only on empty input, guarded above; a future version must not stop ingest.
    return UNKNOWN;
  }
}
