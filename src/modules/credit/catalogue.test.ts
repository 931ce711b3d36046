// The default rule set scores only events the platform knows: every rule's event type is in the
// catalogue, and the payload fields a rule matches on are fields of that event's schema.
import { describe, expect, it } from 'vitest';
import { EVENT_CATALOGUE } from '../../platform/events/catalogue.js';
import { loadRuleSet } from './rules.js';

describe('default rule set against the event catalogue', () => {
  const ruleSet = loadRuleSet();
  it.each(ruleSet.rules.map((r) => [r.id, r] as const))('%s scores a catalogued event', (_id, rule) => {
    const spec = EVENT_CATALOGUE[rule.eventType as keyof typeof EVENT_CATALOGUE];
    expect(spec, rule.eventType).toBeDefined();
    const fields = Object.keys((spec.payload as { properties: Record<string, unknown> }).properties);
    for (const field of Object.keys(rule.match ?? {})) expect(fields).toContain(field);
  });
});
