// Rule-set versions through the HTTP API, on every dialect: the changes between two versions in
// words, and each version's standing (in force, taking force on a future date, superseded).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../core/clock.js';
import type { Runtime } from '../../platform/bootstrap.js';
import { DIALECTS, testContext } from '../../testing/db.js';
import { TEST_PASSWORD, testApp } from '../../testing/http.js';

describe.each(DIALECTS)('rule-set versions on %s', (dialect) => {
  let rt: Runtime;
  let t: Awaited<ReturnType<typeof testApp>>;
  const clock = offsetClock('2026-03-02T02:00:00Z'); // Monday 2026-03-02, 10:00 in Dongguan
  const signIn = async (username: string) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username, password: TEST_PASSWORD },
    });
    expect(res.statusCode, res.body).toBe(200);
    t.sessions[username] = {
      cookie: String(res.headers['set-cookie']).split(';')[0]!,
      csrf: res.json().csrfToken,
    };
  };

  beforeAll(async () => {
    rt = await testContext(dialect, { clock });
    t = await testApp(rt, [
      { username: 'admin', role: 'admin' },
      { username: 'reg', role: 'regulator' },
      { username: 'town', role: 'townOfficer', townCode: '441900119' },
    ]);
  });
  afterAll(async () => {
    await t?.close();
    await rt?.close();
  });

  it('answers the changes between two versions in words, none between a version and itself', async () => {
    const { body } = (await t.call('reg', 'GET', '/api/v1/credit/rule-sets/dg-2024/1')).json();
    const rules = body.rules.map((r: { id: string; points: number }) =>
      r.id === 'award.municipalQuality' ? { ...r, points: 40 } : r,
    );
    const supervision = { ...body.supervision, D: { ...body.supervision.D, drawRatio: 0.5 } };
    const draft = await t.call('reg', 'POST', '/api/v1/credit/rule-sets', {
      body: { ...body, rules, supervision, effectiveFrom: '2026-04-01' },
    });
    expect(draft.statusCode, draft.body).toBe(201);
    expect(draft.json().version).toBe(2);

    const diff = await t.call('reg', 'GET', '/api/v1/credit/rule-sets/dg-2024/diff?from=1&to=2');
    expect(diff.statusCode, diff.body).toBe(200);
    expect(diff.json()).toMatchObject({
      id: 'dg-2024',
      from: { version: 1, status: 'published', effectiveFrom: body.effectiveFrom },
      to: { version: 2, status: 'draft', effectiveFrom: '2026-04-01' },
    });
    expect(diff.json().changes).toEqual([
      {
        kind: 'changed',
        area: 'general',
        key: '',
        what: { zh: '生效日期', en: 'Effective from' },
        before: { zh: body.effectiveFrom, en: body.effectiveFrom },
        after: { zh: '2026-04-01', en: '2026-04-01' },
      },
      expect.objectContaining({
        area: 'supervision',
        key: 'D',
        what: { zh: '等级 D 的监管措施 · 抽查比例', en: 'Supervision of grade D · draw ratio' },
        after: { zh: '50%', en: '50%' },
      }),
      expect.objectContaining({
        area: 'rule',
        kind: 'changed',
        key: 'award.municipalQuality',
        after: { zh: '+40', en: '+40' },
      }),
    ]);

    const same = await t.call('reg', 'GET', '/api/v1/credit/rule-sets/dg-2024/diff?from=2&to=2');
    expect(same.json().changes).toEqual([]);
  });

  it('refuses an unknown version with 404, a missing version with 400, a town officer with 403', async () => {
    const unknown = await t.call('reg', 'GET', '/api/v1/credit/rule-sets/dg-2024/diff?from=1&to=99');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect(unknown.json()).toMatchObject({ code: 'NOT_FOUND' });
    const otherSet = await t.call('reg', 'GET', '/api/v1/credit/rule-sets/nope/diff?from=1&to=1');
    expect(otherSet.statusCode).toBe(404);
    const missing = await t.call('reg', 'GET', '/api/v1/credit/rule-sets/dg-2024/diff?from=1');
    expect(missing.statusCode).toBe(400);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    const town = await t.call('town', 'GET', '/api/v1/credit/rule-sets/dg-2024/diff?from=1&to=1');
    expect(town.statusCode).toBe(403);
  });
  it('labels a published future version as scheduled, then in force on its date, the old one superseded', async () => {
    const standing = async () =>
      Object.fromEntries(
        (await t.call('reg', 'GET', '/api/v1/credit/rule-sets'))
          .json()
          .items.map((m: { version: number; standing: string }) => [m.version, m.standing]),
      );
    expect(await standing()).toEqual({ 1: 'inForce', 2: 'draft' });
    const published = await t.call('admin', 'POST', '/api/v1/credit/rule-sets/dg-2024/2/publish');
    expect(published.statusCode, published.body).toBe(200);
    expect(await standing()).toEqual({ 1: 'inForce', 2: 'scheduled' });
    const detail = (await t.call('reg', 'GET', '/api/v1/credit/rule-sets/dg-2024/2')).json();
    expect(detail).toMatchObject({ standing: 'scheduled', inForce: false, effectiveFrom: '2026-04-01' });

    clock.set('2026-04-01T01:00:00Z'); // 09:00 in Dongguan on the effective date
    await signIn('reg'); // a month later the old session has lapsed
    try {
      expect(await standing()).toEqual({ 1: 'superseded', 2: 'inForce' });
      const now = (await t.call('reg', 'GET', '/api/v1/credit/rule-sets/dg-2024/2')).json();
      expect(now).toMatchObject({ standing: 'inForce', inForce: true });
    } finally {
      clock.set('2026-03-02T02:00:00Z');
      await signIn('reg');
    }
  });
});
