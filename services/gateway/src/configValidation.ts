import { PdmeConfigSchema, type PdmeConfig, type z } from '@pdme/common/config';
import { badInput, type FieldProblem } from './statsFilter.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Members of the input that the schema dropped: typos (`treshold`) and things that must not be in
 * the document at all (a TSIG `secret`: keys are referenced by name and file only).
 */
function unknownFields(input: unknown, output: unknown, path: string, out: FieldProblem[]): void {
  if (Array.isArray(input) && Array.isArray(output)) {
    input.forEach((item, i) => unknownFields(item, output[i], `${path}.${i}`, out));
    return;
  }
  if (!isObject(input) || !isObject(output)) return;
  for (const key of Object.keys(input)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (!(key in output)) out.push({ field: at, problem: 'unknown field' });
    else unknownFields(input[key], output[key], at, out);
  }
}

/** zod issues as API field problems: dotted paths, one entry per unknown key. */
export function fieldProblems(issues: readonly z.core.$ZodIssue[], root = '(root)'): FieldProblem[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...path, key].join('.'), problem: 'unknown field' }));
    }
    return [{ field: path.length > 0 ? path.join('.') : root, problem: issue.message }];
  });
}

/**
 * Validates a whole config document with the schema the services use. Throws BAD_INPUT whose
 * `fields` name every bad field by dotted path (`resourceTypes.0.threshold`), unknown ones included.
 */
export function validateConfigDocument(document: unknown): PdmeConfig {
  const result = PdmeConfigSchema.safeParse(document);
  if (!result.success) {
    throw badInput('invalid config', fieldProblems(result.error.issues));
  }
  const unknown: FieldProblem[] = [];
  unknownFields(document, result.data, '', unknown);
  if (unknown.length > 0) throw badInput('invalid config', unknown);
  return result.data;
}
