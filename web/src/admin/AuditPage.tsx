/**
 * 审计日志: the audit trail for administrators and regulators (ability audit.read). Filters by
 * actor, action, object, enterprise and dates; a drawer with one entry's before/after and the
 * changed fields; the sign-in history per user; the CSV export of the current filters. Every
 * search, view and export is itself audited by the server.
 */
import { DownloadOutlined, SearchOutlined } from '@ant-design/icons';
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import {
  AutoComplete,
  Button,
  Card,
  Checkbox,
  Collapse,
  DatePicker,
  Descriptions,
  Drawer,
  Empty,
  Flex,
  Form,
  type FormInstance,
  Input,
  Space,
  Table,
  type TableColumnsType,
  Tabs,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, isApiError, pickText, queryString, showApiError } from '../api/client';
import { formatDateTime } from '../components/format';
import PageTitle from '../components/PageTitle';
import auditEnUS from '../locales/audit.en-US';
import auditZhCN from '../locales/audit.zh-CN';

// ---- API shapes (src/platform/audit-routes.ts) ------------------------------------------------

interface AuditItem {
  id: string;
  at: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  resourceType: string;
  resourceId: string | null;
  enterpriseId: string | null;
  enterpriseName: string | null;
  enterpriseUscc: string | null;
  requestId: string | null;
}
interface DiffLine {
  path: string;
  before: unknown;
  after: unknown;
}
interface AuditEntry extends AuditItem {
  before: unknown;
  after: unknown;
  diff: DiffLine[];
}
type LoginEvent = 'succeeded' | 'failed' | 'throttled' | 'logout';
interface LoginItem {
  id: string;
  at: string;
  event: LoginEvent;
  userId: string | null;
  username: string;
  reason: string | null;
  ip: string | null;
  failures: number | null;
  waitSeconds: number | null;
  until: string | null;
  scope: string | null;
  requestId: string | null;
}
interface Paged<T> {
  items: T[];
  nextCursor: string | null;
}

interface AuditFilters {
  actor?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  enterprise?: string;
  from?: string;
  to?: string;
  hideReads?: boolean;
}
interface FilterForm {
  actor?: string;
  action?: string;
  resourceType?: string;
  resourceId?: string;
  enterprise?: string;
  dates?: [Dayjs | null, Dayjs | null] | null;
  hideReads?: boolean;
}
interface LoginFilters {
  user?: string;
  from?: string;
  to?: string;
}

const PAGE = 50;
const RESOURCE_TYPES = [
  'user',
  'session',
  'apiToken',
  'enterprise',
  'enterpriseContact',
  'productCategory',
  'creditRecord',
  'creditRuleSet',
  'creditReport',
  'creditEvidence',
  'objection',
  'blacklistEntry',
  'samplingPlan',
  'samplingTask',
  'samplingSample',
  'samplingCase',
  'auditLog',
];
const EVENT_COLORS: Record<LoginEvent, string> = {
  succeeded: 'green',
  failed: 'red',
  throttled: 'orange',
  logout: 'default',
};

const trimmed = (v?: string) => (v?.trim() ? v.trim() : undefined);
const day = (d: Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : undefined);

function filtersOf(v: FilterForm): AuditFilters {
  return {
    actor: trimmed(v.actor),
    action: trimmed(v.action),
    resourceType: trimmed(v.resourceType),
    resourceId: trimmed(v.resourceId),
    enterprise: trimmed(v.enterprise)?.toUpperCase(),
    from: day(v.dates?.[0]),
    to: day(v.dates?.[1]),
    hideReads: v.hideReads ? true : undefined,
  };
}

/** A 400 from the server put on the form: from/to belong to the date range. */
function showFilterError(err: unknown, form: FormInstance) {
  if (isApiError(err) && err.fields.length) {
    const names = new Set(Object.keys(form.getFieldsValue(true) ?? {}));
    const fields = err.fields
      .map((f) => ({
        name: f.field === 'from' || f.field === 'to' ? 'dates' : f.field,
        errors: [pickText(f.message) ?? f.code],
      }))
      .filter((f) => names.has(f.name));
    if (fields.length) form.setFields(fields);
  }
  showApiError(err);
}

/**
 * The pages of `path` under `filters` ("load more" asks for the next cursor), all rows so far, and a
 * 400 about a filter shown on the form's field.
 */
function usePages<T>(path: string, filters: AuditFilters | LoginFilters, form: FormInstance) {
  const query = useInfiniteQuery({
    queryKey: ['audit', path, filters],
    queryFn: ({ pageParam, signal }) =>
      api.get<Paged<T>>(path, { ...filters, cursor: pageParam || undefined, limit: PAGE }, signal),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
    meta: { silent: true },
    retry: false,
  });
  useEffect(() => {
    if (query.error) showFilterError(query.error, form);
  }, [query.error, form]);
  const rows = useMemo(() => query.data?.pages.flatMap((p) => p.items) ?? [], [query.data]);
  return { query, rows };
}

function useAuditText() {
  const { i18n } = useTranslation();
  return i18n.language === 'en-US' ? auditEnUS : auditZhCN;
}

/** A value of a before/after document, short and readable. */
function ValueText({ value }: { value: unknown }) {
  const { t } = useTranslation();
  if (value === null || value === undefined)
    return <Typography.Text type="secondary">{t('audit.drawer.empty')}</Typography.Text>;
  if (typeof value === 'string') return <span style={{ wordBreak: 'break-all' }}>{value}</span>;
  return <code style={{ wordBreak: 'break-all' }}>{JSON.stringify(value)}</code>;
}

function ActionText({ action }: { action: string }) {
  const text = useAuditText();
  const label = text.actionNames[action];
  return (
    <Flex vertical>
      <span>{label ?? action}</span>
      {label && (
        <Typography.Text type="secondary" style={{ fontFamily: 'monospace', fontSize: 12 }}>
          {action}
        </Typography.Text>
      )}
    </Flex>
  );
}

// ---- the drawer ----------------------------------------------------------------------------

function EntryDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { data, isPending } = useQuery({
    queryKey: ['audit', 'entry', id],
    queryFn: ({ signal }) =>
      api.get<AuditEntry>(`/api/v1/audit/${encodeURIComponent(id!)}`, undefined, signal),
    enabled: !!id,
    staleTime: Number.POSITIVE_INFINITY, // an audit row never changes
  });
  const columns: TableColumnsType<DiffLine> = [
    {
      title: t('audit.drawer.field'),
      dataIndex: 'path',
      width: '28%',
      render: (p: string) => <code>{p || t('audit.drawer.whole')}</code>,
    },
    {
      title: t('audit.drawer.before'),
      dataIndex: 'before',
      onCell: () => ({ style: { background: '#fff1f0' } }),
      render: (v: unknown) => (
        <span data-testid="audit-diff-before" style={{ color: '#a8071a' }}>
          <ValueText value={v} />
        </span>
      ),
    },
    {
      title: t('audit.drawer.after'),
      dataIndex: 'after',
      onCell: () => ({ style: { background: '#f6ffed' } }),
      render: (v: unknown) => (
        <span data-testid="audit-diff-after" style={{ color: '#135200' }}>
          <ValueText value={v} />
        </span>
      ),
    },
  ];
  const raw = (v: unknown) => (
    <pre style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
      {v === null || v === undefined ? t('audit.drawer.empty') : JSON.stringify(v, null, 2)}
    </pre>
  );
  return (
    <Drawer
      title={t('audit.drawer.title')}
      open={!!id}
      onClose={onClose}
      size={720}
      destroyOnHidden
      data-testid="audit-drawer"
      loading={isPending && !!id}
    >
      {data && (
        <Flex vertical gap={16}>
          <Descriptions
            column={1}
            size="small"
            bordered
            items={[
              { key: 'at', label: t('audit.col.at'), children: formatDateTime(data.at) },
              { key: 'actor', label: t('audit.col.actor'), children: data.actorLabel },
              { key: 'action', label: t('audit.col.action'), children: <ActionText action={data.action} /> },
              {
                key: 'resource',
                label: t('audit.col.resource'),
                children: (
                  <Space>
                    {data.resourceType}
                    {data.resourceId && <Typography.Text copyable>{data.resourceId}</Typography.Text>}
                  </Space>
                ),
              },
              ...(data.enterpriseId
                ? [
                    {
                      key: 'enterprise',
                      label: t('audit.col.enterprise'),
                      children: `${data.enterpriseName ?? ''} ${data.enterpriseUscc ?? data.enterpriseId}`,
                    },
                  ]
                : []),
              { key: 'requestId', label: t('audit.col.requestId'), children: data.requestId ?? '—' },
              {
                key: 'id',
                label: t('audit.drawer.id'),
                children: <Typography.Text copyable>{data.id}</Typography.Text>,
              },
            ]}
          />
          <Typography.Title level={5} style={{ margin: 0 }}>
            {t('audit.drawer.diff')}
          </Typography.Title>
          <div data-testid="audit-diff">
            {data.diff.length ? (
              <Table<DiffLine>
                rowKey="path"
                size="small"
                columns={columns}
                dataSource={data.diff}
                pagination={false}
                bordered
              />
            ) : (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('audit.drawer.noDiff')} />
            )}
          </div>
          <Collapse
            size="small"
            items={[
              { key: 'before', label: t('audit.drawer.rawBefore'), children: raw(data.before) },
              { key: 'after', label: t('audit.drawer.rawAfter'), children: raw(data.after) },
            ]}
          />
        </Flex>
      )}
    </Drawer>
  );
}

// ---- changes tab ---------------------------------------------------------------------------

function ChangesTab() {
  const { t } = useTranslation();
  const text = useAuditText();
  const [form] = Form.useForm<FilterForm>();
  const [filters, setFilters] = useState<AuditFilters>({ hideReads: true });
  const [open, setOpen] = useState<string | null>(null);

  const { query, rows } = usePages<AuditItem>('/api/v1/audit', filters, form);

  const actionOptions = useMemo(
    () => [
      ...Object.entries(text.actionPrefixes).map(([value, label]) => ({ value, label })),
      ...Object.entries(text.actionNames).map(([value, label]) => ({ value, label: `${label} (${value})` })),
    ],
    [text],
  );

  const columns: TableColumnsType<AuditItem> = [
    {
      title: t('audit.col.at'),
      dataIndex: 'at',
      width: 150,
      render: (v: string) => formatDateTime(v),
    },
    {
      title: t('audit.col.actor'),
      dataIndex: 'actorLabel',
      width: 120,
      render: (v: string, r) => (r.actorId ? v : <Tag>{`${t('audit.system')} · ${v}`}</Tag>),
    },
    {
      title: t('audit.col.action'),
      dataIndex: 'action',
      width: 200,
      render: (v: string) => <ActionText action={v} />,
    },
    {
      title: t('audit.col.resource'),
      key: 'resource',
      ellipsis: true,
      render: (_, r) => (
        <Flex vertical>
          <span>{r.resourceType}</span>
          <Typography.Text type="secondary" style={{ fontFamily: 'monospace', fontSize: 12 }} ellipsis>
            {r.resourceId ?? ''}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: t('audit.col.enterprise'),
      key: 'enterprise',
      ellipsis: true,
      render: (_, r) =>
        r.enterpriseId ? (
          <Flex vertical>
            <span>{r.enterpriseName ?? ''}</span>
            <Typography.Text type="secondary" style={{ fontFamily: 'monospace', fontSize: 12 }}>
              {r.enterpriseUscc ?? r.enterpriseId}
            </Typography.Text>
          </Flex>
        ) : (
          '—'
        ),
    },
    {
      title: t('audit.col.requestId'),
      dataIndex: 'requestId',
      width: 140,
      ellipsis: true,
      render: (v: string | null) => (
        <Typography.Text type="secondary" style={{ fontFamily: 'monospace', fontSize: 12 }}>
          {v ?? '—'}
        </Typography.Text>
      ),
    },
    {
      title: '',
      key: 'view',
      width: 70,
      render: (_, r) => (
        <Button type="link" size="small" onClick={() => setOpen(r.id)}>
          {t('audit.view')}
        </Button>
      ),
    },
  ];

  const exportHref = `/api/v1/audit/export${queryString({ ...filters })}`;

  return (
    <>
      <Form<FilterForm>
        form={form}
        name="auditFilters"
        layout="inline"
        initialValues={{ hideReads: true }}
        onFinish={(v) => setFilters(filtersOf(v))}
        onValuesChange={(changed: Partial<FilterForm>) =>
          // a problem shown on a field goes once the field is edited
          form.setFields(Object.keys(changed).map((name) => ({ name: name as keyof FilterForm, errors: [] })))
        }
        style={{ rowGap: 12, marginBottom: 16 }}
        data-testid="audit-filter-form"
      >
        <Form.Item name="actor" label={t('audit.filter.actor')}>
          <Input
            allowClear
            placeholder={t('audit.filter.actorPlaceholder')}
            style={{ width: 220 }}
            data-testid="audit-actor"
          />
        </Form.Item>
        <Form.Item name="action" label={t('audit.filter.action')}>
          <AutoComplete
            allowClear
            options={actionOptions}
            placeholder={t('audit.filter.actionPlaceholder')}
            style={{ width: 260 }}
            filterOption={(input, o) =>
              String(o?.value ?? '')
                .toLowerCase()
                .includes(input.toLowerCase()) || String(o?.label ?? '').includes(input)
            }
            data-testid="audit-action"
          />
        </Form.Item>
        <Form.Item name="resourceType" label={t('audit.filter.resourceType')}>
          <AutoComplete
            allowClear
            options={RESOURCE_TYPES.map((value) => ({ value }))}
            style={{ width: 160 }}
            filterOption={(input, o) =>
              String(o?.value ?? '')
                .toLowerCase()
                .includes(input.toLowerCase())
            }
          />
        </Form.Item>
        <Form.Item name="resourceId" label={t('audit.filter.resourceId')}>
          <Input allowClear style={{ width: 200 }} />
        </Form.Item>
        <Form.Item name="enterprise" label={t('audit.filter.enterprise')}>
          <Input
            allowClear
            placeholder={t('audit.filter.enterprisePlaceholder')}
            maxLength={64}
            style={{ width: 200, fontFamily: 'monospace' }}
          />
        </Form.Item>
        <Form.Item name="dates" label={t('audit.filter.dates')}>
          <DatePicker.RangePicker allowEmpty={[true, true]} />
        </Form.Item>
        <Form.Item name="hideReads" valuePropName="checked">
          <Checkbox>{t('audit.filter.hideReads')}</Checkbox>
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" icon={<SearchOutlined />} data-testid="audit-search">
              {t('common.search')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                setFilters({ hideReads: true });
              }}
            >
              {t('common.reset')}
            </Button>
            <Tooltip title={t('audit.exportHint')}>
              <Button icon={<DownloadOutlined />} href={exportHref} download data-testid="audit-export">
                {t('audit.export')}
              </Button>
            </Tooltip>
          </Space>
        </Form.Item>
      </Form>
      <div data-testid="audit-table">
        <Table<AuditItem>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={rows}
          loading={query.isFetching && !query.isFetchingNextPage}
          pagination={false}
          onRow={(r) => ({ onDoubleClick: () => setOpen(r.id) })}
        />
      </div>
      <Flex justify="center" align="center" gap={16} style={{ marginTop: 16 }}>
        <Typography.Text type="secondary">{t('audit.shown', { n: rows.length })}</Typography.Text>
        {query.hasNextPage && (
          <Button
            onClick={() => void query.fetchNextPage()}
            loading={query.isFetchingNextPage}
            data-testid="audit-more"
          >
            {t('audit.more')}
          </Button>
        )}
      </Flex>
      <EntryDrawer id={open} onClose={() => setOpen(null)} />
    </>
  );
}

// ---- logins tab ----------------------------------------------------------------------------

function LoginDetail({ item }: { item: LoginItem }) {
  const { t } = useTranslation();
  const parts: string[] = [];
  if (item.reason) parts.push(t(`audit.reason.${item.reason}`, { defaultValue: item.reason }));
  if (item.event === 'throttled' && item.scope === 'account')
    parts.push(t('audit.accountWide', { n: item.failures ?? 0 }));
  else if (item.failures) parts.push(t('audit.failures', { n: item.failures }));
  if (item.waitSeconds)
    parts.push(t('audit.wait', { n: item.waitSeconds, until: formatDateTime(item.until) }));
  return parts.length ? (
    <span>{parts.join('；')}</span>
  ) : (
    <Typography.Text type="secondary">—</Typography.Text>
  );
}

function LoginsTab() {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ user?: string; dates?: [Dayjs | null, Dayjs | null] | null }>();
  const [filters, setFilters] = useState<LoginFilters>({});
  const { query, rows } = usePages<LoginItem>('/api/v1/audit/logins', filters, form);

  const columns: TableColumnsType<LoginItem> = [
    { title: t('audit.col.at'), dataIndex: 'at', width: 150, render: (v: string) => formatDateTime(v) },
    { title: t('audit.col.user'), dataIndex: 'username', width: 160 },
    {
      title: t('audit.col.event'),
      dataIndex: 'event',
      width: 120,
      render: (e: LoginEvent) => <Tag color={EVENT_COLORS[e]}>{t(`audit.event.${e}`)}</Tag>,
    },
    { title: t('audit.col.detail'), key: 'detail', render: (_, r) => <LoginDetail item={r} /> },
    {
      title: t('audit.col.ip'),
      dataIndex: 'ip',
      width: 160,
      render: (v: string | null) => <span style={{ fontFamily: 'monospace' }}>{v ?? '—'}</span>,
    },
    {
      title: t('audit.col.requestId'),
      dataIndex: 'requestId',
      width: 140,
      ellipsis: true,
      render: (v: string | null) => (
        <Typography.Text type="secondary" style={{ fontFamily: 'monospace', fontSize: 12 }}>
          {v ?? '—'}
        </Typography.Text>
      ),
    },
  ];

  return (
    <>
      <Form
        form={form}
        name="auditLogins"
        layout="inline"
        onFinish={(v) =>
          setFilters({ user: trimmed(v.user), from: day(v.dates?.[0]), to: day(v.dates?.[1]) })
        }
        style={{ rowGap: 12, marginBottom: 16 }}
      >
        <Form.Item name="user" label={t('audit.filter.user')}>
          <Input
            allowClear
            placeholder={t('audit.filter.userPlaceholder')}
            style={{ width: 220 }}
            data-testid="audit-login-user"
          />
        </Form.Item>
        <Form.Item name="dates" label={t('audit.filter.dates')}>
          <DatePicker.RangePicker allowEmpty={[true, true]} />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button
              type="primary"
              htmlType="submit"
              icon={<SearchOutlined />}
              data-testid="audit-logins-search"
            >
              {t('common.search')}
            </Button>
            <Button
              onClick={() => {
                form.resetFields();
                setFilters({});
              }}
            >
              {t('common.reset')}
            </Button>
          </Space>
        </Form.Item>
      </Form>
      <div data-testid="audit-logins-table">
        <Table<LoginItem>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={rows}
          loading={query.isFetching && !query.isFetchingNextPage}
          pagination={false}
        />
      </div>
      <Flex justify="center" align="center" gap={16} style={{ marginTop: 16 }}>
        <Typography.Text type="secondary">{t('audit.shown', { n: rows.length })}</Typography.Text>
        {query.hasNextPage && (
          <Button onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
            {t('audit.more')}
          </Button>
        )}
      </Flex>
    </>
  );
}

export default function AuditPage() {
  const { t } = useTranslation();
  const [tab, setTab] = useState('changes');
  return (
    <>
      <PageTitle title={t('audit.title')} subtitle={t('audit.subtitle')} data-testid="audit-title" />
      <Card>
        <Tabs
          activeKey={tab}
          onChange={setTab}
          items={[
            { key: 'changes', label: t('audit.tabs.changes'), children: <ChangesTab /> },
            {
              key: 'logins',
              label: <span data-testid="audit-tab-logins">{t('audit.tabs.logins')}</span>,
              children: <LoginsTab />,
            },
          ]}
        />
      </Card>
    </>
  );
}
