/** The edit drawer of the Users page: name, role, and the town or enterprise the role is bound to. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button, Drawer, Flex, Form, Input, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, showApiError, showSuccess } from '../api/client';
import type { ManagedUser, Role } from '../api/types';
import { TownSelect } from '../components/RefSelects';
import { ORG_ROLES, ROLES, USCC_PATTERN } from './users-shared';

interface Values {
  displayName: string;
  role: Role;
  townCode?: string | null;
  enterpriseUscc?: string | null;
}

export default function UserEditDrawer({
  user,
  self,
  onClose,
}: {
  user: ManagedUser | null;
  /** The signed-in administrator's own account: the role cannot change. */
  self: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Drawer
      title={user ? t('people.edit.title', { name: user.displayName }) : ''}
      open={!!user}
      onClose={onClose}
      size={480}
      destroyOnHidden
    >
      {user && <EditForm user={user} self={self} onClose={onClose} />}
    </Drawer>
  );
}

function EditForm({ user, self, onClose }: { user: ManagedUser; self: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const role = Form.useWatch('role', form) ?? user.role;
  const save = useMutation({
    meta: { silent: true },
    mutationFn: (v: Values) =>
      api.patch<ManagedUser>(`/api/v1/users/${encodeURIComponent(user.id)}`, {
        displayName: v.displayName.trim(),
        ...(self ? {} : { role: v.role }),
        townCode: v.role === 'townOfficer' ? (v.townCode ?? null) : null,
        enterpriseUscc: ORG_ROLES.includes(v.role) ? (v.enterpriseUscc?.trim().toUpperCase() ?? null) : null,
      }),
    onSuccess: () => {
      showSuccess(t('people.edit.saved'));
      void qc.invalidateQueries({ queryKey: ['users'] });
      onClose();
    },
    onError: (e) => showApiError(e, form),
  });
  return (
    <Form<Values>
      name="editUser"
      form={form}
      layout="vertical"
      onFinish={(v) => save.mutate(v)}
      initialValues={{
        displayName: user.displayName,
        role: user.role,
        townCode: user.townCode,
        enterpriseUscc: user.enterpriseUscc ?? null,
      }}
      data-testid="user-edit-form"
    >
      <Form.Item label={t('users.username')}>
        <Input value={user.username} disabled />
      </Form.Item>
      <Form.Item
        name="displayName"
        label={t('users.displayName')}
        rules={[{ required: true, whitespace: true }, { max: 50 }]}
      >
        <Input maxLength={50} />
      </Form.Item>
      <Form.Item
        name="role"
        label={t('users.role')}
        rules={[{ required: true }]}
        extra={self ? t('people.edit.selfRole') : undefined}
      >
        <Select
          disabled={self}
          data-testid="user-edit-role"
          options={ROLES.map((r) => ({ value: r, label: t(`roles.${r}`) }))}
        />
      </Form.Item>
      {role === 'townOfficer' && (
        <Form.Item
          name="townCode"
          label={t('users.town')}
          rules={[{ required: true }]}
          extra={t('people.edit.townHint')}
        >
          <TownSelect allowClear={false} />
        </Form.Item>
      )}
      {ORG_ROLES.includes(role) && (
        <Form.Item
          name="enterpriseUscc"
          label={t('users.enterpriseUscc')}
          normalize={(v?: string) => v?.toUpperCase()}
          rules={[{ required: true }, { pattern: USCC_PATTERN, message: t('enterprise.uscc') }]}
          extra={user.enterpriseName ?? t('people.edit.enterpriseHint')}
        >
          <Input maxLength={18} style={{ fontFamily: 'monospace' }} />
        </Form.Item>
      )}
      <Flex justify="end" gap={8}>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="user-edit-save">
          {t('people.edit.save')}
        </Button>
      </Flex>
    </Form>
  );
}
