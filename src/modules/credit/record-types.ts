// The kinds of supervisory fact a regulator can enter by hand until the module that produces each
// exists, with the form each needs. Field names are the event's payload fields (catalogue.ts), so a
// hand-entered fact and one from its module are the same event.
import type { Message } from '../../core/errors.js';
import { EVENT_CATALOGUE, type EventType } from '../../platform/events/catalogue.js';
import { own } from './own.js';

export type FieldSpec = {
  name: string;
  label: Message;
  kind: 'text' | 'select' | 'integer';
  required: boolean;
  options?: { value: string; label: Message }[];
  min?: number;
  max?: number;
};

export type RecordTypeSpec = { type: string; label: Message; fields: FieldSpec[] };

const m = (zh: string, en: string): Message => ({ zh, en });
const text = (name: string, label: Message, required = true): FieldSpec => ({
  name,
  label,
  kind: 'text',
  required,
});
const select = (name: string, label: Message, options: [string, string, string][]): FieldSpec => ({
  name,
  label,
  kind: 'select',
  required: true,
  options: options.map(([value, zh, en]) => ({ value, label: m(zh, en) })),
});

export const RECORD_TYPES: RecordTypeSpec[] = [
  {
    type: 'credit.penalty.recorded',
    label: m('行政处罚', 'Administrative penalty'),
    fields: [
      select('penaltyType', m('处罚种类', 'Penalty type'), [
        ['warning', '警告', 'Warning'],
        ['fine', '罚款', 'Fine'],
        ['confiscation', '没收违法所得、没收非法财物', 'Confiscation'],
        ['suspension', '责令停产停业', 'Suspension of production or business'],
        ['licenceRevocation', '吊销许可证件', 'Licence revocation'],
      ]),
      text('decisionNo', m('处罚决定书文号', 'Decision number')),
    ],
  },
  {
    type: 'sampling.sample.failed',
    label: m('监督抽查不合格', 'Failed supervisory sample'),
    fields: [
      select('severity', m('不合格程度', 'Severity'), [
        ['general', '一般不合格', 'General'],
        ['serious', '严重不合格', 'Serious'],
        ['critical', '特别严重(涉及安全、健康)', 'Critical (safety or health)'],
      ]),
      text('sampleNo', m('样品编号', 'Sample number'), false),
      text('productCategory', m('产品类别', 'Product category'), false),
    ],
  },
  {
    type: 'sampling.sample.refused',
    label: m('拒绝监督抽查', 'Refused supervisory sampling'),
    fields: [text('taskNo', m('抽查任务编号', 'Task number'), false)],
  },
  {
    type: 'credit.judgement.recorded',
    label: m('法院生效裁判', 'Final court judgement'),
    fields: [text('caseNo', m('案号', 'Case number')), text('court', m('法院', 'Court'))],
  },
  {
    type: 'credit.complaint.verified',
    label: m('投诉经核查属实', 'Verified complaint'),
    fields: [text('complaintNo', m('投诉编号', 'Complaint number'))],
  },
  {
    type: 'licensing.licence.revoked',
    label: m('生产许可证被吊销', 'Production licence revoked'),
    fields: [
      text('licenceNo', m('许可证编号', 'Licence number')),
      text('decisionNo', m('决定书文号', 'Decision number'), false),
    ],
  },
  {
    type: 'equipment.inspection.overdue',
    label: m('特种设备超期未检', 'Special equipment overdue for inspection'),
    fields: [text('equipmentId', m('设备注册代码', 'Equipment registration code'))],
  },
  {
    type: 'equipment.inspection.failed',
    label: m('特种设备定期检验不合格', 'Special equipment failed inspection'),
    fields: [text('equipmentId', m('设备注册代码', 'Equipment registration code'))],
  },
  {
    type: 'metrology.verification.overdue',
    label: m('强制检定计量器具超期未检', 'Instrument overdue for verification'),
    fields: [text('instrumentId', m('器具编号', 'Instrument number'))],
  },
  {
    type: 'metrology.verification.failed',
    label: m('计量器具检定不合格', 'Instrument failed verification'),
    fields: [text('instrumentId', m('器具编号', 'Instrument number'))],
  },
  {
    type: 'recognition.standard.led',
    label: m('主导制定标准', 'Led a standard'),
    fields: [
      select('level', m('标准层级', 'Level'), [
        ['international', '国际标准', 'International'],
        ['national', '国家标准', 'National'],
        ['industry', '行业标准', 'Industry'],
        ['local', '地方标准', 'Local'],
        ['group', '团体标准', 'Group'],
      ]),
      text('standardCode', m('标准编号', 'Standard code')),
    ],
  },
  {
    type: 'recognition.brand.awarded',
    label: m('广东省名牌产品', 'Guangdong famous brand'),
    fields: [
      select('kind', m('类别', 'Kind'), [
        ['provincialFamousBrand', '广东省名牌产品', 'Provincial famous brand'],
      ]),
      text('product', m('产品', 'Product'), false),
    ],
  },
  {
    type: 'recognition.award.granted',
    label: m('政府质量奖', 'Government quality award'),
    fields: [
      select('level', m('级别', 'Level'), [['municipal', '东莞市政府质量奖', 'Dongguan municipal award']]),
      { name: 'year', label: m('年度', 'Year'), kind: 'integer', required: true, min: 2000, max: 2100 },
    ],
  },
  {
    type: 'credit.cleanRecord.reached',
    label: m('连续多年抽查无不合格', 'Years without a failed sample'),
    fields: [
      select('years', m('年数', 'Years'), [
        ['3', '连续3年', '3 years'],
        ['5', '连续5年', '5 years'],
        ['10', '连续10年', '10 years'],
      ]),
    ],
  },
  {
    type: 'recognition.excellence.practised',
    label: m('导入卓越绩效模式', 'Performance excellence practice'),
    fields: [
      {
        name: 'selfAssessmentScore',
        label: m('自评得分(满分1000)', 'Self-assessment score (of 1000)'),
        kind: 'integer',
        required: false,
        min: 0,
        max: 1000,
      },
    ],
  },
];

export const recordTypeSpec = (type: string) => RECORD_TYPES.find((t) => t.type === type) ?? null;

/** One line in Chinese that says what the record is, from its type and details (stored, chained). */
export function summarize(type: string, details: Record<string, unknown>): string {
  return summaryText(type, details).zh;
}

/** What the record is, in both languages: the type (and its leading option), then the other fields. */
export function summaryText(type: string, details: Record<string, unknown>): Message {
  const spec = recordTypeSpec(type);
  if (!spec) {
    // Facts only the platform produces (the blacklist listing): the catalogue's words and the decision.
    const label = own(EVENT_CATALOGUE as Record<string, (typeof EVENT_CATALOGUE)[EventType]>, type)
      ?.description ?? { zh: type, en: type };
    return typeof details.decisionNo === 'string'
      ? m(`${label.zh} (决定书文号 ${details.decisionNo})`, `${label.en} (decision ${details.decisionNo})`)
      : label;
  }
  const line = (lang: 'zh' | 'en') => {
    const parts: string[] = [];
    let head = spec.label[lang];
    for (const f of spec.fields) {
      const v = details[f.name];
      if (v === undefined || v === null || v === '') continue;
      if (f.kind === 'select') {
        const option = f.options?.find((o) => o.value === String(v));
        if (spec.fields[0] === f && option) head = `${spec.label[lang]}: ${option.label[lang]}`;
        else if (option) parts.push(option.label[lang]);
      } else parts.push(`${f.label[lang]} ${v}`);
    }
    return parts.length > 0 ? `${head} (${parts.join(', ')})` : head;
  };
  return { zh: line('zh'), en: line('en') };
}

/** The producing modules, as a reader names them. */
const PRODUCERS: Record<string, Message> = {
  sampling: m('监督抽查', 'Supervisory sampling'),
  credit: m('信用监管', 'Credit supervision'),
  licensing: m('生产许可', 'Production licensing'),
  equipment: m('特种设备安全监察', 'Special-equipment inspection'),
  metrology: m('计量监督', 'Metrology supervision'),
  recognition: m('质量认定与奖励', 'Quality recognition and awards'),
};

/** The document fields that name where a fact comes from, in order of preference. */
const REFERENCE_FIELDS: [string, Message][] = [
  ['decisionNo', m('决定书', 'decision')],
  ['caseNo', m('判决书', 'judgement')],
  ['licenceNo', m('许可证', 'licence')],
  ['sampleNo', m('抽样单', 'sample')],
  ['taskNo', m('抽查任务', 'task')],
  ['complaintNo', m('投诉', 'complaint')],
  ['equipmentId', m('设备', 'equipment')],
  ['instrumentId', m('器具', 'instrument')],
  ['standardCode', m('标准', 'standard')],
];

/**
 * Where a record comes from, readably: who recorded it (the producing module, a regulator's entry,
 * a correction) and the document it rests on (decision, judgement, sample…) when its details name one.
 */
export function recordSource(
  type: string,
  details: Record<string, unknown>,
  kind: 'event' | 'manual' | 'reversal',
): Message {
  let origin: Message;
  if (kind === 'reversal')
    origin =
      typeof details.objectionId === 'string'
        ? m('异议成立后更正', 'Corrected after an upheld objection')
        : m('监管部门更正', 'Corrected by the bureau');
  else if (type === 'credit.blacklist.listed')
    origin = m('严重违法失信名单列入决定', 'Blacklist listing decision');
  else if (type === 'credit.cleanRecord.reached')
    origin = m('监督抽查结果汇总', 'Sampling results over the years');
  else if (kind === 'manual') origin = m('监管部门录入', 'Entered by the bureau');
  else {
    const producer = own(
      EVENT_CATALOGUE as Record<string, (typeof EVENT_CATALOGUE)[EventType]>,
      type,
    )?.producer;
    origin = (producer && own(PRODUCERS, producer)) || m('系统', 'System');
  }
  const ref = REFERENCE_FIELDS.find(([f]) => typeof details[f] === 'string' && details[f] !== '');
  if (!ref) return origin;
  const v = String(details[ref[0]]);
  return m(`${origin.zh} · ${ref[1].zh} ${v}`, `${origin.en} · ${ref[1].en} ${v}`);
}

/**
 * Checks a form's details against the type's fields; returns the payload fields (selects of numbers
 * become numbers) or the field errors.
 */
export function parseDetails(
  spec: RecordTypeSpec,
  raw: Record<string, unknown>,
):
  | { ok: true; value: Record<string, string | number> }
  | { ok: false; errors: { field: string; code: string; message: Message }[] } {
  const value: Record<string, string | number> = {};
  const errors: { field: string; code: string; message: Message }[] = [];
  const known = new Set(spec.fields.map((f) => f.name));
  for (const key of Object.keys(raw)) {
    if (!known.has(key))
      errors.push({
        field: `details.${key}`,
        code: 'UNKNOWN_FIELD',
        message: m(`未知字段: ${key}`, `Unknown field: ${key}`),
      });
  }
  for (const f of spec.fields) {
    const v = raw[f.name];
    const empty = v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
    const field = `details.${f.name}`;
    if (empty) {
      if (f.required)
        errors.push({
          field,
          code: 'REQUIRED',
          message: m(`请填写${f.label.zh}`, `${f.label.en} is required`),
        });
      continue;
    }
    if (f.kind === 'integer') {
      const n = typeof v === 'number' ? v : Number(String(v).trim());
      if (!Number.isInteger(n) || (f.min !== undefined && n < f.min) || (f.max !== undefined && n > f.max))
        errors.push({
          field,
          code: 'INVALID_NUMBER',
          message: m(
            `${f.label.zh}须为${f.min ?? ''}~${f.max ?? ''}之间的整数`,
            `${f.label.en} must be a whole number from ${f.min} to ${f.max}`,
          ),
        });
      else value[f.name] = n;
    } else if (f.kind === 'select') {
      const s = String(v);
      if (!f.options?.some((o) => o.value === s))
        errors.push({
          field,
          code: 'INVALID_OPTION',
          message: m(`${f.label.zh}的取值无效: ${s}`, `Not a valid ${f.label.en}: ${s}`),
        });
      else value[f.name] = /^\d+$/.test(s) ? Number(s) : s;
    } else {
      const s = String(v).trim();
      if (s.length > 100)
        errors.push({
          field,
          code: 'TOO_LONG',
          message: m(`${f.label.zh}不能超过100字`, `${f.label.en} is limited to 100 characters`),
        });
      else value[f.name] = s;
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}
