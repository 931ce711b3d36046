import { CheckOutlined, EditOutlined, KeyOutlined, PlusOutlined, StopOutlined } from '@ant-design/icons';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Badge,
  Button,
  Card,
  Flex,
  Form,
  Input,
  Modal,
  Popconfirm,
  Radio,
  Select,
  Space,
  Table,
  type TableColumnsType,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, showApiError, showSuccess } from '../api/client';
import { useRefNames } from '../api/reference';
import type { Role } from '../api/types';
import { PasswordRules, usePasswordRules } from '../auth/PasswordRules';
import { useSession } from '../auth/session';
import { formatDateTime } from '../components/format';
import PageTitle from '../components/PageTitle';
import { TownSelect } from '../components/RefSelects';
import SearchInput from '../components/SearchInput';
import UserEditDrawer from './UserEditDrawer';
import {
  type AdminUser,
  type AdminUserWithPassword,
  ORG_ROLES,
  ROLES,
  USCC_PATTERN,
  type UserPage,
  type UserSearch,
} from './users-shared';

const ROLE_COLORS: Record<Role, string> = {
  admin: 'red',
  regulator: 'blue',
  townOfficer: 'cyan',
  enterprise: 'default',
  lab: 'purple',
  maintenanceUnit: 'orange',
};
const USERNAME_PATTERN = /^[A-Za-z0-9._-]{3,32}$/;

interface NewUserValues {
  username: string;
  displayName: string;
  password?: string;
  role: Role;
  townCode?: string | null;
  enterpriseUscc?: string | null;
}

/** Shows a generated password once, to be handed to its owner. */
function GeneratedPasswordModal({
  user,
  onClose,
}: {
  user: AdminUserWithPassword | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Modal
      title={t('people.password.generatedTitle')}
      open={!!user?.generatedPassword}
      closable={false}
      maskClosable={false}
      keyboard={false}
      footer={
        <Button type="primary" onClick={onClose} data-testid="generated-password-close">
          {t('people.password.close')}
        </Button>
      }
    >
      {user && (
        <Flex vertical gap={12} style={{ marginTop: 8 }}>
          <Typography.Text>
            {t('people.password.generatedFor', { name: user.displayName, username: user.username })}
          </Typography.Text>
          <Typography.Text
            code
            copyable={{ tooltips: false }}
            style={{ fontSize: 20, letterSpacing: 1 }}
            data-testid="generated-password"
          >
            {user.generatedPassword}
          </Typography.Text>
          <Alert type="warning" showIcon title={t('people.password.generatedOnce')} />
        </Flex>
      )}
    </Modal>
  );
}

function CreateUserModal({
  open,
  onClose,
  onGenerated,
}: {
  open: boolean;
  onClose: () => void;
  onGenerated: (u: AdminUserWithPassword) => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm<NewUserValues>();
  const role = Form.useWatch('role', form);
  const username = Form.useWatch('username', form);
  // Left blank, the server generates the password.
  const passwordChecks = usePasswordRules(username, { optional: true });
  const create = useMutation({
    meta: { silent: true },
    mutationFn: (v: NewUserValues) =>
      api.post<AdminUserWithPassword>('/api/v1/users', {
        username: v.username.trim(),
        displayName: v.displayName.trim(),
        ...(v.password ? { password: v.password } : { generatePassword: true }),
        role: v.role,
        townCode: v.role === 'townOfficer' ? (v.townCode ?? null) : null,
        enterpriseUscc: ORG_ROLES.includes(v.role) ? (v.enterpriseUscc?.trim().toUpperCase() ?? null) : null,
      }),
    onSuccess: (u) => {
      showSuccess(t('users.created'));
      void qc.invalidateQueries({ queryKey: ['users'] });
      form.resetFields();
      onClose();
      if (u.generatedPassword) onGenerated(u);
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
      <Form<NewUserValues>
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
          rules={passwordChecks}
          extra={t('people.password.createHint')}
        >
          <Input.Password
            autoComplete="new-password"
            placeholder={t('people.password.createPlaceholder')}
            data-testid="user-create-password"
          />
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
        <PasswordRules />
      </Form>
    </Modal>
  );
}

function ResetPasswordModal({
  user,
  onClose,
  onGenerated,
}: {
  user: AdminUser | null;
  onClose: () => void;
  onGenerated: (u: AdminUserWithPassword) => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ mode: 'generate' | 'type'; password?: string; confirm?: string }>();
  const mode = Form.useWatch('mode', form) ?? 'generate';
  const rules = usePasswordRules(user?.username);
  const reset = useMutation({
    meta: { silent: true },
    mutationFn: (v: { mode: 'generate' | 'type'; password?: string }) =>
      api.patch<AdminUserWithPassword>(
        `/api/v1/users/${encodeURIComponent(user!.id)}`,
        v.mode === 'type' ? { password: v.password } : { generatePassword: true },
      ),
    onSuccess: (u) => {
      showSuccess(t('users.passwordReset'));
      form.resetFields();
      onClose();
      if (u.generatedPassword) onGenerated(u);
    },
    onError: (e) => showApiError(e, form),
  });
  return (
    <Modal
      title={user ? t('people.password.resetTitle', { name: user.displayName }) : ''}
      open={!!user}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('people.password.resetSubmit')}
      confirmLoading={reset.isPending}
      destroyOnHidden
      forceRender
    >
      <Form
        name="resetPassword"
        form={form}
        layout="vertical"
        initialValues={{ mode: 'generate' }}
        onFinish={(v) => reset.mutate(v)}
        style={{ marginTop: 16 }}
        data-testid="user-reset-form"
      >
        <Alert type="info" showIcon title={t('people.password.resetHint')} style={{ marginBottom: 16 }} />
        <Form.Item
          name="mode"
          label={t('people.password.mode')}
          extra={mode === 'generate' ? t('people.password.generateHint') : t('people.password.typeHint')}
        >
          <Radio.Group
            options={[
              { value: 'generate', label: t('people.password.generate') },
              { value: 'type', label: t('people.password.type') },
            ]}
          />
        </Form.Item>
        {mode === 'type' && (
          <>
            <Form.Item name="password" label={t('users.newPassword')} rules={rules}>
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
            <PasswordRules />
          </>
        )}
      </Form>
    </Modal>
  );
}

function Filters({ value, onChange }: { value: UserSearch; onChange: (v: UserSearch) => void }) {
  const { t } = useTranslation();
  const [q, setQ] = useState(value.q ?? '');
  const [enterprise, setEnterprise] = useState(value.enterprise ?? '');
  const set = (patch: Partial<UserSearch>) => onChange({ ...value, ...patch, page: 1 });
  return (
    <Flex wrap gap={8} style={{ padding: 12 }} data-testid="users-filters">
      <SearchInput
        value={q}
        onChange={setQ}
        onSearch={(v) => set({ q: v.trim() || undefined })}
        placeholder={t('people.search.placeholder')}
        buttonText={t('people.search.button')}
        style={{ width: 320 }}
        data-testid="users-search"
      />
      <Select
        allowClear
        placeholder={t('people.search.allRoles')}
        style={{ width: 150 }}
        value={value.role}
        onChange={(role?: Role) => set({ role })}
        options={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
        data-testid="users-role-filter"
      />
      <TownSelect
        placeholder={t('people.search.allTowns')}
        style={{ width: 170 }}
        value={value.townCode}
        onChange={(townCode) => set({ townCode })}
      />
      <Input
        allowClear
        placeholder={t('people.search.enterprise')}
        style={{ width: 230, fontFamily: enterprise ? 'monospace' : undefined }}
        value={enterprise}
        onChange={(e) => {
          setEnterprise(e.target.value);
          if (!e.target.value) set({ enterprise: undefined });
        }}
        onPressEnter={() => set({ enterprise: enterprise.trim() || undefined })}
        data-testid="users-enterprise-filter"
      />
      <Select
        allowClear
        placeholder={t('people.search.allStates')}
        style={{ width: 120 }}
        value={value.active === undefined ? undefined : String(value.active)}
        onChange={(v?: string) => set({ active: v === undefined ? undefined : v === 'true' })}
        options={[
          { value: 'true', label: t('users.active') },
          { value: 'false', label: t('users.inactive') },
        ]}
      />
      <Button
        onClick={() => {
          setQ('');
          setEnterprise('');
          onChange({ page: 1, pageSize: value.pageSize });
        }}
      >
        {t('people.search.clear')}
      </Button>
    </Flex>
  );
}

export default function UsersPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const names = useRefNames();
  const { session } = useSession();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<AdminUser | null>(null);
  const [resetting, setResetting] = useState<AdminUser | null>(null);
  const [generated, setGenerated] = useState<AdminUserWithPassword | null>(null);
  const [search, setSearch] = useState<UserSearch>({ page: 1, pageSize: 20 });

  const { data, isFetching } = useQuery({
    queryKey: ['users', search],
    queryFn: ({ signal }) =>
      api.get<UserPage>(
        '/api/v1/users',
        {
          q: search.q,
          role: search.role,
          townCode: search.townCode,
          enterprise: search.enterprise,
          active: search.active,
          page: search.page,
          pageSize: search.pageSize,
        },
        signal,
      ),
    placeholderData: keepPreviousData,
  });

  const toggle = useMutation({
    mutationFn: (u: AdminUser) =>
      api.patch<AdminUser>(`/api/v1/users/${encodeURIComponent(u.id)}`, { active: !u.active }),
    onSuccess: () => {
      showSuccess(t('users.updated'));
      void qc.invalidateQueries({ queryKey: ['users'] });
    },
  });

  const columns: TableColumnsType<AdminUser> = [
    {
      title: t('users.username'),
      dataIndex: 'username',
      render: (v: string, u) => (
        <Space size={4} wrap>
          <Typography.Text strong>{v}</Typography.Text>
          {u.id === session?.user.id && <Tag color="blue">{t('users.self')}</Tag>}
          {u.mustChangeOnSignIn && (
            <Tooltip title={t('people.mustChangeTip')}>
              <Tag color="gold" data-testid="user-must-change">
                {t('people.mustChange')}
              </Tag>
            </Tooltip>
          )}
        </Space>
      ),
    },
    { title: t('users.displayName'), dataIndex: 'displayName' },
    {
      title: t('users.role'),
      dataIndex: 'role',
      render: (r: Role) => (
        <Tag color={ROLE_COLORS[r]} data-testid="user-role">
          {t(`roles.${r}`, { defaultValue: r })}
        </Tag>
      ),
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
      render: (a: boolean) => (
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
      width: 250,
      render: (_, u) => {
        const self = u.id === session?.user.id;
        return (
          <Space size={0}>
            <Button
              type="link"
              size="small"
              icon={<EditOutlined />}
              onClick={() => setEditing(u)}
              data-testid="user-edit"
            >
              {t('people.edit.action')}
            </Button>
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
            <Button
              type="link"
              size="small"
              icon={<KeyOutlined />}
              onClick={() => setResetting(u)}
              data-testid="user-reset"
            >
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
        <Filters value={search} onChange={setSearch} />
        <div data-testid="users-table">
          <Table<AdminUser>
            rowKey="id"
            columns={columns}
            dataSource={data?.items ?? []}
            loading={isFetching && !data}
            pagination={{
              current: search.page,
              pageSize: search.pageSize,
              total: data?.total ?? 0,
              hideOnSinglePage: true,
              showSizeChanger: true,
              showTotal: (n) => t('common.total', { n }),
              onChange: (page, pageSize) => setSearch((s) => ({ ...s, page, pageSize })),
            }}
          />
        </div>
      </Card>
      <CreateUserModal open={creating} onClose={() => setCreating(false)} onGenerated={setGenerated} />
      <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} onGenerated={setGenerated} />
      <UserEditDrawer
        user={editing}
        self={editing?.id === session?.user.id}
        onClose={() => setEditing(null)}
      />
      <GeneratedPasswordModal user={generated} onClose={() => setGenerated(null)} />
    </>
  );
}
