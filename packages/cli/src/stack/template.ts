import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@pdme/common/repo-root';

export type TemplateVars = Readonly<Record<string, string | number>>;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * Replaces every `{{name}}` in `template` with `vars[name]`. Throws when the template uses a
 * placeholder that `vars` does not define, or holds a `{{` that is not a well-formed placeholder,
 * so a renamed variable can never leave a literal `{{x}}` in a generated config.
 */
export function render(template: string, vars: TemplateVars, what = 'template'): string {
  const missing = new Set<string>();
  const out = template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : undefined;
    if (value === undefined) {
      missing.add(name);
      return '';
    }
    return String(value);
  });
  if (missing.size > 0)
    throw new Error(
      `render ${what}: unknown placeholder(s) ${[...missing].map((n) => `{{${n}}}`).join(', ')}`,
    );
  const stray = template.replace(PLACEHOLDER, '').indexOf('{{');
  if (stray >= 0)
    throw new Error(
      `render ${what}: malformed placeholder near "${template.replace(PLACEHOLDER, '').slice(stray, stray + 30)}"`,
    );
  return out;
}

/** Reads `deploy/<relative>` from the workspace and renders it. */
export function renderDeployTemplate(relative: string, vars: TemplateVars): string {
  const file = join(repoRoot(), 'deploy', relative);
  return render(readFileSync(file, 'utf8'), vars, `deploy/${relative}`);
}
