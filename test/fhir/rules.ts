import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4/index.js';

/**
 * A profile rule transcribed from a published IG as a fhirpath expression that is true when the
 * resource conforms. `applies` selects the resources the rule is about (fhirpath, true = applies).
 * `%bundle` is the Bundle the resource travels in. Each rule names its source.
 */
export interface Rule {
  id: string;
  severity: 'error' | 'warning';
  source: string;
  applies: string;
  expr: string;
}

export interface Finding {
  rule: string;
  severity: 'error' | 'warning';
  fullUrl: string;
  resourceType: string;
  code?: string;
}

interface Entry { fullUrl?: string; resource?: Record<string, unknown> }

/** Runs every rule over every entry's resource (and the Bundle itself for Bundle rules). */
export function checkRules(bundle: Record<string, unknown>, rules: readonly Rule[]): Finding[] {
  const out: Finding[] = [];
  const targets: { fullUrl: string; resource: Record<string, unknown> }[] = [{ fullUrl: '(bundle)', resource: bundle }];
  for (const e of (bundle.entry as Entry[] | undefined) ?? []) if (e.resource) targets.push({ fullUrl: e.fullUrl ?? '?', resource: e.resource });
  for (const t of targets) {
    for (const rule of rules) {
      const env = { bundle, resource: t.resource };
      const applies = fhirpath.evaluate(t.resource, rule.applies, env, r4) as unknown[];
      if (applies[0] !== true) continue;
      const ok = fhirpath.evaluate(t.resource, rule.expr, env, r4) as unknown[];
      if (ok.length === 1 && ok[0] === true) continue;
      const code = (t.resource.code as { text?: string } | undefined)?.text;
      out.push({ rule: rule.id, severity: rule.severity, fullUrl: t.fullUrl, resourceType: String(t.resource.resourceType), ...(code ? { code } : {}) });
    }
  }
  return out;
}
