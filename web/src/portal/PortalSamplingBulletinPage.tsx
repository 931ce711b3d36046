/**
 * One result bulletin (抽查结果公告): every sample of the plan with its producer (name and USCC),
 * product, trademark, model, batch, verdict and failed items — nothing else (no inspector, no
 * contact). No login; /api/v1/public/sampling only.
 */
import { ArrowLeftOutlined, SearchOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Alert,
  Card,
  Flex,
  Input,
  Result,
  Skeleton,
  Space,
  Switch,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { isApiError } from '../api/client';
import { type BulletinRow, samplingApi, samplingKeys } from '../sampling/api';

export default function PortalSamplingBulletinPage() {
  const { t } = useTranslation();
  const { planId = '' } = useParams();
  const [onlyFailed, setOnlyFailed] = useState(false);
  const [q, setQ] = useState('');
  const { data, isPending, error } = useQuery({
    queryKey: samplingKeys.bulletin(planId),
    queryFn: ({ signal }) => samplingApi.bulletin(planId, signal),
    meta: { silent: true },
  });
  const rows = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return (data?.rows ?? []).filter(
      (r) =>
        (!onlyFailed || r.verdict === 'fail') &&
        (!needle ||
          [r.producer.name, r.producer.uscc, r.product, r.trademark, r.model, r.sampleNo].some((v) =>
            v?.toLowerCase().includes(needle),
          )),
    );
  }, [data, onlyFailed, q]);

  const back = (
    <Link to="/portal/sampling" style={{ display: 'inline-block', marginBottom: 12 }}>
      <ArrowLeftOutlined /> {t('sampling.portal.back')}
    </Link>
  );
  if (isPending)
    return (
      <Card>
        <Skeleton active />
      </Card>
    );
  if (!data)
    return (
      <>
        {back}
        <Card>
          <Result
            status={isApiError(error) && error.status === 404 ? '404' : 'error'}
            title={t('sampling.portal.notFound')}
            subTitle={isApiError(error) ? error.localizedMessage : undefined}
          />
        </Card>
      </>
    );

  const failed = data.rows.filter((r) => r.verdict === 'fail').length;
  const columns: TableColumnsType<BulletinRow> = [
    {
      title: t('sampling.portal.producer'),
      key: 'producer',
      width: 240,
      render: (_: unknown, r) => (
        <div>
          <Link
            to={`/portal/enterprises/${encodeURIComponent(r.producer.uscc)}`}
            data-testid="portal-bulletin-producer"
          >
            {r.producer.name}
          </Link>
          <Typography.Text
            type="secondary"
            style={{ display: 'block', fontSize: 12, fontFamily: 'monospace' }}
          >
            {r.producer.uscc}
          </Typography.Text>
        </div>
      ),
    },
    { title: t('sampling.portal.product'), dataIndex: 'product', width: 140 },
    {
      title: t('sampling.portal.trademark'),
      dataIndex: 'trademark',
      width: 100,
      render: (v: string) => v || '—',
    },
    { title: t('sampling.portal.model'), dataIndex: 'model', width: 120, render: (v: string) => v || '—' },
    { title: t('sampling.portal.batch'), dataIndex: 'batch', width: 120, render: (v: string) => v || '—' },
    {
      title: t('sampling.portal.verdict'),
      dataIndex: 'verdict',
      width: 90,
      render: (v: BulletinRow['verdict']) => (
        <Tag
          color={v === 'pass' ? 'success' : 'error'}
          style={{ fontWeight: 600 }}
          data-testid="portal-bulletin-verdict"
        >
          {t(`sampling.verdict.${v}`)}
        </Tag>
      ),
    },
    {
      title: t('sampling.portal.failedItems'),
      dataIndex: 'failedItems',
      render: (items: string[]) =>
        items.length ? (
          <Typography.Text type="danger">{items.join('；')}</Typography.Text>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
  ];

  return (
    <div data-testid="portal-bulletin">
      {back}
      <Card style={{ marginBottom: 16 }}>
        <Typography.Title level={4} style={{ marginTop: 0 }} data-testid="portal-bulletin-title">
          {data.plan.title}
        </Typography.Title>
        <Space size={16} wrap style={{ color: '#8c8c8c' }}>
          <span style={{ fontFamily: 'monospace' }}>{data.plan.code}</span>
          <span>{t(`sampling.kind.${data.plan.kind}`, { defaultValue: data.plan.kind })}</span>
          <span>
            {t('sampling.portal.publishedOn')}：{data.publishedOn ?? '—'}
          </span>
          <span>{t('sampling.portal.total', { n: data.rows.length, failed })}</span>
        </Space>
      </Card>
      <Card>
        <Flex gap={16} wrap align="center" style={{ marginBottom: 12 }}>
          <Input
            allowClear
            prefix={<SearchOutlined />}
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder={t('sampling.portal.filter')}
            style={{ maxWidth: 360 }}
            data-testid="portal-bulletin-filter"
          />
          <Space>
            <Switch checked={onlyFailed} onChange={setOnlyFailed} data-testid="portal-bulletin-only-failed" />
            {t('sampling.portal.onlyFailed')}
          </Space>
        </Flex>
        <Table
          rowKey="sampleNo"
          size="middle"
          columns={columns}
          dataSource={rows}
          pagination={{ pageSize: 50, hideOnSinglePage: true }}
          scroll={{ x: 960 }}
          data-testid="portal-bulletin-table"
        />
        <Alert type="info" style={{ marginTop: 16 }} title={t('sampling.portal.notice')} />
      </Card>
    </div>
  );
}
