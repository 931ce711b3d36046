/** Small pieces the sampling pages share: state tags, verdicts, item classes, reference queries. */
import { useQuery } from '@tanstack/react-query';
import { Tag, TreeSelect, Typography } from 'antd';
import { type CSSProperties, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { api, pickText } from '../api/client';
import { useIsEnglish } from '../api/reference';
import type { ListOf, ProductCategory } from '../api/types';
import type { ItemClass, PlanState, SampleState, TaskState, Verdict } from './api';

const DAY = 24 * 60 * 60_000;

/** The product-category catalogue (as the admin page reads it), for names and pickers. */
export function useProductCategories() {
  return useQuery({
    queryKey: ['product-categories'],
    queryFn: ({ signal }) =>
      api.get<ListOf<ProductCategory>>('/api/v1/product-categories', undefined, signal),
    select: (d) => d.items,
    staleTime: DAY,
  });
}

/** The catalogue as a tree for pickers (retired categories cannot be chosen), and names by code. */
export function useCategoryTree() {
  const en = useIsEnglish();
  const { data } = useProductCategories();
  return useMemo(() => {
    type Node = { value: string; title: string; disabled?: boolean; children?: Node[] };
    const sorted = [...(data ?? [])].sort((a, b) => a.code.localeCompare(b.code));
    const nodes = new Map<string, Node>();
    const label = (c: ProductCategory) => `${c.code} ${en ? c.nameEn || c.name : c.name}`;
    for (const c of sorted) nodes.set(c.code, { value: c.code, title: label(c), disabled: !c.active });
    const roots: Node[] = [];
    for (const c of sorted) {
      const node = nodes.get(c.code)!;
      const parent = c.parentCode ? nodes.get(c.parentCode) : undefined;
      if (parent && parent !== node) {
        parent.children ??= [];
        parent.children.push(node);
      } else roots.push(node);
    }
    const names = new Map((data ?? []).map((c) => [c.code, en ? c.nameEn || c.name : c.name]));
    return { tree: roots, names };
  }, [data, en]);
}

export function CategorySelect(props: {
  value?: string;
  onChange?: (v: string | undefined) => void;
  placeholder?: string;
  style?: CSSProperties;
  allowClear?: boolean;
  'data-testid'?: string;
}) {
  const { tree } = useCategoryTree();
  return (
    <TreeSelect
      value={props.value}
      onChange={(v) => props.onChange?.((v as string | undefined) ?? undefined)}
      treeData={tree}
      allowClear={props.allowClear}
      placeholder={props.placeholder}
      showSearch={{ treeNodeFilterProp: 'title' }}
      style={props.style}
      popupMatchSelectWidth={false}
      styles={{ popup: { root: { maxHeight: 420, overflow: 'auto', minWidth: 320 } } }}
      data-testid={props['data-testid']}
    />
  );
}

const PLAN_STATE_COLORS: Record<PlanState, string> = {
  draft: 'default',
  published: 'success',
  superseded: 'warning',
};

export function PlanStateTag({ state }: { state: PlanState }) {
  const { t } = useTranslation();
  return (
    <Tag
      color={PLAN_STATE_COLORS[state] ?? 'default'}
      style={{ marginInlineEnd: 0 }}
      data-testid="plan-state"
    >
      {t(`sampling.planState.${state}`, { defaultValue: state })}
    </Tag>
  );
}

const TASK_STATE_COLORS: Record<TaskState, string> = {
  assigned: 'processing',
  sampled: 'cyan',
  refused: 'error',
  sentToLab: 'purple',
  tested: 'success',
  cancelled: 'default',
};

export function TaskStateTag({ state }: { state: TaskState }) {
  const { t } = useTranslation();
  return (
    <Tag color={TASK_STATE_COLORS[state] ?? 'default'} style={{ marginInlineEnd: 0 }}>
      {t(`sampling.taskState.${state}`, { defaultValue: state })}
    </Tag>
  );
}

const SAMPLE_STATE_COLORS: Record<SampleState, string> = {
  sentToLab: 'purple',
  reported: 'processing',
  final: 'default',
};

export function SampleStateTag({ state }: { state: SampleState }) {
  const { t } = useTranslation();
  return (
    <Tag color={SAMPLE_STATE_COLORS[state] ?? 'default'} style={{ marginInlineEnd: 0 }}>
      {t(`sampling.sampleState.${state}`, { defaultValue: state })}
    </Tag>
  );
}

export function VerdictTag({
  verdict,
  severity,
}: {
  verdict: Verdict | null | undefined;
  severity?: ItemClass | null;
}) {
  const { t } = useTranslation();
  if (!verdict) return <Typography.Text type="secondary">{t('sampling.verdict.none')}</Typography.Text>;
  return (
    <Tag
      color={verdict === 'pass' ? 'success' : 'error'}
      style={{ marginInlineEnd: 0, fontWeight: 600 }}
      data-testid="sample-verdict"
    >
      {t(`sampling.verdict.${verdict}`)}
      {verdict === 'fail' && severity ? ` · ${t(`sampling.severity.${severity}`)}` : ''}
    </Tag>
  );
}

const CLASS_COLORS: Record<ItemClass, string> = { minor: 'default', major: 'orange', critical: 'red' };

export function ItemClassTag({ value }: { value: ItemClass }) {
  const { t } = useTranslation();
  return (
    <Tag color={CLASS_COLORS[value] ?? 'default'} variant="outlined" style={{ marginInlineEnd: 0 }}>
      {t(`sampling.itemClass.${value}`, { defaultValue: value })}
    </Tag>
  );
}

/** A case state in the UI language: the locale's word, else the server's label, else the code. */
export function useCaseStateText() {
  const { t } = useTranslation();
  return (state: string, label?: { zh: string; en: string }) =>
    t(`sampling.caseState.${state}`, { defaultValue: pickText(label) ?? state });
}

export const CASE_STATES = [
  'opened',
  'notified',
  'objectionWindow',
  'objected',
  'retesting',
  'confirmed',
  'correcting',
  'awaitingNotice',
  'provinceNotified',
  'awaitingSuspension',
  'suspended',
  'awaitingRevocation',
  'closedRectified',
  'closedOverturned',
  'revoked',
] as const;

const CASE_STATE_COLORS: Record<string, string> = {
  closedRectified: 'success',
  closedOverturned: 'default',
  revoked: 'red',
  objectionWindow: 'gold',
  objected: 'gold',
  retesting: 'purple',
  awaitingNotice: 'volcano',
  provinceNotified: 'volcano',
  awaitingSuspension: 'red',
  suspended: 'red',
  awaitingRevocation: 'red',
};

export function CaseStateTag({ state, label }: { state: string; label?: { zh: string; en: string } }) {
  const text = useCaseStateText();
  return (
    <Tag color={CASE_STATE_COLORS[state] ?? 'orange'} style={{ marginInlineEnd: 0 }} data-testid="case-state">
      {text(state, label)}
    </Tag>
  );
}

/** 0.953 → "95.3%"; null → "—". */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return '—';
  return `${Math.round(rate * 1000) / 10}%`;
}

export const mono = { fontFamily: 'monospace' } as const;
