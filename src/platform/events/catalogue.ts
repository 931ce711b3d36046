// The catalogue of every event type in Zhihui: name, producer, meaning, payload schema.
// An event not listed here cannot be emitted. Later modules add their rows here, so this file
// is the one place to read what the platform knows happens.
import { type Static, type TSchema, Type } from 'typebox';

export type EventSpec<S extends TSchema = TSchema> = {
  type: string;
  producer: string;
  description: { zh: string; en: string };
  payload: S;
};

const spec = <S extends TSchema>(s: EventSpec<S>) => s;

const EnterpriseRef = { enterpriseId: Type.String(), uscc: Type.String() };

export const EVENT_CATALOGUE = {
  'registry.enterprise.created': spec({
    type: 'registry.enterprise.created',
    producer: 'registry',
    description: { zh: '企业登记入库', en: 'An enterprise entered the register' },
    payload: Type.Object({ ...EnterpriseRef, name: Type.String(), source: Type.String() }),
  }),
  'registry.enterprise.updated': spec({
    type: 'registry.enterprise.updated',
    producer: 'registry',
    description: { zh: '企业登记信息变更', en: 'Registered details of an enterprise changed' },
    payload: Type.Object({ ...EnterpriseRef, fields: Type.Array(Type.String()), source: Type.String() }),
  }),
  'registry.enterprise.statusChanged': spec({
    type: 'registry.enterprise.statusChanged',
    producer: 'registry',
    description: { zh: '企业经营状态变更', en: 'The operating status of an enterprise changed' },
    payload: Type.Object({ ...EnterpriseRef, from: Type.String(), to: Type.String() }),
  }),

  // --- supervisory facts that the quality-credit rule set scores (docs: data/credit/README.md).
  // Their producing modules come later; until then a regulator records them by hand.
  'sampling.sample.failed': spec({
    type: 'sampling.sample.failed',
    producer: 'sampling',
    description: {
      zh: '监督抽查不合格（复检后为最终结论）',
      en: 'A supervisory sample failed (final after any re-test)',
    },
    payload: Type.Object({
      ...EnterpriseRef,
      severity: Type.Union([Type.Literal('general'), Type.Literal('serious'), Type.Literal('critical')]),
      sampleNo: Type.Optional(Type.String()),
      productCategory: Type.Optional(Type.String()),
    }),
  }),
  'sampling.sample.refused': spec({
    type: 'sampling.sample.refused',
    producer: 'sampling',
    description: { zh: '拒绝监督抽查', en: 'The enterprise refused supervisory sampling' },
    payload: Type.Object({ ...EnterpriseRef, taskNo: Type.Optional(Type.String()) }),
  }),
  'sampling.sample.passed': spec({
    type: 'sampling.sample.passed',
    producer: 'sampling',
    description: {
      zh: '监督抽查合格（最终结论）',
      en: 'A supervisory sample passed (final)',
    },
    payload: Type.Object({
      ...EnterpriseRef,
      sampleNo: Type.String(),
      productCategory: Type.Optional(Type.String()),
    }),
  }),
  // A re-test on the backup sample overturned a failure: the failure (the event `failedEventId`)
  // no longer stands, and the credit record scored from it is reversed.
  'sampling.sample.overturned': spec({
    type: 'sampling.sample.overturned',
    producer: 'sampling',
    description: {
      zh: '复检推翻原监督抽查不合格结论',
      en: 'A re-test overturned a failed supervisory sample',
    },
    payload: Type.Object({ ...EnterpriseRef, sampleNo: Type.String(), failedEventId: Type.String() }),
  }),
  // One per step of the post-processing (后处理) of a failed sample: notice, objection, re-test,
  // correction order, re-inspections, provincial notice, suspension, revocation.
  'sampling.case.transitioned': spec({
    type: 'sampling.case.transitioned',
    producer: 'sampling',
    description: { zh: '不合格后处理环节变更', en: 'A post-processing case moved to its next step' },
    payload: Type.Object({
      ...EnterpriseRef,
      caseId: Type.String(),
      sampleNo: Type.String(),
      from: Type.String(),
      to: Type.String(),
      action: Type.String(),
      dueOn: Type.Optional(Type.String()),
    }),
  }),
  // A plan's double-random draw was published (no enterprise: the drawn list stays secret until
  // sampling is done; the seed lets anyone repeat the draw from its stored record).
  'sampling.draw.published': spec({
    type: 'sampling.draw.published',
    producer: 'sampling',
    description: { zh: '抽查计划双随机抽取结果发布', en: 'The double-random draw of a plan was published' },
    payload: Type.Object({
      planId: Type.String(),
      planCode: Type.String(),
      drawId: Type.String(),
      seed: Type.Integer(),
      drawn: Type.Integer({ minimum: 0 }),
    }),
  }),
  'credit.penalty.recorded': spec({
    type: 'credit.penalty.recorded',
    producer: 'credit',
    description: { zh: '行政处罚', en: 'An administrative penalty was decided' },
    payload: Type.Object({
      ...EnterpriseRef,
      penaltyType: Type.Union([
        Type.Literal('warning'),
        Type.Literal('fine'),
        Type.Literal('confiscation'),
        Type.Literal('suspension'),
        Type.Literal('licenceRevocation'),
      ]),
      decisionNo: Type.String(),
    }),
  }),
  'licensing.licence.revoked': spec({
    type: 'licensing.licence.revoked',
    producer: 'licensing',
    description: { zh: '生产许可证被吊销', en: 'A production licence was revoked' },
    payload: Type.Object({
      ...EnterpriseRef,
      licenceNo: Type.String(),
      decisionNo: Type.Optional(Type.String()),
    }),
  }),
  'equipment.inspection.overdue': spec({
    type: 'equipment.inspection.overdue',
    producer: 'equipment',
    description: { zh: '特种设备超期未检验', en: 'Special equipment is overdue for inspection' },
    payload: Type.Object({ ...EnterpriseRef, equipmentId: Type.String() }),
  }),
  'equipment.inspection.failed': spec({
    type: 'equipment.inspection.failed',
    producer: 'equipment',
    description: { zh: '特种设备定期检验不合格', en: 'Special equipment failed its periodic inspection' },
    payload: Type.Object({ ...EnterpriseRef, equipmentId: Type.String() }),
  }),
  'metrology.verification.overdue': spec({
    type: 'metrology.verification.overdue',
    producer: 'metrology',
    description: { zh: '强制检定计量器具超期未检', en: 'A compulsorily verified instrument is overdue' },
    payload: Type.Object({ ...EnterpriseRef, instrumentId: Type.String() }),
  }),
  'metrology.verification.failed': spec({
    type: 'metrology.verification.failed',
    producer: 'metrology',
    description: { zh: '计量器具检定不合格', en: 'An instrument failed verification' },
    payload: Type.Object({ ...EnterpriseRef, instrumentId: Type.String() }),
  }),
  'credit.judgement.recorded': spec({
    type: 'credit.judgement.recorded',
    producer: 'credit',
    description: {
      zh: '因产品质量承担法律责任的生效裁判',
      en: 'A final court judgement holding the enterprise liable over product quality',
    },
    payload: Type.Object({ ...EnterpriseRef, caseNo: Type.String(), court: Type.String() }),
  }),
  'credit.complaint.verified': spec({
    type: 'credit.complaint.verified',
    producer: 'credit',
    description: { zh: '质量投诉经核查属实', en: 'A quality complaint was verified' },
    payload: Type.Object({ ...EnterpriseRef, complaintNo: Type.String() }),
  }),
  ...blacklistEvents(),
  'recognition.standard.led': spec({
    type: 'recognition.standard.led',
    producer: 'recognition',
    description: { zh: '主导制定标准', en: 'Led the drafting of a standard' },
    payload: Type.Object({
      ...EnterpriseRef,
      level: Type.Union([
        Type.Literal('international'),
        Type.Literal('national'),
        Type.Literal('industry'),
        Type.Literal('local'),
        Type.Literal('group'),
      ]),
      standardCode: Type.String(),
    }),
  }),
  'recognition.brand.awarded': spec({
    type: 'recognition.brand.awarded',
    producer: 'recognition',
    description: { zh: '获评名牌产品', en: 'A product was named a famous brand' },
    payload: Type.Object({
      ...EnterpriseRef,
      kind: Type.Literal('provincialFamousBrand'),
      product: Type.Optional(Type.String()),
    }),
  }),
  'recognition.award.granted': spec({
    type: 'recognition.award.granted',
    producer: 'recognition',
    description: { zh: '获得政府质量奖', en: 'Received a government quality award' },
    payload: Type.Object({ ...EnterpriseRef, level: Type.Literal('municipal'), year: Type.Integer() }),
  }),
  'credit.cleanRecord.reached': spec({
    type: 'credit.cleanRecord.reached',
    producer: 'credit',
    description: { zh: '连续多年抽查无不合格', en: 'Years without a failed sample reached' },
    payload: Type.Object({
      ...EnterpriseRef,
      years: Type.Union([Type.Literal(3), Type.Literal(5), Type.Literal(10)]),
    }),
  }),
  'recognition.excellence.practised': spec({
    type: 'recognition.excellence.practised',
    producer: 'recognition',
    description: { zh: '导入卓越绩效管理模式', en: 'Practises performance excellence (GB/T 19580)' },
    payload: Type.Object({
      ...EnterpriseRef,
      selfAssessmentScore: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
    }),
  }),
  ...objectionEvents(),
} as const;

// The blacklist lifecycle (src/modules/credit/blacklist.ts): one event per transition, the same payload.
function blacklistEvents() {
  const states = {
    candidate: ['拟列入严重违法失信名单', 'Proposed for the blacklist'],
    notified: ['告知拟列入严重违法失信名单', 'Notified of the proposed blacklisting'],
    listed: ['列入严重违法失信名单', 'Listed as seriously untrustworthy (blacklist)'],
    published: ['严重违法失信名单公示', 'Blacklisting published on the portal'],
    removalApplied: ['申请提前移出严重违法失信名单', 'Applied for early removal from the blacklist'],
    removalRejected: ['提前移出申请未获批准', 'Early removal refused'],
    removedEarly: ['提前移出严重违法失信名单', 'Removed early from the blacklist'],
    expired: ['严重违法失信名单期满移出', 'Left the blacklist at the end of its term'],
    withdrawn: ['撤销列入严重违法失信名单', 'Blacklisting withdrawn (penalty revoked)'],
  } as const;
  const payload = Type.Object({ ...EnterpriseRef, entryId: Type.String(), state: Type.String() });
  type Name = `credit.blacklist.${keyof typeof states}`;
  return Object.fromEntries(
    Object.entries(states).map(([state, [zh, en]]) => [
      `credit.blacklist.${state}`,
      spec({ type: `credit.blacklist.${state}`, producer: 'credit', description: { zh, en }, payload }),
    ]),
  ) as Record<Name, EventSpec<typeof payload>>;
}

// Objections to credit records (src/modules/credit/objections.ts), one event per state reached.
function objectionEvents() {
  const states = {
    submitted: ['对信用记录提出异议', 'An objection to a credit record was submitted'],
    underReview: ['异议进入审查', 'An objection is under review'],
    upheld: ['异议成立, 信用记录已更正', 'An objection was upheld; the record is reversed'],
    rejected: ['异议不成立', 'An objection was rejected'],
    withdrawn: ['异议已撤回', 'An objection was withdrawn'],
  } as const;
  const payload = Type.Object({ ...EnterpriseRef, objectionId: Type.String(), recordId: Type.String() });
  type Name = `credit.objection.${keyof typeof states}`;
  return Object.fromEntries(
    Object.entries(states).map(([state, [zh, en]]) => [
      `credit.objection.${state}`,
      spec({ type: `credit.objection.${state}`, producer: 'credit', description: { zh, en }, payload }),
    ]),
  ) as Record<Name, EventSpec<typeof payload>>;
}

export type EventType = keyof typeof EVENT_CATALOGUE;
export type EventPayload<T extends EventType> = Static<(typeof EVENT_CATALOGUE)[T]['payload']>;
