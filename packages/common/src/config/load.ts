import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { PdmeError, errorMessage } from '../errors/index.js';
import { describeIssues } from './env.js';
import { PdmeConfigSchema, type PdmeConfig } from './schema.js';

/** Validates a config document; the error lists every bad field by path. */
export function parseConfig(document: unknown, origin = 'config'): PdmeConfig {
  const result = PdmeConfigSchema.safeParse(document);
  if (!result.success) {
    const problems = describeIssues(result.error);
    throw new PdmeError('CONFIG_INVALID', `${origin}: invalid PDME config:\n  ${problems.join('\n  ')}`, {
      details: { problems },
    });
  }
  return result.data;
}

/** Reads a JSON or YAML config file and validates it before anything uses it. */
export function loadConfigFile(path: string): PdmeConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PdmeError('CONFIG_INVALID', `cannot read PDME config ${path}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  let document: unknown;
  try {
    document = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new PdmeError('CONFIG_INVALID', `cannot parse PDME config ${path}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  return parseConfig(document, path);
}
