/**
 * A sample: what was sampled, and its test results. The lab it was sent to enters the result of
 * every check item (measured value, 合格/不合格) with a preview of the verdict the server will give
 * (fail if any item fails; severity from the worst failed item's class), and attaches the PDF
 * report; a re-test lab enters the disputed items only.
 */
import { ArrowLeftOutlined, FilePdfOutlined, PaperClipOutlined, UploadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Flex,
  Form,
  Input,
  Popconfirm,
  Radio,
  Result,
  Row,
  Space,
  Spin,
  Table,
  Tag,
  Typography,
} from 'antd';
import { type ChangeEvent, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { isApiError, showApiError, showSuccess } from '../api/client';
import { useSession } from '../auth/session';
import { businessToday } from '../components/format';
import PageTitle from '../components/PageTitle';
import { formatBytes } from '../credit/common';
import {
  type CheckItem,
  type ItemClass,
  previewVerdict,
  type SampleDetail,
  samplingApi,
  samplingKeys,
  type Verdict,
} from './api';
import { CaseStateTag, ItemClassTag, mono, SampleStateTag, VerdictTag } from './common';

const MAX_REPORT_BYTES = 10 * 1024 * 1024;

interface ResultForm {
  reportedOn: string;
  items: Record<string, { measured?: string; verdict?: Verdict }>;
}

function ResultEntry({ sample, retest }: { sample: SampleDetail; retest: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm<ResultForm>();
  // A re-test covers the items the enterprise disputed only; the others keep their original result.
  const disputed = useMemo(
    () => new Set(retest ? (sample.case?.objectionItems ?? []) : []),
    [sample, retest],
  );
  const items: CheckItem[] = useMemo(
    () =>
      retest && disputed.size ? sample.checkItems.filter((i) => disputed.has(i.key)) : sample.checkItems,
    [sample, retest, disputed],
  );
  const watched = Form.useWatch('items', form) as ResultForm['items'] | undefined;
  const originalVerdict = new Map(
    sample.results.filter((r) => r.round === 'original').map((r) => [r.key, r.verdict] as const),
  );
  const preview = previewVerdict(
    sample.checkItems
      .filter((i) => items.includes(i) || originalVerdict.has(i.key))
      .map((i) => ({
        class: i.class,
        verdict: items.includes(i)
          ? (watched?.[i.key]?.verdict ?? null)
          : (originalVerdict.get(i.key) ?? null),
      })),
  );
  const m = useMutation({
    meta: { silent: true },
    mutationFn: (v: ResultForm) => {
      const body = {
        reportedOn: v.reportedOn,
        items: items.map((i) => ({
          key: i.key,
          measured: (v.items[i.key]?.measured ?? '').trim(),
          verdict: v.items[i.key]!.verdict!,
        })),
      };
      return retest ? samplingApi.enterRetest(sample.id, body) : samplingApi.enterResults(sample.id, body);
    },
    onSuccess: (s) => {
      qc.setQueryData(samplingKeys.sample(s.id), s);
      void qc.invalidateQueries({ queryKey: samplingKeys.all });
      showSuccess(t('sampling.lab.saved'));
    },
    onError: (e) => {
      if (isApiError(e))
        for (const f of e.fields) {
          // items.3.measured → items.<key>.measured
          const m = /^\/?(?:body[./])?items[./](\d+)[./](\w+)$/.exec(f.field);
          const item = m ? items[Number(m[1])] : undefined;
          if (m && item) f.field = `items.${item.key}.${m[2]}`;
        }
      showApiError(e, form);
    },
  });

  return (
    <Card
      title={retest ? t('sampling.lab.retestEntry') : t('sampling.lab.entry')}
      style={{ marginBottom: 16 }}
      data-testid={retest ? 'retest-entry' : 'result-entry'}
    >
      <Form<ResultForm>
        form={form}
        layout="vertical"
        onFinish={(v) => m.mutate(v)}
        initialValues={{ reportedOn: businessToday().format('YYYY-MM-DD'), items: {} }}
      >
        <Table
          size="small"
          rowKey="key"
          pagination={false}
          dataSource={items}
          scroll={{ x: 860 }}
          data-testid="result-items"
          columns={[
            {
              title: t('sampling.item.item'),
              dataIndex: 'item',
              render: (v: string, i) => (
                <div>
                  <Typography.Text strong>{v}</Typography.Text>
                  <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                    {i.standardCode} {i.clause}
                  </Typography.Text>
                </div>
              ),
            },
            {
              title: t('sampling.item.requirement'),
              dataIndex: 'requirement',
              width: 180,
              render: (v: string, i) => `${v || '—'}${i.unit ? ` (${i.unit})` : ''}`,
            },
            {
              title: t('sampling.item.class'),
              dataIndex: 'class',
              width: 90,
              render: (c: ItemClass) => <ItemClassTag value={c} />,
            },
            {
              title: t('sampling.lab.measured'),
              key: 'measured',
              width: 180,
              render: (_: unknown, i) => (
                <Form.Item
                  name={['items', i.key, 'measured']}
                  style={{ margin: 0 }}
                  rules={[{ required: true, whitespace: true, message: t('sampling.editor.required') }]}
                >
                  <Input
                    aria-label={`${i.item} ${t('sampling.lab.measured')}`}
                    suffix={i.unit || undefined}
                    data-testid={`result-measured-${i.key}`}
                  />
                </Form.Item>
              ),
            },
            {
              title: t('sampling.lab.itemVerdict'),
              key: 'verdict',
              width: 190,
              render: (_: unknown, i) => (
                <Form.Item
                  name={['items', i.key, 'verdict']}
                  style={{ margin: 0 }}
                  rules={[{ required: true, message: t('sampling.lab.verdictRequired') }]}
                >
                  <Radio.Group
                    optionType="button"
                    buttonStyle="solid"
                    data-testid={`result-verdict-${i.key}`}
                    options={[
                      { value: 'pass', label: t('sampling.verdict.pass') },
                      { value: 'fail', label: t('sampling.verdict.fail') },
                    ]}
                  />
                </Form.Item>
              ),
            },
          ]}
        />
        <Row gutter={16} style={{ marginTop: 16 }} align="bottom">
          <Col xs={24} md={8}>
            <Form.Item
              name="reportedOn"
              label={t('sampling.sample.reportedOn')}
              rules={[{ required: true, message: t('sampling.editor.required') }]}
            >
              <Input
                type="date"
                max={businessToday().format('YYYY-MM-DD')}
                data-testid="result-reported-on"
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={16}>
            <Form.Item label={t('sampling.lab.preview')}>
              <Flex gap={12} align="center" wrap data-testid="result-preview">
                {preview.verdict ? (
                  <VerdictTag verdict={preview.verdict} severity={preview.severity} />
                ) : (
                  <Typography.Text type="secondary">{t('sampling.lab.previewIncomplete')}</Typography.Text>
                )}
                {preview.verdict === 'fail' && preview.severity && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t(`sampling.lab.severityRule.${preview.severity}`)}
                  </Typography.Text>
                )}
              </Flex>
            </Form.Item>
          </Col>
        </Row>
        <Popconfirm
          title={t('sampling.lab.submitConfirm')}
          description={t('sampling.lab.submitConfirmSub')}
          onConfirm={() => form.submit()}
          okButtonProps={{ 'data-testid': 'result-submit-ok' } as never}
        >
          <Button type="primary" loading={m.isPending} data-testid="result-submit">
            {t('sampling.lab.submit')}
          </Button>
        </Popconfirm>
      </Form>
    </Card>
  );
}

function ReportUpload({ sample }: { sample: SampleDetail }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const m = useMutation({
    mutationFn: (file: File) => samplingApi.uploadReport(sample.id, file),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: samplingKeys.sample(sample.id) });
      showSuccess(t('sampling.lab.reportUploaded'));
    },
  });
  const onPick = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    if (file.size > MAX_REPORT_BYTES) {
      showApiError(new Error(t('sampling.lab.reportTooLarge')));
      return;
    }
    m.mutate(file);
  };
  return (
    <>
      <input
        ref={input}
        type="file"
        accept="application/pdf,.pdf"
        style={{ display: 'none' }}
        onChange={onPick}
        data-testid="report-input"
      />
      <Button
        icon={<UploadOutlined />}
        loading={m.isPending}
        onClick={() => input.current?.click()}
        data-testid="report-upload"
      >
        {t('sampling.lab.uploadReport')}
      </Button>
    </>
  );
}

export default function SamplePage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { can, session } = useSession();
  const {
    data: s,
    isPending,
    error,
  } = useQuery({
    queryKey: samplingKeys.sample(id),
    queryFn: ({ signal }) => samplingApi.sample(id, signal),
    meta: { silent: true },
  });

  if (isPending) return <Spin size="large" style={{ display: 'block', margin: '80px auto' }} />;
  if (!s)
    return (
      <Card>
        <Result
          status={
            isApiError(error) && error.status === 404
              ? '404'
              : isApiError(error) && error.status === 403
                ? '403'
                : 'error'
          }
          title={t('sampling.sample.notFound')}
          subTitle={isApiError(error) ? error.localizedMessage : undefined}
          extra={<Button onClick={() => navigate(-1)}>{t('common.back')}</Button>}
        />
      </Card>
    );

  const isLab = can('sampling.result');
  const myLab = session?.user.enterpriseId ?? null;
  const original = s.results.filter((r) => r.round === 'original');
  const retest = s.results.filter((r) => r.round === 'retest');
  // The original lab enters the results of a sample sent to it; the re-test lab the disputed items.
  const entersOriginal = isLab && s.state === 'sentToLab' && (!s.lab?.id || s.lab.id === myLab);
  const awaitingRetest =
    isLab && s.case?.state === 'retesting' && s.case.retestLabId === myLab && retest.length === 0;
  const reports = s.files.filter((f) => f.kind === 'report' || f.kind === 'retestReport');
  const byKey = (list: typeof s.results) => new Map(list.map((r) => [r.key, r]));
  const o = byKey(original);
  const r = byKey(retest);

  return (
    <>
      <PageTitle
        prefix={
          <Link
            to={isLab ? '/sampling/lab' : '/sampling'}
            style={{ display: 'inline-block', marginBottom: 8 }}
          >
            <ArrowLeftOutlined /> {isLab ? t('sampling.lab.back') : t('common.back')}
          </Link>
        }
        title={
          <Space size={12} wrap>
            <span>{s.productName}</span>
            <SampleStateTag state={s.state} />
            <VerdictTag verdict={s.verdict} severity={s.severity} />
          </Space>
        }
        subtitle={
          <Space size={16} wrap>
            <span style={mono} data-testid="sample-no">
              {s.sampleNo}
            </span>
            <span>{s.enterprise.name}</span>
            <span>{s.category.name}</span>
          </Space>
        }
        extra={isLab && <ReportUpload sample={s} />}
      />
      {s.case && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={
            <Space wrap>
              {t('sampling.sample.hasCase')}
              <CaseStateTag state={s.case.state} />
              {s.case.dueOn && t('sampling.cases.dueOn', { date: s.case.dueOn })}
              {can('sampling.process') && (
                <Link to={`/sampling/cases/${s.case.id}`}>{t('sampling.sample.openCase')}</Link>
              )}
            </Space>
          }
        />
      )}
      <Card title={t('sampling.sample.details')} style={{ marginBottom: 16 }}>
        <Descriptions
          size="small"
          column={{ xs: 1, md: 2, xl: 3 }}
          items={[
            {
              key: 'p',
              label: t('sampling.sample.producer'),
              children: `${s.enterprise.name}（${s.enterprise.uscc}）`,
            },
            { key: 'plan', label: t('sampling.task.plan'), children: `${s.plan.code} ${s.plan.title}` },
            { key: 'cat', label: t('sampling.plan.category'), children: s.category.name },
            { key: 'tm', label: t('sampling.sample.trademark'), children: s.trademark || '—' },
            { key: 'm', label: t('sampling.sample.model'), children: s.model || '—' },
            { key: 'std', label: t('sampling.sample.standardCode'), children: s.standardCode },
            { key: 'b', label: t('sampling.sample.batch'), children: s.batch || '—' },
            { key: 'pd', label: t('sampling.sample.productionDate'), children: s.productionDate || '—' },
            {
              key: 'u',
              label: t('sampling.task.units'),
              children: t('sampling.task.unitsValue', { test: s.testUnits, backup: s.backupUnits }),
            },
            { key: 'pl', label: t('sampling.sample.place'), children: t(`sampling.place.${s.place}`) },
            { key: 'on', label: t('sampling.sample.sampledOn'), children: s.sampledOn },
            { key: 'lab', label: t('sampling.plan.lab'), children: s.lab?.name ?? '—' },
            { key: 'rep', label: t('sampling.sample.reportedOn'), children: s.reportedOn ?? '—' },
            {
              key: 'files',
              label: t('sampling.lab.reports'),
              children: reports.length ? (
                <Flex vertical gap={2}>
                  {reports.map((f) => (
                    <a
                      key={f.id}
                      href={samplingApi.fileUrl(f.id)}
                      target="_blank"
                      rel="noreferrer"
                      data-testid="report-link"
                    >
                      <FilePdfOutlined /> {f.filename} · {formatBytes(f.size)}
                    </a>
                  ))}
                </Flex>
              ) : (
                '—'
              ),
            },
          ]}
        />
      </Card>
      {entersOriginal && <ResultEntry sample={s} retest={false} />}
      {awaitingRetest && <ResultEntry sample={s} retest />}
      {original.length > 0 && (
        <Card title={t('sampling.sample.results')} data-testid="sample-results">
          <Table
            size="small"
            rowKey="key"
            pagination={false}
            dataSource={s.checkItems.filter((i) => o.has(i.key))}
            scroll={{ x: 800 }}
            columns={[
              { title: t('sampling.item.item'), dataIndex: 'item' },
              { title: t('sampling.item.standardCode'), dataIndex: 'standardCode', width: 160 },
              {
                title: t('sampling.item.requirement'),
                dataIndex: 'requirement',
                width: 160,
                render: (v: string, i) => `${v || '—'}${i.unit ? ` (${i.unit})` : ''}`,
              },
              {
                title: t('sampling.item.class'),
                dataIndex: 'class',
                width: 90,
                render: (c: ItemClass) => <ItemClassTag value={c} />,
              },
              {
                title: t('sampling.lab.measured'),
                key: 'measured',
                width: 120,
                render: (_: unknown, i) => o.get(i.key)?.measured ?? '—',
              },
              {
                title: t('sampling.lab.itemVerdict'),
                key: 'verdict',
                width: 100,
                render: (_: unknown, i) => {
                  const v = o.get(i.key)?.verdict;
                  return v ? (
                    <Tag color={v === 'pass' ? 'success' : 'error'}>{t(`sampling.verdict.${v}`)}</Tag>
                  ) : (
                    '—'
                  );
                },
              },
              ...(retest.length
                ? [
                    {
                      title: t('sampling.lab.retest'),
                      key: 'retest',
                      width: 160,
                      render: (_: unknown, i: CheckItem) => {
                        const x = r.get(i.key);
                        return x ? (
                          <Space size={4}>
                            <span>{x.measured}</span>
                            <Tag color={x.verdict === 'pass' ? 'success' : 'error'}>
                              {t(`sampling.verdict.${x.verdict}`)}
                            </Tag>
                          </Space>
                        ) : (
                          '—'
                        );
                      },
                    },
                  ]
                : []),
            ]}
          />
        </Card>
      )}
      {!isLab && original.length === 0 && (
        <Card>
          <Typography.Text type="secondary">
            <PaperClipOutlined /> {t('sampling.sample.noResults')}
          </Typography.Text>
        </Card>
      )}
    </>
  );
}
