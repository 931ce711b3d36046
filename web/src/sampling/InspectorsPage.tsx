/**
 * 检查人员名录 and 投诉举报与移送: the register the draw picks inspectors from (each with the town
 * they work in and the enterprises they declared a conflict of interest with), and the complaints
 * and referrals that add an enterprise to the next draw. Reached from the plans page.
 */
import { ArrowLeftOutlined, DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Button,
  Card,
  Flex,
  Form,
  Input,
  Modal,
  Radio,
  Select,
  Space,
  Switch,
  Table,
  type TableColumnsType,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, request, showApiError, showSuccess } from '../api/client';
import { useRefNames } from '../api/reference';
import { formatDateTime } from '../components/format';
import PageTitle from '../components/PageTitle';
import { TownSelect } from '../components/RefSelects';
import { useUrlFilters } from '../credit/common';
import { CategorySelect, mono, useCategoryTree } from './common';

const BASE = '/api/v1/sampling';

interface Inspector {
  userId: string;
  username: string;
  displayName: string;
  role: string;
  townCode: string | null;
  active: boolean;
  conflicts: { enterpriseId: string; uscc: string; name: string; reason: string }[];
}
interface Candidate {
  id: string;
  username: string;
  displayName: string;
  role: string;
  townCode: string | null;
}
interface Referral {
  id: string;
  enterprise: { id: string; uscc: string; name: string };
  categoryCode: string | null;
  reason: 'complaint' | 'referral';
  reference: string;
  note: string | null;
  createdAt: string;
  drawId: string | null;
}
interface InspectorForm {
  userId: string;
  townCode?: string | null;
  active: boolean;
  conflicts: { uscc: string; reason: string }[];
}

const keys = {
  inspectors: ['sampling', 'inspectors'] as const,
  candidates: ['sampling', 'candidates'] as const,
  referrals: (open: boolean) => ['sampling', 'referrals', open] as const,
};

function InspectorModal({
  editing,
  onClose,
  registered,
}: {
  editing: Inspector | 'new' | null;
  onClose: () => void;
  /** Users already on the register (not offered again). */
  registered: Set<string>;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm<InspectorForm>();
  const candidates = useQuery({
    queryKey: keys.candidates,
    queryFn: ({ signal }) => api.get<{ items: Candidate[] }>(`${BASE}/candidates`, undefined, signal),
    select: (d) => d.items,
    enabled: editing === 'new',
  });
  const m = useMutation({
    meta: { silent: true },
    mutationFn: (v: InspectorForm) =>
      request<Inspector>(`${BASE}/inspectors/${encodeURIComponent(v.userId)}`, {
        method: 'PUT',
        body: {
          townCode: v.townCode ?? null,
          active: v.active,
          conflicts: (v.conflicts ?? []).map((c) => ({
            uscc: c.uscc.trim(),
            reason: (c.reason ?? '').trim(),
          })),
        },
      }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.inspectors });
      showSuccess(t('sampling.inspectors.saved'));
      onClose();
    },
    onError: (e) => showApiError(e, form),
  });
  if (!editing) return null;
  const initial: InspectorForm =
    editing === 'new'
      ? { userId: '', townCode: null, active: true, conflicts: [] }
      : {
          userId: editing.userId,
          townCode: editing.townCode,
          active: editing.active,
          conflicts: editing.conflicts.map((c) => ({ uscc: c.uscc, reason: c.reason })),
        };
  return (
    <Modal
      open
      title={editing === 'new' ? t('sampling.inspectors.add') : editing.displayName}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: m.isPending, 'data-testid': 'inspector-save' } as never}
      destroyOnHidden
      width={640}
    >
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={initial}
        onFinish={(v) => m.mutate(v)}
      >
        <Form.Item
          name="userId"
          label={t('sampling.inspectors.user')}
          rules={[{ required: true, message: t('sampling.editor.required') }]}
          hidden={editing !== 'new'}
        >
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            loading={candidates.isPending}
            options={(candidates.data ?? [])
              .filter((c) => !registered.has(c.id))
              .map((c) => ({
                value: c.id,
                label: `${c.displayName}（${c.username} · ${t(`roles.${c.role}`)}）`,
              }))}
            data-testid="inspector-user"
          />
        </Form.Item>
        <Form.Item
          name="townCode"
          label={t('sampling.inspectors.town')}
          extra={t('sampling.inspectors.townHint')}
        >
          <TownSelect placeholder={t('sampling.plan.wholeCity')} />
        </Form.Item>
        <Form.Item name="active" label={t('sampling.inspectors.active')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Typography.Text strong>{t('sampling.inspectors.conflicts')}</Typography.Text>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('sampling.inspectors.conflictsHint')}
        </Typography.Paragraph>
        <Form.List name="conflicts">
          {(fields, { add, remove }) => (
            <Flex vertical gap={8}>
              {fields.map((f) => (
                <Flex key={f.key} gap={8} align="flex-start">
                  <Form.Item
                    name={[f.name, 'uscc']}
                    style={{ margin: 0, width: 220 }}
                    rules={[{ required: true, message: t('sampling.editor.required') }]}
                  >
                    <Input placeholder={t('enterprise.uscc')} style={mono} maxLength={18} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'reason']} style={{ margin: 0, flex: 1 }}>
                    <Input placeholder={t('sampling.inspectors.conflictReason')} maxLength={200} />
                  </Form.Item>
                  <Button type="text" danger icon={<DeleteOutlined />} onClick={() => remove(f.name)} />
                </Flex>
              ))}
              <Button type="dashed" icon={<PlusOutlined />} onClick={() => add({ uscc: '', reason: '' })}>
                {t('sampling.inspectors.addConflict')}
              </Button>
            </Flex>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}

function InspectorsTab() {
  const { t } = useTranslation();
  const names = useRefNames();
  const [editing, setEditing] = useState<Inspector | 'new' | null>(null);
  const { data, isPending } = useQuery({
    queryKey: keys.inspectors,
    queryFn: ({ signal }) => api.get<{ items: Inspector[] }>(`${BASE}/inspectors`, undefined, signal),
  });
  const columns: TableColumnsType<Inspector> = [
    {
      title: t('sampling.inspectors.user'),
      key: 'user',
      render: (_: unknown, i) => (
        <span>
          {i.displayName}
          <Typography.Text type="secondary" style={{ marginInlineStart: 6, fontSize: 12 }}>
            {i.username}
          </Typography.Text>
        </span>
      ),
    },
    {
      title: t('users.role'),
      dataIndex: 'role',
      width: 140,
      render: (r: string) => t(`roles.${r}`, { defaultValue: r }),
    },
    {
      title: t('sampling.inspectors.town'),
      dataIndex: 'townCode',
      width: 130,
      render: (c: string | null) => (c ? names.town(c) : t('sampling.plan.wholeCity')),
    },
    {
      title: t('sampling.inspectors.active'),
      dataIndex: 'active',
      width: 90,
      render: (a: boolean) =>
        a ? <Tag color="success">{t('common.yes')}</Tag> : <Tag>{t('common.no')}</Tag>,
    },
    {
      title: t('sampling.inspectors.conflicts'),
      key: 'conflicts',
      render: (_: unknown, i) =>
        i.conflicts.length ? (
          <Flex vertical gap={2}>
            {i.conflicts.map((c) => (
              <span key={c.enterpriseId} style={{ fontSize: 12 }}>
                {c.name || c.uscc}
                {c.reason && <Typography.Text type="secondary"> · {c.reason}</Typography.Text>}
              </span>
            ))}
          </Flex>
        ) : (
          '—'
        ),
    },
    {
      title: '',
      key: 'edit',
      width: 60,
      render: (_: unknown, i) => (
        <Button
          type="text"
          icon={<EditOutlined />}
          aria-label={t('common.edit')}
          onClick={() => setEditing(i)}
        />
      ),
    },
  ];
  return (
    <>
      <Flex justify="space-between" align="center" style={{ marginBottom: 12 }} wrap gap={8}>
        <Typography.Text type="secondary">{t('sampling.inspectors.hint')}</Typography.Text>
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setEditing('new')}
          data-testid="inspector-add"
        >
          {t('sampling.inspectors.add')}
        </Button>
      </Flex>
      <Table
        rowKey="userId"
        size="middle"
        loading={isPending}
        columns={columns}
        dataSource={data?.items ?? []}
        pagination={false}
        scroll={{ x: 800 }}
        data-testid="inspectors-table"
      />
      <InspectorModal
        editing={editing}
        onClose={() => setEditing(null)}
        registered={new Set((data?.items ?? []).map((i) => i.userId))}
      />
    </>
  );
}

interface ReferralForm {
  uscc: string;
  categoryCode?: string;
  reason: 'complaint' | 'referral';
  reference: string;
  note?: string;
}

function ReferralsTab() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { names: categoryName } = useCategoryTree();
  const [adding, setAdding] = useState(false);
  const [open, setOpen] = useState(true);
  const [form] = Form.useForm<ReferralForm>();
  const { data, isPending } = useQuery({
    queryKey: keys.referrals(open),
    queryFn: ({ signal }) =>
      api.get<{ items: Referral[] }>(`${BASE}/referrals`, open ? { open: true } : undefined, signal),
  });
  const m = useMutation({
    meta: { silent: true },
    mutationFn: (v: ReferralForm) =>
      api.post<Referral>(`${BASE}/referrals`, {
        uscc: v.uscc.trim(),
        categoryCode: v.categoryCode ?? null,
        reason: v.reason,
        reference: v.reference.trim(),
        note: v.note?.trim() || null,
      }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['sampling', 'referrals'] });
      showSuccess(t('sampling.referrals.saved'));
      setAdding(false);
    },
    onError: (e) => showApiError(e, form),
  });
  const columns: TableColumnsType<Referral> = [
    {
      title: t('sampling.sample.producer'),
      key: 'enterprise',
      render: (_: unknown, r) => (
        <span>
          {r.enterprise.name}
          <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12, ...mono }}>
            {r.enterprise.uscc}
          </Typography.Text>
        </span>
      ),
    },
    {
      title: t('sampling.plan.category'),
      dataIndex: 'categoryCode',
      width: 150,
      render: (c: string | null) => (c ? (categoryName.get(c) ?? c) : t('sampling.referrals.anyCategory')),
    },
    {
      title: t('sampling.referrals.reason'),
      dataIndex: 'reason',
      width: 110,
      render: (r: string) => <Tag color="volcano">{t(`sampling.drawReason.${r}`)}</Tag>,
    },
    { title: t('sampling.referrals.reference'), dataIndex: 'reference', width: 170 },
    { title: t('sampling.case.notes'), dataIndex: 'note', render: (n: string | null) => n ?? '—' },
    {
      title: t('sampling.referrals.state'),
      dataIndex: 'drawId',
      width: 100,
      render: (d: string | null) =>
        d ? (
          <Tag>{t('sampling.referrals.used')}</Tag>
        ) : (
          <Tag color="processing">{t('sampling.referrals.open')}</Tag>
        ),
    },
    { title: t('sampling.referrals.createdAt'), dataIndex: 'createdAt', width: 150, render: formatDateTime },
  ];
  return (
    <>
      <Flex justify="space-between" align="center" style={{ marginBottom: 12 }} wrap gap={8}>
        <Space>
          <Switch checked={open} onChange={setOpen} />
          {t('sampling.referrals.onlyOpen')}
        </Space>
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setAdding(true)}
          data-testid="referral-add"
        >
          {t('sampling.referrals.add')}
        </Button>
      </Flex>
      <Table
        rowKey="id"
        size="middle"
        loading={isPending}
        columns={columns}
        dataSource={data?.items ?? []}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 960 }}
        data-testid="referrals-table"
      />
      <Modal
        open={adding}
        title={t('sampling.referrals.add')}
        onCancel={() => setAdding(false)}
        onOk={() => form.submit()}
        okButtonProps={{ loading: m.isPending }}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          preserve={false}
          initialValues={{ reason: 'complaint' }}
          onFinish={(v) => m.mutate(v)}
        >
          <Form.Item
            name="uscc"
            label={t('enterprise.uscc')}
            rules={[{ required: true, whitespace: true, message: t('sampling.editor.required') }]}
          >
            <Input style={mono} maxLength={18} data-testid="referral-uscc" />
          </Form.Item>
          <Form.Item
            name="categoryCode"
            label={t('sampling.plan.category')}
            extra={t('sampling.referrals.categoryHint')}
          >
            <CategorySelect allowClear placeholder={t('sampling.referrals.anyCategory')} />
          </Form.Item>
          <Form.Item name="reason" label={t('sampling.referrals.reason')} rules={[{ required: true }]}>
            <Radio.Group
              options={(['complaint', 'referral'] as const).map((r) => ({
                value: r,
                label: t(`sampling.drawReason.${r}`),
              }))}
            />
          </Form.Item>
          <Form.Item
            name="reference"
            label={t('sampling.referrals.reference')}
            rules={[{ required: true, whitespace: true, message: t('sampling.editor.required') }]}
          >
            <Input maxLength={100} placeholder="12315-2026-0001" data-testid="referral-reference" />
          </Form.Item>
          <Form.Item name="note" label={t('sampling.case.notes')}>
            <Input.TextArea rows={2} maxLength={1000} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}

export default function InspectorsPage() {
  const { t } = useTranslation();
  const [params, setFilter] = useUrlFilters();
  const tab = params.get('tab') === 'referrals' ? 'referrals' : 'inspectors';
  return (
    <>
      <PageTitle
        prefix={
          <Link to="/sampling/plans" style={{ display: 'inline-block', marginBottom: 8 }}>
            <ArrowLeftOutlined /> {t('sampling.editor.back')}
          </Link>
        }
        title={t('sampling.inspectors.title')}
        subtitle={t('sampling.inspectors.subtitle')}
      />
      <Card styles={{ body: { paddingTop: 4 } }}>
        <Tabs
          activeKey={tab}
          onChange={(k) => setFilter({ tab: k === 'referrals' ? k : undefined })}
          destroyOnHidden
          items={[
            { key: 'inspectors', label: t('sampling.inspectors.tab'), children: <InspectorsTab /> },
            { key: 'referrals', label: t('sampling.referrals.tab'), children: <ReferralsTab /> },
          ]}
        />
      </Card>
    </>
  );
}
