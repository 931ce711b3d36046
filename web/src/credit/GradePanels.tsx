/** The grade card and the explanation that adds up to the score, for the enterprise credit page. */
import { Alert, Descriptions, Flex, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { CreditArchive, GradeView } from '../api/credit';
import { formatPoints, formatRatio, GradeLetter, Points, useText } from './common';

interface GradeCardBodyProps {
  grade: GradeView;
  flags?: CreditArchive['flags'];
}

/** Big letter, label, score, rule set, veto and what the grade means for supervision. */
export function GradeCardBody({ grade, flags }: GradeCardBodyProps) {
  const { t } = useTranslation();
  const text = useText();
  const sup = grade.supervision;
  return (
    <div data-testid="credit-grade-card">
      <Flex gap={20} align="center" wrap>
        <GradeLetter grade={grade.grade} />
        <div style={{ minWidth: 0 }}>
          <Typography.Title level={3} style={{ margin: 0 }} data-testid="credit-grade-label">
            {text(grade.gradeLabel, t(`credit.grade.${grade.grade}`))}
          </Typography.Title>
          <Typography.Text style={{ fontSize: 16 }}>
            {t('credit.page.score')}{' '}
            <Typography.Text strong style={{ fontSize: 22 }} data-testid="credit-grade-score">
              {grade.score}
            </Typography.Text>
            <Typography.Text type="secondary"> {t('credit.page.points')}</Typography.Text>
          </Typography.Text>
          <div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('credit.page.asOf', { date: grade.asOf })}
            </Typography.Text>
          </div>
        </div>
      </Flex>
      {(flags?.blacklisted || flags?.abnormalOperations) && (
        <Space size={8} wrap style={{ marginTop: 12 }}>
          {flags.blacklisted && <Tag color="red">{t('credit.page.flagBlacklisted')}</Tag>}
          {flags.abnormalOperations && <Tag color="orange">{t('credit.page.flagAbnormal')}</Tag>}
        </Space>
      )}
      {grade.vetoApplied && (
        <Alert
          type="error"
          showIcon
          style={{ marginTop: 12 }}
          title={t('credit.page.veto')}
          description={text(grade.vetoApplied.label)}
          data-testid="credit-grade-veto"
        />
      )}
      <Descriptions
        size="small"
        column={1}
        style={{ marginTop: 16 }}
        items={[
          {
            key: 'ruleSet',
            label: t('credit.page.ruleSet'),
            children: (
              <span>
                {text(grade.ruleSet.name)}{' '}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  ({grade.ruleSet.id} v{grade.ruleSet.version})
                </Typography.Text>
              </span>
            ),
          },
          {
            key: 'draw',
            label: t('credit.page.drawRatio'),
            children: (
              <Typography.Text strong data-testid="credit-draw-ratio">
                {formatRatio(sup.drawRatio)}
              </Typography.Text>
            ),
          },
          {
            key: 'onSite',
            label: t('credit.page.onSiteCheck'),
            children: t(`credit.onSiteCheck.${sup.onSiteCheck}`, { defaultValue: sup.onSiteCheck }),
          },
          {
            key: 'inspections',
            label: t('credit.page.inspectionsPerYear'),
            children: t('credit.page.timesPerYear', { n: sup.inspectionsPerYear }),
          },
        ]}
      />
    </div>
  );
}

interface ExplanationRow {
  key: string;
  kind: 'base' | 'contribution' | 'bounds' | 'veto';
  label: string;
  seq?: number;
  occurredOn?: string;
  expiresOn?: string;
  points: number | null;
}

interface ExplanationProps {
  grade: GradeView;
  /** Record id → sequence number, to name records the way the record list does. */
  seqOf?: (recordId: string) => number | undefined;
}

/** 基础分 + each contribution = score, as a table with a total row. */
export function GradeExplanation({ grade, seqOf }: ExplanationProps) {
  const { t } = useTranslation();
  const text = useText();
  const sum = grade.contributions.reduce((n, c) => n + c.points, 0);
  const rows: ExplanationRow[] = [
    { key: 'base', kind: 'base', label: t('credit.page.base'), points: grade.base },
    ...grade.contributions.map(
      (c): ExplanationRow => ({
        key: c.recordId,
        kind: 'contribution',
        label: text(c.ruleLabel, c.rule),
        seq: seqOf?.(c.recordId),
        occurredOn: c.occurredOn,
        expiresOn: c.expiresOn,
        points: c.points,
      }),
    ),
  ];
  if (grade.score !== grade.rawScore) {
    rows.push({
      key: 'bounds',
      kind: 'bounds',
      label: t('credit.page.bounds', { raw: grade.rawScore }),
      points: grade.score - grade.rawScore,
    });
  }
  if (grade.vetoApplied) {
    rows.push({ key: 'veto', kind: 'veto', label: text(grade.vetoApplied.label), points: null });
  }
  const addsUp = grade.base + sum === grade.rawScore;
  // Each term while the line stays short, otherwise the sum of the contributions.
  const terms =
    grade.contributions.length <= 8 ? grade.contributions.map((c) => c.points) : sum !== 0 ? [sum] : [];
  const formula = [
    String(grade.base),
    ...terms.map((p) => (p < 0 ? `− ${-p}` : `+ ${p}`)),
    ...(grade.score !== grade.rawScore ? [`→ ${grade.score}`] : []),
  ].join(' ');

  return (
    <div data-testid="credit-explanation">
      <Table<ExplanationRow>
        size="small"
        rowKey="key"
        pagination={false}
        dataSource={rows}
        columns={[
          {
            title: t('credit.page.item'),
            dataIndex: 'label',
            render: (label: string, r) => (
              <Space size={6} align="start">
                {r.kind === 'base' && <Typography.Text strong>{label}</Typography.Text>}
                {r.kind === 'contribution' && (
                  <>
                    {r.seq !== undefined && (
                      <Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>
                        #{r.seq}
                      </Typography.Text>
                    )}
                    <span>{label}</span>
                  </>
                )}
                {r.kind === 'bounds' && <Typography.Text type="secondary">{label}</Typography.Text>}
                {r.kind === 'veto' && (
                  <>
                    <Tag color="red" style={{ marginInlineEnd: 0 }}>
                      {t('credit.page.veto')}
                    </Tag>
                    <span>{label}</span>
                  </>
                )}
              </Space>
            ),
          },
          {
            title: t('credit.records.occurredOn'),
            dataIndex: 'occurredOn',
            width: 110,
            render: (v) => v ?? '',
          },
          {
            title: t('credit.records.expiresOn'),
            dataIndex: 'expiresOn',
            width: 110,
            render: (v) => v ?? '',
          },
          {
            title: t('credit.records.points'),
            dataIndex: 'points',
            width: 90,
            align: 'right',
            render: (v: number | null, r) =>
              v === null ? (
                <Typography.Text type="danger">≤ {grade.grade}</Typography.Text>
              ) : r.kind === 'base' ? (
                <Typography.Text strong>{v}</Typography.Text>
              ) : (
                <Points value={v} />
              ),
          },
        ]}
        summary={() => (
          <Table.Summary.Row style={{ background: '#fafbfc' }}>
            <Table.Summary.Cell index={0} colSpan={3}>
              <Typography.Text strong>
                {t('credit.page.total')} = {formula}
              </Typography.Text>
            </Table.Summary.Cell>
            <Table.Summary.Cell index={1} align="right">
              <Typography.Text strong style={{ fontSize: 16 }} data-testid="credit-explanation-total">
                {grade.score}
              </Typography.Text>
            </Table.Summary.Cell>
          </Table.Summary.Row>
        )}
      />
      {grade.contributions.length === 0 && (
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8 }}>
          {t('credit.page.noContributions')}
        </Typography.Text>
      )}
      {grade.reversed.length > 0 && (
        <Typography.Text type="secondary" style={{ display: 'block', marginTop: 8, fontSize: 12 }}>
          {t('credit.page.reversedNote', {
            list: grade.reversed.map((r) => `#${seqOf?.(r.recordId) ?? r.recordId.slice(0, 8)}`).join('、'),
          })}
        </Typography.Text>
      )}
      {!addsUp && (
        <Alert
          type="warning"
          showIcon
          style={{ marginTop: 8 }}
          title={t('credit.page.mismatch', { base: grade.base, sum: formatPoints(sum), raw: grade.rawScore })}
        />
      )}
    </div>
  );
}
