import { CheckOutlined, KeyOutlined, PlusOutlined, StopOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Badge,
  Button,
  Card,
  Flex,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, showApiError, showSuccess } from '../api/client';
import { useRefNames } from '../api/reference';
import type { ListOf, ManagedUser, NewUser, Role, UserPatch } from '../api/types';
import { useSession } from '../auth/session';
import { formatDateTime } from '../components/format';
import PageTitle from '../components/PageTitle';
import { TownSelect } from '../components/RefSelects';

export const ROLES: Role[] = ['admin', 'regulator', 'townOfficer', 'enterprise', 'lab', 'maintenanceUnit'];
const ORG_ROLES: Role[] = ['enterprise', 'lab', 'maintenanceUnit'];
const ROLE_COLORS: Record<Role, string> = {
  admin: 'red',
  regulator: 'blue',
  townOfficer: 'cyan',
  enterprise: 'default',
  lab: 'purple',
  maintenanceUnit: 'orange',
};
const USERNAME_PATTERN = /^[A-Za-z0-9._-]{3,32}$/;
const USCC_PATTERN = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

function passwordRules(t: (k: string) => string) {
  return [
    { required: true, message: t('users.passwordRule') },
    { min: 10, message: t('users.passwordRule') },
    {
      validator: (_: unknown, v?: string) =>
        !v || (/[A-Za-z]/.test(v) && /\d/.test(v))
          ? Promise.resolve()
          : Promise.reject(new Error(t('users.passwordRule'))),
    },
  ];
}

function CreateUserModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm<NewUser>();
  const role = Form.useWatch('role', form);
  const create = useMutation({
    meta: { silent: true },
    mutationFn: (v: NewUser) => {
      const body: NewUser = {
        username: v.username.trim(),
        displayName: v.displayName.trim(),
        password: v.password,
        role: v.role,
        townCode: v.role === 'townOfficer' ? (v.townCode ?? null) : null,
        enterpriseUscc: ORG_ROLES.includes(v.role) ? (v.enterpriseUscc?.trim().toUpperCase() ?? null) : null,
      };
      return api.post<ManagedUser>('/api/v1/users', body);
    },
    onSuccess: () => {
      showSuccess(t('users.created'));
      void qc.invalidateQueries({ queryKey: ['users'] });
      form.resetFields();
      onClose();
    },
    onError: (e) => showApiError(e, form),
  });
  return (
    <Modal
      title={t('users.create')}
      open={open}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.submit')}
      confirmLoading={create.isPending}
      destroyOnHidden
      forceRender
    >
      <Form<NewUser>
        name="createUser"
        form={form}
        layout="vertical"
        onFinish={(v) => create.mutate(v)}
        initialValues={{ role: 'regulator' }}
        data-testid="user-create-form"
        style={{ marginTop: 16 }}
      >
        <Form.Item
          name="username"
          label={t('users.username')}
          rules={[{ required: true }, { pattern: USERNAME_PATTERN, message: t('users.usernameRule') }]}
          extra={t('users.usernameRule')}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="displayName"
          label={t('users.displayName')}
          rules={[{ required: true, whitespace: true }]}
        >
          <Input maxLength={50} />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('users.password')}
          rules={passwordRules(t)}
          extra={t('users.passwordRule')}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="role" label={t('users.role')} rules={[{ required: true }]}>
          <Select options={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))} />
        </Form.Item>
        {role === 'townOfficer' && (
          <Form.Item name="townCode" label={t('users.town')} rules={[{ required: true }]}>
            <TownSelect allowClear={false} />
          </Form.Item>
        )}
        {role && ORG_ROLES.includes(role) && (
          <Form.Item
            name="enterpriseUscc"
            label={t('users.enterpriseUscc')}
            normalize={(v?: string) => v?.toUpperCase()}
            rules={[{ required: true }, { pattern: USCC_PATTERN, message: t('enterprise.uscc') }]}
          >
            <Input maxLength={18} style={{ fontFamily: 'monospace' }} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function ResetPasswordModal({ user, onClose }: { user: ManagedUser | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ password: string; confirm: string }>();
  const reset = useMutation({
    meta: { silent: true },
    mutationFn: (password: string) =>
      api.patch<ManagedUser>(`/api/v1/users/${encodeURIComponent(user!.id)}`, {
        password,
      } satisfies UserPatch),
    onSuccess: () => {
      showSuccess(t('users.passwordReset'));
      form.resetFields();
      onClose();
    },
    onError: (e) => showApiError(e, form),
  });
  return (
    <Modal
      title={user ? t('users.resetFor', { name: user.displayName }) : ''}
      open={!!user}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.submit')}
      confirmLoading={reset.isPending}
      destroyOnHidden
      forceRender
    >
      <Form
        name="resetPassword"
        form={form}
        layout="vertical"
        onFinish={(v) => reset.mutate(v.password)}
        style={{ marginTop: 16 }}
      >
        <Form.Item
          name="password"
          label={t('users.newPassword')}
          rules={passwordRules(t)}
          extra={t('users.passwordRule')}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('users.confirmPassword')}
          dependencies={['password']}
          rules={[
            { required: true },
            ({ getFieldValue }) => ({
              validator: (_, v) =>
                !v || v === getFieldValue('password')
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('users.passwordMismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function UsersPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const names = useRefNames();
  const { session } = useSession();
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<ManagedUser | null>(null);

  const { data, isPending } = useQuery({
    queryKey: ['users'],
    queryFn: ({ signal }) => api.get<ListOf<ManagedUser>>('/api/v1/users', undefined, signal),
    select: (d) => d.items,
  });

  const toggle = useMutation({
    mutationFn: (u: ManagedUser) =>
      api.patch<ManagedUser>(`/api/v1/users/${encodeURIComponent(u.id)}`, {
        active: !u.active,
      } satisfies UserPatch),
    onSuccess: () => {
      showSuccess(t('users.updated'));
      void qc.invalidateQueries({ queryKey: ['users'] });
    },
  });

  const columns: TableColumnsType<ManagedUser> = [
    {
      title: t('users.username'),
      dataIndex: 'username',
      render: (v: string, u) => (
        <Space>
          <Typography.Text strong>{v}</Typography.Text>
          {u.id === session?.user.id && <Tag color="blue">{t('users.self')}</Tag>}
        </Space>
      ),
    },
    { title: t('users.displayName'), dataIndex: 'displayName' },
    {
      title: t('users.role'),
      dataIndex: 'role',
      filters: ROLES.map((r) => ({ text: t(`roles.${r}`), value: r })),
      onFilter: (v, u) => u.role === v,
      render: (r: Role) => <Tag color={ROLE_COLORS[r]}>{t(`roles.${r}`, { defaultValue: r })}</Tag>,
    },
    {
      title: `${t('users.town')} / ${t('users.enterprise')}`,
      key: 'scope',
      render: (_, u) =>
        u.townCode ? (
          names.town(u.townCode)
        ) : u.enterpriseName || u.enterpriseUscc || u.enterpriseId ? (
          <Flex vertical>
            <span>{u.enterpriseName ?? ''}</span>
            <Typography.Text type="secondary" style={{ fontFamily: 'monospace', fontSize: 12 }}>
              {u.enterpriseUscc ?? u.enterpriseId}
            </Typography.Text>
          </Flex>
        ) : (
          '—'
        ),
    },
    {
      title: t('users.state'),
      dataIndex: 'active',
      width: 90,
      render: (a: boolean, u) =>
        a && u.lockedUntil && new Date(u.lockedUntil) > new Date() ? (
          <Badge status="warning" text={t('users.locked')} />
        ) : (
          <Badge status={a ? 'success' : 'default'} text={a ? t('users.active') : t('users.inactive')} />
        ),
    },
    {
      title: t('users.lastLoginAt'),
      dataIndex: 'lastLoginAt',
      width: 150,
      render: (v: string | null) =>
        v ? formatDateTime(v) : <Typography.Text type="secondary">{t('users.never')}</Typography.Text>,
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 200,
      render: (_, u) => {
        const self = u.id === session?.user.id;
        return (
          <Space size={4}>
            {u.active ? (
              <Popconfirm
                title={t('users.confirmDisable')}
                onConfirm={() => toggle.mutate(u)}
                disabled={self}
              >
                <Button type="link" size="small" danger icon={<StopOutlined />} disabled={self}>
                  {t('users.disable')}
                </Button>
              </Popconfirm>
            ) : (
              <Button type="link" size="small" icon={<CheckOutlined />} onClick={() => toggle.mutate(u)}>
                {t('users.enable')}
              </Button>
            )}
            <Button type="link" size="small" icon={<KeyOutlined />} onClick={() => setResetting(u)}>
              {t('users.resetPassword')}
            </Button>
          </Space>
        );
      },
    },
  ];

  return (
    <>
      <PageTitle
        title={t('users.title')}
        subtitle={t('users.subtitle')}
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="user-create"
          >
            {t('users.create')}
          </Button>
        }
      />
      <Card styles={{ body: { padding: 0 } }}>
        <div data-testid="users-table">
          <Table<ManagedUser>
            rowKey="id"
            columns={columns}
            dataSource={data ?? []}
            loading={isPending}
            pagination={{ pageSize: 20, hideOnSinglePage: true, showTotal: (n) => t('common.total', { n }) }}
          />
        </div>
      </Card>
      <CreateUserModal open={creating} onClose={() => setCreating(false)} />
      <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} />
    </>
  );
}
