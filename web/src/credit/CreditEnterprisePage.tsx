/**
 * 企业质量信用档案: the grade (and why), its history, and every credit record with what can be
 * done to it — enter a record, reverse one, object, reply — depending on the user's abilities.
 */

import { ArrowLeftOutlined, FilePdfOutlined, HistoryOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Flex,
  Result,
  Row,
  Select,
  Space,
  Spin,
  Table,
  type TableColumnsType,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { isApiError, showSuccess } from '../api/client';
import {
  type CreditArchive,
  creditApi,
  creditUrls,
  type ObjectionView,
  RECORD_STATUSES,
  type RecordAndGrade,
  type RecordStatus,
  type RecordView,
} from '../api/credit';
import { useRefNames } from '../api/reference';
import { useSession } from '../auth/session';
import { businessToday, formatDateTime } from '../components/format';
import PageTitle from '../components/PageTitle';
import {
  creditKeys,
  EvidenceList,
  GradeTag,
  ObjectionStateTag,
  Points,
  RecordStatusTag,
  SeverityTag,
  useText,
} from './common';
import GradeHistoryChart from './GradeHistoryChart';
import { GradeCardBody, GradeExplanation } from './GradePanels';
import RecordDrawer from './RecordDrawer';
import RecordModal, { type RecordModalKind } from './RecordModals';

const OPEN_OBJECTION = new Set(['submitted', 'underReview']);

function canReverse(r: RecordView): boolean {
  return r.kind !== 'reversal' && (r.status === 'active' || r.status === 'pending');
}

function canObject(r: RecordView): boolean {
  return (
    r.kind !== 'reversal' &&
    r.status !== 'reversed' &&
    r.status !== 'expired' &&
    !(r.objection && OPEN_OBJECTION.has(r.objection.state))
  );
}

/** A reply stands beside a record the public can see while it counts. */
function canReply(r: RecordView): boolean {
  return r.kind !== 'reversal' && (r.status === 'active' || r.status === 'pending');
}

function RecordDetails({ record, seqOf }: { record: RecordView; seqOf: (id: string) => number | undefined }) {
  const { t } = useTranslation();
  const text = useText();
  // The record types (readable by everyone who reads archives) name the fields and their coded
  // values; the list is cached for the session. Until it arrives, or if it fails, raw names show.
  const types = useQuery({
    queryKey: creditKeys.recordTypes,
    queryFn: ({ signal }) => creditApi.recordTypes(signal),
    select: (d) => d.items,
    staleTime: 10 * 60_000,
    meta: { silent: true },
  });
  const fields = types.data?.find((x) => x.type === record.eventType)?.fields ?? [];
  // Facts only the platform produces (the blacklist listing) have no form of their own: their fields
  // (decisionNo…) take the label another type gives the same field name.
  const anyField = (name: string) =>
    types.data?.flatMap((x) => x.fields).find((f) => f.name === name && f.kind !== 'select');
  const detailItems = Object.entries(record.details ?? {}).map(([k, v]) => {
    const field = fields.find((f) => f.name === k) ?? anyField(k);
    const option = field?.options?.find((o) => o.value === String(v));
    return {
      key: `d-${k}`,
      label: field ? text(field.label, k) : t(`credit.detailLabel.${k}`, { defaultValue: k }),
      children: option ? (
        text(option.label, String(v))
      ) : (
        <span style={{ whiteSpace: 'pre-wrap' }}>{String(v)}</span>
      ),
    };
  });
  return (
    <Descriptions
      size="small"
      column={{ xs: 1, md: 2, xl: 3 }}
      style={{ maxWidth: 1100 }}
      items={[
        ...detailItems,
        ...(record.source
          ? [{ key: 'source', label: t('credit.records.source'), children: text(record.source) }]
          : []),
        {
          key: 'event',
          label: t('credit.records.event'),
          children: `${text(record.eventLabel)} (${record.eventType})`,
        },
        {
          key: 'rule',
          label: t('credit.records.rule'),
          children: `${text(record.ruleLabel)} (${record.ruleId} · ${record.ruleSet.id} v${record.ruleSet.version})`,
        },
        {
          key: 'severity',
          label: t('credit.records.severity'),
          children: <SeverityTag severity={record.severity} />,
        },
        {
          key: 'publishable',
          label: t('credit.records.publishable'),
          children: record.publishable ? t('common.yes') : t('common.no'),
        },
        { key: 'effectiveOn', label: t('credit.records.effectiveOn'), children: record.effectiveOn },
        { key: 'recordedBy', label: t('credit.records.recordedBy'), children: record.recordedBy || '—' },
        {
          key: 'recordedAt',
          label: t('credit.records.recordedAt'),
          children: formatDateTime(record.recordedAt),
        },
        ...(record.reversesId
          ? [
              {
                key: 'reverses',
                label: t('credit.records.reverses'),
                children: `#${seqOf(record.reversesId) ?? record.reversesId}`,
              },
            ]
          : []),
        ...(record.reversedBy
          ? [
              {
                key: 'reversedBy',
                label: t('credit.records.reversedBy'),
                children: `#${seqOf(record.reversedBy) ?? record.reversedBy}`,
              },
            ]
          : []),
        ...(record.reply
          ? [
              {
                key: 'reply',
                label: t('credit.records.reply'),
                span: { xs: 1, md: 2, xl: 3 },
                children: (
                  <span style={{ whiteSpace: 'pre-wrap' }}>
                    {record.reply.text}{' '}
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      ({record.reply.postedOn})
                    </Typography.Text>
                  </span>
                ),
              },
            ]
          : []),
      ]}
    />
  );
}

/** An open objection's review deadline, red with 已超期 once it has passed. */
function ObjectionDeadline({ objection }: { objection: ObjectionView | undefined }) {
  const { t } = useTranslation();
  if (!objection?.reviewDeadline) return null;
  return (
    <Typography.Text
      type={objection.overdue ? 'danger' : 'secondary'}
      style={{ fontSize: 12, whiteSpace: 'nowrap' }}
      data-testid="credit-objection-deadline"
    >
      {t('credit.objections.deadlineShort', { date: objection.reviewDeadline })}
      {objection.overdue && ` · ${t('credit.overdue')}`}
    </Typography.Text>
  );
}

export default function CreditEnterprisePage() {
  const { t } = useTranslation();
  const text = useText();
  const names = useRefNames();
  const { uscc = '' } = useParams();
  const { can } = useSession();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [recording, setRecording] = useState(false);
  const [modal, setModal] = useState<{ kind: RecordModalKind; record: RecordView } | null>(null);
  const [statusFilter, setStatusFilter] = useState<RecordStatus | undefined>();
  const [asOf, setAsOf] = useState<string | null>(null);

  // Opening the page always asks again: another user's record or decision may have changed the
  // grade since the home page (or an earlier visit) cached it.
  const archive = useQuery({
    queryKey: creditKeys.archive(uscc),
    queryFn: ({ signal }) => creditApi.archive(uscc, signal),
    meta: { silent: true },
    refetchOnMount: 'always',
  });
  const records = useQuery({
    queryKey: creditKeys.records(uscc),
    queryFn: ({ signal }) => creditApi.records(uscc, signal),
    select: (d) => d.items,
    enabled: archive.isSuccess,
  });
  const pastGrade = useQuery({
    queryKey: creditKeys.gradeAsOf(uscc, asOf ?? ''),
    queryFn: ({ signal }) => creditApi.gradeAsOf(uscc, asOf ?? undefined, signal),
    enabled: !!asOf && archive.isSuccess,
  });

  // Open objections' deadlines (the record list names only the objection's state).
  const hasOpenObjection = (records.data ?? []).some(
    (r) => r.objection && OPEN_OBJECTION.has(r.objection.state),
  );
  const objections = useQuery({
    queryKey: creditKeys.objections({ uscc }),
    queryFn: ({ signal }) => creditApi.objections({ uscc }, signal),
    select: (d) => new Map(d.items.map((o) => [o.id, o])),
    enabled: hasOpenObjection,
    meta: { silent: true },
  });

  const seqById = useMemo(() => new Map((records.data ?? []).map((r) => [r.id, r.seq])), [records.data]);
  const seqOf = (id: string) => seqById.get(id);

  const refresh = () => qc.invalidateQueries({ queryKey: creditKeys.all });

  const onRecordSaved = (res: RecordAndGrade) => {
    // Show the new grade at once; the refetch brings the history and the record list.
    qc.setQueryData<CreditArchive>(creditKeys.archive(uscc), (old) =>
      old ? { ...old, grade: res.grade } : old,
    );
    showSuccess(t('credit.recordForm.saved', { grade: res.grade.grade, score: res.grade.score }));
    void refresh();
  };

  const onModalDone = (kind: RecordModalKind) => {
    showSuccess(t(`credit.recordModal.${kind}Done`));
    void refresh();
  };

  if (archive.isPending) return <Spin size="large" style={{ display: 'block', margin: '80px auto' }} />;
  if (archive.error || !archive.data) {
    const err = archive.error;
    const status = isApiError(err) ? err.status : 0;
    return (
      <Card>
        <Result
          status={status === 404 ? '404' : status === 403 ? '403' : 'error'}
          title={status === 404 ? t('credit.page.notFound') : t('errors.loadFailed')}
          subTitle={
            status === 404
              ? t('credit.page.notFoundSub', { uscc })
              : isApiError(err)
                ? err.localizedMessage
                : undefined
          }
          extra={
            <Button onClick={() => navigate('/registry/enterprises')}>
              {t('enterprisePage.backToList')}
            </Button>
          }
        />
      </Card>
    );
  }

  const { enterprise, grade, history, flags, pendingObjections } = archive.data;
  const shown = asOf && pastGrade.data ? pastGrade.data : grade;
  const canRecord = can('credit.record');
  const canReview = can('credit.review');
  const canObjectAbility = can('credit.object');
  const items = (records.data ?? []).filter((r) => !statusFilter || r.status === statusFilter);

  const columns: TableColumnsType<RecordView> = [
    {
      title: '#',
      dataIndex: 'seq',
      width: 44,
      render: (v: number) => <Typography.Text type="secondary">{v}</Typography.Text>,
    },
    { title: t('credit.records.occurredOn'), dataIndex: 'occurredOn', width: 104 },
    {
      title: t('credit.records.summary'),
      key: 'summary',
      render: (_, r) => (
        <div style={{ minWidth: 200 }}>
          <div>
            <Typography.Text delete={r.status === 'reversed'}>
              {text(r.summaryText, r.summary || text(r.eventLabel))}
            </Typography.Text>
          </div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {text(r.ruleLabel)}
            {r.kind === 'manual' && ` · ${t('credit.records.manual')}`}
          </Typography.Text>
        </div>
      ),
    },
    {
      title: t('credit.records.points'),
      dataIndex: 'points',
      width: 64,
      align: 'right',
      render: (v: number, r) => (
        <Points value={v} strong style={r.status === 'active' ? undefined : { opacity: 0.55 }} />
      ),
    },
    {
      title: t('credit.records.validity'),
      key: 'validity',
      width: 112,
      render: (_, r) => (
        <Typography.Text style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
          {r.effectiveOn}
          <br />~ {r.expiresOn}
        </Typography.Text>
      ),
    },
    {
      title: t('credit.records.status'),
      dataIndex: 'status',
      width: 88,
      render: (s: RecordStatus) => <RecordStatusTag status={s} />,
    },
    {
      title: t('credit.records.evidence'),
      key: 'evidence',
      width: 150,
      render: (_, r) => <EvidenceList files={r.evidence} />,
    },
    {
      title: t('credit.records.objectionReply'),
      key: 'objection',
      width: 100,
      render: (_, r) => (
        <Flex vertical gap={4} align="flex-start">
          {r.objection ? (
            <Link to={`/credit/objections?uscc=${encodeURIComponent(enterprise.uscc)}`}>
              <ObjectionStateTag state={r.objection.state} />
            </Link>
          ) : null}
          {r.objection && OPEN_OBJECTION.has(r.objection.state) && (
            <ObjectionDeadline objection={objections.data?.get(r.objection.id)} />
          )}
          {r.reply ? (
            <Tooltip title={r.reply.text}>
              <Tag color="blue" variant="outlined" style={{ marginInlineEnd: 0 }}>
                {t('credit.records.hasReply')}
              </Tag>
            </Tooltip>
          ) : null}
          {!r.objection && !r.reply && <Typography.Text type="secondary">—</Typography.Text>}
        </Flex>
      ),
    },
  ];
  if (canReview || canObjectAbility) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      width: 100,
      fixed: 'right',
      render: (_, r) => (
        <Flex vertical gap={0} align="flex-start">
          {canReview && canReverse(r) && (
            <Button
              type="link"
              size="small"
              danger
              style={{ paddingInline: 0 }}
              onClick={() => setModal({ kind: 'reverse', record: r })}
              data-testid="credit-reverse"
            >
              {t('credit.records.reverse')}
            </Button>
          )}
          {canObjectAbility && canObject(r) && (
            <Button
              type="link"
              size="small"
              style={{ paddingInline: 0 }}
              onClick={() => setModal({ kind: 'object', record: r })}
              data-testid="credit-object"
            >
              {t('credit.records.object')}
            </Button>
          )}
          {canObjectAbility && canReply(r) && (
            <Button
              type="link"
              size="small"
              style={{ paddingInline: 0 }}
              onClick={() => setModal({ kind: 'reply', record: r })}
              data-testid="credit-reply"
            >
              {r.reply ? t('credit.records.editReply') : t('credit.records.reply')}
            </Button>
          )}
        </Flex>
      ),
    });
  }

  return (
    <>
      <PageTitle
        prefix={
          <Link
            to={`/registry/enterprises/${encodeURIComponent(enterprise.uscc)}`}
            style={{ display: 'inline-block', marginBottom: 8 }}
          >
            <ArrowLeftOutlined /> {t('credit.page.backToArchive')}
          </Link>
        }
        title={
          <Space size={12} wrap>
            <span data-testid="credit-enterprise-name">{enterprise.name}</span>
            <GradeTag grade={grade.grade} label={grade.gradeLabel} />
          </Space>
        }
        subtitle={
          <Space size={16} wrap>
            <span style={{ fontFamily: 'monospace' }}>{enterprise.uscc}</span>
            <span>{names.town(enterprise.townCode, enterprise.townName)}</span>
            {pendingObjections > 0 && (
              <Link to={`/credit/objections?uscc=${encodeURIComponent(enterprise.uscc)}`}>
                {t('credit.page.pendingObjections', { n: pendingObjections })}
              </Link>
            )}
          </Space>
        }
        extra={
          <>
            <Button
              icon={<FilePdfOutlined />}
              href={creditUrls.reportPdf(enterprise.uscc)}
              target="_blank"
              data-testid="credit-report-pdf"
            >
              {t('credit.page.reportPdf')}
            </Button>
            {canRecord && (
              <Button
                type="primary"
                icon={<PlusOutlined />}
                onClick={() => setRecording(true)}
                data-testid="credit-add-record"
              >
                {t('credit.recordForm.title')}
              </Button>
            )}
          </>
        }
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={9}>
          <Card
            title={t('credit.page.gradeCard')}
            style={{ height: '100%' }}
            extra={
              <DatePicker
                size="small"
                allowClear
                placeholder={t('credit.page.asOfPicker')}
                value={asOf ? dayjs(asOf) : null}
                disabledDate={(d) => d.isAfter(businessToday(), 'day')}
                onChange={(d) => setAsOf(d ? d.format('YYYY-MM-DD') : null)}
                suffixIcon={<HistoryOutlined />}
                data-testid="credit-asof"
              />
            }
          >
            {asOf && pastGrade.isFetching && <Spin style={{ display: 'block', margin: '8px auto' }} />}
            {asOf && pastGrade.data && (
              <Alert
                type="info"
                showIcon
                style={{ marginBottom: 12 }}
                title={t('credit.page.asOfShown', { date: asOf })}
                description={
                  pastGrade.data.recorded
                    ? t('credit.page.asOfRecorded', {
                        grade: pastGrade.data.recorded.grade,
                        score: pastGrade.data.recorded.score,
                      })
                    : t('credit.page.asOfNoRecord')
                }
              />
            )}
            <GradeCardBody grade={shown} flags={asOf ? undefined : flags} />
          </Card>
        </Col>
        <Col xs={24} xl={15}>
          <Card title={t('credit.page.explanation')} style={{ height: '100%' }}>
            <GradeExplanation grade={shown} seqOf={seqOf} />
          </Card>
        </Col>
        <Col span={24}>
          <Card title={t('credit.page.history')}>
            <GradeHistoryChart history={history} until={grade.asOf} />
          </Card>
        </Col>
        <Col span={24}>
          <Card
            title={t('credit.page.records')}
            extra={
              <Select<RecordStatus>
                allowClear
                size="small"
                style={{ width: 140 }}
                placeholder={t('credit.records.status')}
                value={statusFilter}
                onChange={setStatusFilter}
                options={RECORD_STATUSES.map((s) => ({ value: s, label: t(`credit.recordStatus.${s}`) }))}
              />
            }
          >
            <Table<RecordView>
              size="middle"
              rowKey="id"
              loading={records.isPending}
              dataSource={items}
              columns={columns}
              scroll={{ x: 1100 }}
              pagination={items.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
              expandable={{ expandedRowRender: (r) => <RecordDetails record={r} seqOf={seqOf} /> }}
              locale={{ emptyText: t('credit.records.empty') }}
              data-testid="credit-records"
            />
          </Card>
        </Col>
      </Row>
      {canRecord && (
        <RecordDrawer
          open={recording}
          uscc={enterprise.uscc}
          enterpriseName={enterprise.name}
          grade={{ grade: grade.grade, score: grade.score }}
          onClose={() => setRecording(false)}
          onSaved={onRecordSaved}
        />
      )}
      <RecordModal
        kind={modal?.kind ?? null}
        record={modal?.record ?? null}
        onClose={() => setModal(null)}
        onDone={onModalDone}
      />
    </>
  );
}
