import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * A small kustomize for the tests: no kustomize binary or package can be installed here, so this
 * applies exactly the kustomization fields deploy/k8s uses, with kustomize's rules for each (see
 * deploy/README.md, "Kustomize fields used"). Any other field is an error, so a manifest cannot
 * start relying on something this renderer silently ignores.
 */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> } & Record<string, unknown>;
} & Record<string, unknown>;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  components?: string[];
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
  configMapGenerator?: {
    name: string;
    behavior?: 'create' | 'merge' | 'replace';
    literals?: string[];
    files?: string[];
  }[];
  generatorOptions?: { disableNameSuffixHash?: boolean };
  images?: { name: string; newName?: string; newTag?: string }[];
  replicas?: { name: string; count: number }[];
  patches?: { path?: string; patch?: string; target?: { kind?: string; name?: string } }[];
}

const KNOWN_FIELDS = new Set([
  'apiVersion',
  'kind',
  'namespace',
  'resources',
  'components',
  'labels',
  'configMapGenerator',
  'generatorOptions',
  'images',
  'replicas',
  'patches',
]);

export function readYamlDocuments(file: string): unknown[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as unknown;
  });
}

function readKustomization(dir: string): Kustomization {
  const file = join(dir, 'kustomization.yaml');
  if (!existsSync(file)) throw new Error(`kustomize: no kustomization.yaml in ${dir}`);
  const [doc] = readYamlDocuments(file);
  const k = doc as Kustomization;
  const unknown = Object.keys(k).filter((key) => !KNOWN_FIELDS.has(key));
  if (unknown.length > 0)
    throw new Error(`kustomize: ${file} uses fields this renderer lacks: ${unknown.join(', ')}`);
  return k;
}

function isMap(value: Json | undefined): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Strategic merge as kustomize applies it to the core kinds we patch: maps merge key by key, null
 * deletes a key, lists of maps that all carry `name` (containers, env, ports, volumes) merge by
 * name, any other list is replaced.
 */
export function strategicMerge(base: Json, patch: Json): Json {
  if (!isMap(base) || !isMap(patch)) {
    if (Array.isArray(base) && Array.isArray(patch) && byName(base) && byName(patch)) {
      const out = base.map((item) => {
        const match = patch.find((p) => isMap(p) && isMap(item) && p['name'] === item['name']);
        return match === undefined ? item : strategicMerge(item, match);
      });
      for (const p of patch)
        if (!base.some((b) => isMap(b) && isMap(p) && b['name'] === p['name'])) out.push(p);
      return out;
    }
    return patch;
  }
  const out: JsonMap = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = key in out ? strategicMerge(out[key] ?? null, value) : value;
  }
  return out;
}

function byName(list: Json[]): boolean {
  return list.length > 0 && list.every((item) => isMap(item) && typeof item['name'] === 'string');
}

function generateConfigMaps(dir: string, k: Kustomization, objects: K8sObject[]): void {
  for (const gen of k.configMapGenerator ?? []) {
    const data: Record<string, string> = {};
    for (const literal of gen.literals ?? []) {
      const at = literal.indexOf('=');
      data[literal.slice(0, at)] = literal.slice(at + 1);
    }
    for (const entry of gen.files ?? []) {
      const [key, path] = entry.includes('=') ? entry.split('=', 2) : [entry.split('/').pop(), entry];
      if (key === undefined || path === undefined) throw new Error(`kustomize: bad files entry ${entry}`);
      data[key] = readFileSync(resolve(dir, path), 'utf8');
    }
    const existing = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === gen.name);
    const behavior = gen.behavior ?? 'create';
    if (behavior === 'create') {
      if (existing !== undefined) throw new Error(`kustomize: ConfigMap ${gen.name} generated twice`);
      objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: gen.name }, data });
    } else {
      if (existing === undefined) throw new Error(`kustomize: ${behavior} of unknown ConfigMap ${gen.name}`);
      existing['data'] = behavior === 'merge' ? { ...(existing['data'] as object), ...data } : data;
    }
  }
  if (k.configMapGenerator !== undefined && k.generatorOptions?.disableNameSuffixHash !== true)
    throw new Error('kustomize: name suffix hashes are not implemented; set disableNameSuffixHash');
}

function applyPatches(dir: string, k: Kustomization, objects: K8sObject[]): K8sObject[] {
  let out = objects;
  for (const entry of k.patches ?? []) {
    const text = entry.path !== undefined ? readFileSync(resolve(dir, entry.path), 'utf8') : entry.patch;
    if (text === undefined) throw new Error(`kustomize: patch without path or patch in ${dir}`);
    const docs = parseAllDocuments(text).map((d) => d.toJS() as K8sObject);
    for (const patch of docs) {
      const target = entry.target ?? { kind: patch.kind, name: patch.metadata.name };
      const hits = out.filter(
        (o) =>
          (target.kind === undefined || o.kind === target.kind) &&
          (target.name === undefined || o.metadata.name === target.name),
      );
      if (hits.length === 0)
        throw new Error(`kustomize: patch in ${dir} matches nothing (${JSON.stringify(target)})`);
      out = out.map((o) => {
        if (!hits.includes(o)) return o;
        // The patch's own name only identifies the target; it must not rename what it patches.
        const body = { ...patch, metadata: { ...patch.metadata, name: o.metadata.name } } as unknown as Json;
        return strategicMerge(o as unknown as Json, body) as unknown as K8sObject;
      });
    }
  }
  return out;
}

function podTemplate(o: K8sObject): JsonMap | undefined {
  const spec = o['spec'] as Json | undefined;
  return isMap(spec) && isMap(spec['template']) ? spec['template'] : undefined;
}

function applyTransformers(k: Kustomization, objects: K8sObject[]): void {
  for (const o of objects) {
    if (k.namespace !== undefined) o.metadata.namespace = k.namespace;
    for (const label of k.labels ?? []) {
      if (label.includeSelectors === true) throw new Error('kustomize: includeSelectors is not implemented');
      o.metadata.labels = { ...o.metadata.labels, ...label.pairs };
      const template = podTemplate(o);
      if (label.includeTemplates === true && template !== undefined) {
        const meta = isMap(template['metadata']) ? template['metadata'] : {};
        meta['labels'] = { ...(isMap(meta['labels']) ? meta['labels'] : {}), ...label.pairs };
        template['metadata'] = meta;
      }
    }
    const template = podTemplate(o);
    const podSpec = template !== undefined && isMap(template['spec']) ? template['spec'] : undefined;
    const containers =
      podSpec !== undefined && Array.isArray(podSpec['containers']) ? podSpec['containers'] : [];
    for (const c of containers) {
      if (!isMap(c) || typeof c['image'] !== 'string') continue;
      const [name = '', tag] = c['image'].split(':');
      const rule = k.images?.find((i) => i.name === name);
      if (rule !== undefined)
        c['image'] = `${rule.newName ?? name}${(rule.newTag ?? tag) ? `:${rule.newTag ?? tag}` : ''}`;
    }
    const replicas = k.replicas?.find((r) => r.name === o.metadata.name);
    if (replicas !== undefined && o.kind === 'Deployment')
      (o['spec'] as JsonMap)['replicas'] = replicas.count;
  }
}

/** Renders the kustomization in `dir` (a Kustomization or, when applied from one, a Component). */
export function kustomize(dir: string, into: K8sObject[] = []): K8sObject[] {
  const k = readKustomization(dir);
  let objects: K8sObject[] = into;
  for (const entry of k.resources ?? []) {
    const path = resolve(dir, entry);
    if (statSync(path).isDirectory()) objects = [...objects, ...kustomize(path)];
    else objects = [...objects, ...(readYamlDocuments(path) as K8sObject[])];
  }
  generateConfigMaps(dir, k, objects);
  for (const component of k.components ?? []) {
    const componentDir = resolve(dir, component);
    if (readKustomization(componentDir).kind !== 'Component')
      throw new Error(`kustomize: ${componentDir} is listed as a component but is not one`);
    objects = kustomize(componentDir, objects);
  }
  objects = applyPatches(dir, k, objects);
  applyTransformers(k, objects);
  const seen = new Set<string>();
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (seen.has(id)) throw new Error(`kustomize: ${id} appears twice in ${dir}`);
    seen.add(id);
  }
  return objects;
}
