/** Small pieces the credit pages share: tags for grades and states, signed points, query keys. */
import { PaperClipOutlined } from '@ant-design/icons';
import { Flex, Tag, Tooltip, Typography } from 'antd';
import type { CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { pickText } from '../api/client';
import {
  type BlacklistState,
  creditUrls,
  type EvidenceRef,
  GRADE_COLORS,
  GRADE_TAG_COLORS,
  type Grade,
  type ObjectionState,
  type RecordStatus,
  type Severity,
  type Text,
} from '../api/credit';

/** Query keys: everything under ['credit'] is dropped together after a write that regrades. */
export const creditKeys = {
  all: ['credit'] as const,
  archive: (uscc: string) => ['credit', 'archive', uscc] as const,
  records: (uscc: string) => ['credit', 'records', uscc] as const,
  gradeAsOf: (uscc: string, asOf: string) => ['credit', 'grade', uscc, asOf] as const,
  recordTypes: ['credit', 'record-types'] as const,
  mine: ['credit', 'mine'] as const,
  objections: (filters: object) => ['credit', 'objections', filters] as const,
  blacklist: (filters: object) => ['credit', 'blacklist', filters] as const,
  stats: ['credit', 'stats'] as const,
  policy: ['credit', 'supervision-policy'] as const,
};

/** A bilingual label in the UI language; re-renders with the language because it uses the hook. */
export function useText() {
  useTranslation();
  return (text: Text | string | null | undefined, fallback = '—') => pickText(text) ?? fallback;
}

/** The link to an enterprise's credit page. */
export function creditPath(uscc: string): string {
  return `/credit/enterprises/${encodeURIComponent(uscc)}`;
}

export function GradeTag({ grade, label }: { grade: Grade; label?: Text }) {
  const { t } = useTranslation();
  const text = pickText(label) ?? t(`credit.grade.${grade}`);
  return (
    <Tag color={GRADE_TAG_COLORS[grade]} style={{ marginInlineEnd: 0, fontWeight: 600 }}>
      {grade} · {text}
    </Tag>
  );
}

/** The big grade letter of the grade card. */
export function GradeLetter({ grade, size = 72 }: { grade: Grade; size?: number }) {
  return (
    <div
      data-testid="credit-grade-letter"
      style={{
        width: size * 1.25,
        height: size * 1.25,
        borderRadius: 12,
        border: `3px solid ${GRADE_COLORS[grade]}`,
        color: GRADE_COLORS[grade],
        background: `${GRADE_COLORS[grade]}12`,
        fontSize: size,
        fontWeight: 700,
        lineHeight: 1,
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        flex: 'none',
      }}
    >
      {grade}
    </div>
  );
}

const RECORD_STATUS_COLORS: Record<RecordStatus, string> = {
  active: 'processing',
  expired: 'default',
  reversed: 'warning',
  pending: 'cyan',
  reversal: 'purple',
};

export function RecordStatusTag({ status }: { status: RecordStatus }) {
  const { t } = useTranslation();
  return (
    <Tag color={RECORD_STATUS_COLORS[status] ?? 'default'} style={{ marginInlineEnd: 0 }}>
      {t(`credit.recordStatus.${status}`, { defaultValue: status })}
    </Tag>
  );
}

const OBJECTION_COLORS: Record<ObjectionState, string> = {
  submitted: 'gold',
  underReview: 'processing',
  upheld: 'success',
  rejected: 'error',
  withdrawn: 'default',
};

export function ObjectionStateTag({ state, label }: { state: ObjectionState; label?: Text }) {
  const { t } = useTranslation();
  return (
    <Tag color={OBJECTION_COLORS[state] ?? 'default'} style={{ marginInlineEnd: 0 }}>
      {t(`credit.objectionState.${state}`, { defaultValue: pickText(label) ?? state })}
    </Tag>
  );
}

const BLACKLIST_COLORS: Record<BlacklistState, string> = {
  candidate: 'gold',
  notified: 'orange',
  listed: 'volcano',
  published: 'red',
  removedEarly: 'green',
  expired: 'default',
  withdrawn: 'default',
};

export function BlacklistStateTag({ state, label }: { state: BlacklistState; label?: Text }) {
  const { t } = useTranslation();
  return (
    <Tag color={BLACKLIST_COLORS[state] ?? 'default'} style={{ marginInlineEnd: 0 }}>
      {t(`credit.blacklistState.${state}`, { defaultValue: pickText(label) ?? state })}
    </Tag>
  );
}

const SEVERITY_COLORS: Record<Severity, string> = {
  info: 'default',
  minor: 'gold',
  major: 'orange',
  serious: 'red',
};

export function SeverityTag({ severity }: { severity: Severity }) {
  const { t } = useTranslation();
  return (
    <Tag color={SEVERITY_COLORS[severity] ?? 'default'} variant="outlined" style={{ marginInlineEnd: 0 }}>
      {t(`credit.severity.${severity}`, { defaultValue: severity })}
    </Tag>
  );
}

export const POSITIVE_COLOR = '#389e0d';
export const NEGATIVE_COLOR = '#cf1322';

/** `+5` in green, `−10` in red, `0` plain. */
export function Points({ value, strong, style }: { value: number; strong?: boolean; style?: CSSProperties }) {
  const color = value > 0 ? POSITIVE_COLOR : value < 0 ? NEGATIVE_COLOR : undefined;
  return (
    <Typography.Text strong={strong} style={{ color, fontVariantNumeric: 'tabular-nums', ...style }}>
      {formatPoints(value)}
    </Typography.Text>
  );
}

export function formatPoints(value: number): string {
  if (value > 0) return `+${value}`;
  if (value < 0) return `−${Math.abs(value)}`;
  return '0';
}

/** 0.05 → "5%", 0.025 → "2.5%". */
export function formatRatio(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10}%`;
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${Math.round(size / 102.4) / 10} KB`;
  return `${Math.round(size / (1024 * 104.8576)) / 10} MB`;
}

/**
 * Attached files as download links (GET /api/v1/credit/evidence/{id}), one a line, each with its
 * name and size; "—" when there are none.
 */
export function EvidenceList({ files, maxWidth = 140 }: { files: EvidenceRef[]; maxWidth?: number }) {
  if (!files.length) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Flex vertical gap={2} align="flex-start">
      {files.map((ev) => (
        <Tooltip key={ev.id} title={`${ev.filename} · ${formatBytes(ev.size)}`}>
          <a
            href={creditUrls.evidence(ev.id)}
            target="_blank"
            rel="noreferrer"
            style={{
              fontSize: 12,
              maxWidth,
              display: 'inline-block',
              overflow: 'hidden',
              textOverflow: 'ellipsis',
              whiteSpace: 'nowrap',
            }}
            data-testid="credit-evidence-link"
          >
            <PaperClipOutlined /> {ev.filename}
          </a>
        </Tooltip>
      ))}
    </Flex>
  );
}

/** Style for table rows that are past a deadline. */
export const OVERDUE_ROW_STYLE: CSSProperties = { background: '#fff1f0' };

/** A queue's filters live in the URL: the current params, and a setter that drops emptied keys. */
export function useUrlFilters() {
  const [params, setParams] = useSearchParams();
  const setFilter = (patch: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next);
  };
  return [params, setFilter] as const;
}
