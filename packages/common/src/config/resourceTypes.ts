import type { PdmeConfig, ResourceTypeConfig } from './schema.js';

/** Compiles a resource-name glob: `*` stays within one DNS label, `**` spans labels. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] ?? '';
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        source += '.*';
        i++;
      } else {
        source += '[^.]*';
      }
    } else {
      source += ch.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 'i');
}

export interface ResourceTypeMatcher {
  /** The first type whose patterns match, in config order; undefined when none does. */
  match(resource: string): ResourceTypeConfig | undefined;
}

export function resourceTypeMatcher(config: Pick<PdmeConfig, 'resourceTypes'>): ResourceTypeMatcher {
  const compiled = config.resourceTypes.map((type) => ({ type, patterns: type.patterns.map(globToRegExp) }));
  return {
    match(resource) {
      return compiled.find((entry) => entry.patterns.some((re) => re.test(resource)))?.type;
    },
  };
}
