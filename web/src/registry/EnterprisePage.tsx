import { ArrowLeftOutlined, EditOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import {
  Button,
  Card,
  Descriptions,
  Empty,
  Result,
  Space,
  Spin,
  Table,
  Tabs,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { api, isApiError, type LocalizedText, pickText } from '../api/client';
import { useRefNames } from '../api/reference';
import type { EnterpriseProfile, HistoryEntry, ListOf, TimelineEntry } from '../api/types';
import { useSession } from '../auth/session';
import { ScaleText, StatusTag, TagList } from '../components/EnterpriseBadges';
import { formatDateTime } from '../components/format';
import PageTitle from '../components/PageTitle';
import ContactsEditor from './ContactsEditor';
import EnterpriseFormDrawer from './EnterpriseFormDrawer';
import EnterpriseSamplingTab from './EnterpriseSamplingTab';
import { type EnterpriseWithProducts, ProductCategoriesSection, useCategoryText } from './ProductCategories';

function formatValue(v: unknown, yesNo?: (b: boolean) => string): ReactNode {
  if (v === null || v === undefined || v === '') return <Typography.Text type="secondary">—</Typography.Text>;
  if (Array.isArray(v)) return v.length ? v.map(String).join('、') : '—';
  if (typeof v === 'boolean') return yesNo ? yesNo(v) : v ? '✓' : '✗';
  if (typeof v === 'object') return <code style={{ fontSize: 12 }}>{JSON.stringify(v)}</code>;
  return String(v);
}

function ProfileCard({ profile }: { profile: EnterpriseProfile }) {
  const { t } = useTranslation();
  const entries = Object.entries(profile.details ?? {});
  return (
    <Card
      size="small"
      type="inner"
      title={
        <Space>
          <Tag color="geekblue" variant="filled">
            {t(`profileKind.${profile.kind}`, { defaultValue: profile.kind })}
          </Tag>
        </Space>
      }
      extra={
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('enterprisePage.since')}：{profile.since ?? '—'}
        </Typography.Text>
      }
      style={{ marginBottom: 12 }}
      data-testid="enterprise-profile"
    >
      {entries.length ? (
        <Descriptions
          size="small"
          column={{ xs: 1, md: 2 }}
          items={entries.map(([k, v]) => ({
            key: k,
            // A key the locale does not know yet shows as sent rather than hiding the value.
            label: t(`profileDetail.${k}`, { defaultValue: k }),
            children: formatValue(v, (b) => (b ? t('common.yes') : t('common.no'))),
          }))}
        />
      ) : (
        <Typography.Text type="secondary">—</Typography.Text>
      )}
    </Card>
  );
}

function HistoryTab({ uscc }: { uscc: string }) {
  const { t } = useTranslation();
  const names = useRefNames();
  const categoryText = useCategoryText();
  /** Codes in history (status, scale, town, industry, product categories) are shown as their names. */
  const changeValue = (field: string) => (v: unknown) => {
    if (field === 'productCategories') return categoryText(v);
    if (typeof v === 'string' && v) {
      if (field === 'status') return t(`status.${v}`, { defaultValue: v });
      if (field === 'scale') return t(`scale.${v}`, { defaultValue: v });
      if (field === 'townCode') return names.town(v);
      if (field === 'industryCode') return `${v} ${names.industry(v)}`;
    }
    return formatValue(v);
  };
  const { data, isPending } = useQuery({
    queryKey: ['enterprise', uscc, 'history'],
    queryFn: ({ signal }) =>
      api.get<ListOf<HistoryEntry>>(
        `/api/v1/enterprises/${encodeURIComponent(uscc)}/history`,
        undefined,
        signal,
      ),
  });
  /** `enterprise.update` → 修改; unknown actions are shown as sent. */
  const actionLabel = (action: string) =>
    t(`historyAction.${action.split('.').pop() ?? action}`, { defaultValue: action });
  if (isPending) return <Spin />;
  const items = data?.items ?? [];
  if (!items.length) return <Empty description={t('enterprisePage.historyEmpty')} />;
  const fieldLabel = (f: string) =>
    f === 'productCategories' ? t('registry.products.title') : t(`enterprise.${f}`, { defaultValue: f });
  return (
    <div data-testid="enterprise-history">
      <Timeline
        items={items.map((h) => ({
          key: h.id,
          color: h.action.endsWith('create') ? 'green' : 'blue',
          content: (
            <div>
              <Space wrap size={8}>
                <Typography.Text strong>{actionLabel(h.action)}</Typography.Text>
                <Typography.Text type="secondary">{formatDateTime(h.at)}</Typography.Text>
                <Typography.Text type="secondary">
                  {t('enterprisePage.actor')}：{h.actor || '—'}
                </Typography.Text>
              </Space>
              {h.changes?.length > 0 && (
                <Table
                  size="small"
                  style={{ marginTop: 8, maxWidth: 880 }}
                  pagination={false}
                  rowKey="field"
                  dataSource={h.changes}
                  columns={[
                    { title: t('enterprisePage.field'), dataIndex: 'field', width: 160, render: fieldLabel },
                    {
                      title: t('enterprisePage.before'),
                      dataIndex: 'before',
                      render: (v: unknown, c) => (
                        <Typography.Text type="secondary" delete={v != null && v !== ''}>
                          {changeValue(c.field)(v)}
                        </Typography.Text>
                      ),
                    },
                    {
                      title: t('enterprisePage.after'),
                      dataIndex: 'after',
                      render: (v: unknown, c) => changeValue(c.field)(v),
                    },
                  ]}
                />
              )}
            </div>
          ),
        }))}
      />
    </div>
  );
}

/** A timeline entry with its texts in both languages (older servers sent only the Chinese ones). */
type TimelineItem = TimelineEntry & {
  titleText?: LocalizedText;
  changes?: LocalizedText | null;
  source?: LocalizedText | null;
};

/** What changed and where the fact came from, in the UI language; empty when the event says neither. */
function timelineSummary(e: TimelineItem, sourceText: (source: string) => string): string {
  if (e.titleText === undefined) {
    const m = /^来源：\s*(.*)$/.exec(e.summary);
    if (!m) return e.summary;
    return m[1] ? sourceText(m[1]) : '';
  }
  const source = pickText(e.source);
  return [pickText(e.changes), source && sourceText(source)].filter(Boolean).join(' · ');
}

function TimelineTab({ uscc }: { uscc: string }) {
  const { t } = useTranslation();
  const { data, isPending } = useQuery({
    queryKey: ['enterprise', uscc, 'timeline'],
    queryFn: ({ signal }) =>
      api.get<ListOf<TimelineItem>>(
        `/api/v1/enterprises/${encodeURIComponent(uscc)}/timeline`,
        undefined,
        signal,
      ),
  });
  if (isPending) return <Spin />;
  const items = data?.items ?? [];
  const summaryOf = (e: TimelineItem) =>
    timelineSummary(e, (source) => t('enterprisePage.entrySource', { source }));
  if (!items.length)
    return <Empty description={t('enterprisePage.timelineEmpty')} data-testid="enterprise-timeline-empty" />;
  return (
    <Timeline
      data-testid="enterprise-timeline"
      items={items.map((e) => ({
        key: e.id,
        content: (
          <div>
            <Space size={8} wrap>
              <Typography.Text type="secondary">{formatDateTime(e.at)}</Typography.Text>
              <Tag title={e.type}>{t(`nav.${e.type.split('.')[0]}`, { defaultValue: e.type })}</Tag>
              <Typography.Text strong data-testid="enterprise-timeline-title">
                {pickText(e.titleText) ?? e.title}
              </Typography.Text>
            </Space>
            {summaryOf(e) && (
              <Typography.Paragraph style={{ margin: '4px 0 0' }} data-testid="enterprise-timeline-summary">
                {summaryOf(e)}
              </Typography.Paragraph>
            )}
          </div>
        ),
      }))}
    />
  );
}

export default function EnterprisePage() {
  const { t } = useTranslation();
  const { uscc = '' } = useParams();
  const { can } = useSession();
  const names = useRefNames();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const [tab, setTab] = useState('basic');

  const {
    data: e,
    isPending,
    error,
  } = useQuery({
    queryKey: ['enterprise', uscc],
    queryFn: ({ signal }) =>
      api.get<EnterpriseWithProducts>(`/api/v1/enterprises/${encodeURIComponent(uscc)}`, undefined, signal),
    meta: { silent: true },
  });

  const back = (
    <Link to="/registry/enterprises" style={{ display: 'inline-block', marginBottom: 8 }}>
      <ArrowLeftOutlined /> {t('enterprisePage.backToList')}
    </Link>
  );

  if (isPending) return <Spin size="large" style={{ display: 'block', margin: '80px auto' }} />;
  if (error || !e) {
    const notFound = isApiError(error) && error.status === 404;
    return (
      <Card>
        <Result
          status={notFound ? '404' : isApiError(error) && error.status === 403 ? '403' : 'error'}
          title={notFound ? t('enterprisePage.notFound') : t('errors.loadFailed')}
          subTitle={
            notFound
              ? t('enterprisePage.notFoundSub', { uscc })
              : isApiError(error)
                ? error.localizedMessage
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

  const basic = (
    <>
      <Descriptions
        bordered
        size="middle"
        column={{ xs: 1, md: 2, xl: 3 }}
        data-testid="enterprise-descriptions"
        items={[
          {
            key: 'uscc',
            label: t('enterprise.uscc'),
            children: (
              <Typography.Text copyable style={{ fontFamily: 'monospace' }}>
                {e.uscc}
              </Typography.Text>
            ),
          },
          { key: 'name', label: t('enterprise.name'), children: e.name },
          { key: 'lr', label: t('enterprise.legalRepresentative'), children: e.legalRepresentative || '—' },
          { key: 'status', label: t('enterprise.status'), children: <StatusTag status={e.status} /> },
          { key: 'scale', label: t('enterprise.scale'), children: <ScaleText scale={e.scale} /> },
          { key: 'registeredOn', label: t('enterprise.registeredOn'), children: e.registeredOn || '—' },
          { key: 'town', label: t('enterprise.town'), children: names.town(e.townCode, e.townName) || '—' },
          {
            key: 'industry',
            label: t('enterprise.industry'),
            children: e.industryCode
              ? `${e.industryCode} ${names.industry(e.industryCode, e.industryName)}`
              : '—',
          },
          { key: 'tags', label: t('enterprise.tags'), children: <TagList tags={e.tags} /> },
          {
            key: 'address',
            label: t('enterprise.registeredAddress'),
            children: e.registeredAddress || '—',
            span: { xs: 1, md: 2, xl: 3 },
          },
          { key: 'createdAt', label: t('enterprise.createdAt'), children: formatDateTime(e.createdAt) },
          { key: 'updatedAt', label: t('enterprise.updatedAt'), children: formatDateTime(e.updatedAt) },
          { key: 'version', label: t('enterprise.version'), children: e.version },
        ]}
      />
      <ProductCategoriesSection enterprise={e} editable={can('enterprise.update')} />
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        {t('enterprisePage.profiles')}
      </Typography.Title>
      {e.profiles?.length ? (
        e.profiles.map((p) => <ProfileCard key={`${p.kind}-${p.since}`} profile={p} />)
      ) : (
        <Typography.Text type="secondary">{t('enterprisePage.noProfiles')}</Typography.Text>
      )}
      <ContactsEditor enterprise={e} editable={can('enterprise.update') && can('enterprise.readPersonal')} />
    </>
  );

  return (
    <>
      <PageTitle
        prefix={back}
        title={
          <Space size={12} wrap>
            <span data-testid="enterprise-name">{e.name}</span>
            <StatusTag status={e.status} />
          </Space>
        }
        subtitle={
          <Space size={16} wrap>
            <span style={{ fontFamily: 'monospace' }}>{e.uscc}</span>
            <span>{names.town(e.townCode, e.townName)}</span>
            <TagList tags={e.tags} />
          </Space>
        }
        extra={
          <>
            {can('credit.read') && (
              <Button
                icon={<SafetyCertificateOutlined />}
                onClick={() => navigate(`/credit/enterprises/${encodeURIComponent(e.uscc)}`)}
                data-testid="enterprise-credit-link"
              >
                {t('credit.page.archiveLink')}
              </Button>
            )}
            {can('enterprise.update') && (
              <Button
                type="primary"
                icon={<EditOutlined />}
                onClick={() => setEditing(true)}
                data-testid="enterprise-edit"
              >
                {t('common.edit')}
              </Button>
            )}
          </>
        }
      />
      <Card styles={{ body: { paddingTop: 4 } }}>
        <Tabs
          activeKey={tab}
          onChange={setTab}
          destroyOnHidden
          items={[
            { key: 'basic', label: t('enterprisePage.tabs.basic'), children: basic },
            {
              key: 'history',
              label: t('enterprisePage.tabs.history'),
              children: <HistoryTab uscc={e.uscc} />,
            },
            {
              key: 'timeline',
              label: t('enterprisePage.tabs.timeline'),
              children: <TimelineTab uscc={e.uscc} />,
            },
            {
              key: 'sampling',
              label: t('sampling.enterpriseTab.tab'),
              children: <EnterpriseSamplingTab uscc={e.uscc} enterpriseId={e.id} />,
            },
          ]}
        />
      </Card>
      {can('enterprise.update') && (
        <EnterpriseFormDrawer open={editing} enterprise={e} onClose={() => setEditing(false)} />
      )}
    </>
  );
}
