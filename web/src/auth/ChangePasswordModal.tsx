/** 修改密码 from the user menu: current, new, repeat, with the rules shown; other sessions end. */
import { type ButtonProps, Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { showApiError, showSuccess } from '../api/client';
import { PasswordRules, usePasswordRules } from './PasswordRules';
import { useSession } from './session';

interface Values {
  currentPassword: string;
  newPassword: string;
  confirm: string;
}

export default function ChangePasswordModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { session, changePassword } = useSession();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const rules = usePasswordRules(session?.user.username);

  const onFinish = async (v: Values) => {
    setSaving(true);
    try {
      await changePassword(v.currentPassword, v.newPassword);
      showSuccess(t('people.change.done'));
      form.resetFields();
      onClose();
    } catch (e) {
      showApiError(e, form);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      title={t('people.change.title')}
      open={open}
      onCancel={() => {
        form.resetFields();
        onClose();
      }}
      onOk={() => form.submit()}
      okText={t('people.change.submit')}
      okButtonProps={{ 'data-testid': 'own-password-submit' } as ButtonProps}
      confirmLoading={saving}
      destroyOnHidden
      forceRender
    >
      <Form<Values>
        name="ownPassword"
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={onFinish}
        style={{ marginTop: 16 }}
        data-testid="own-password-form"
      >
        <Form.Item
          name="currentPassword"
          label={t('people.change.current')}
          rules={[
            { required: true, message: t('people.change.required', { field: t('people.change.current') }) },
          ]}
        >
          <Input.Password autoComplete="current-password" data-testid="own-password-current" />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label={t('people.change.new')}
          dependencies={['currentPassword']}
          rules={[
            ...rules,
            ({ getFieldValue }) => ({
              validator: (_, v) =>
                !v || v !== getFieldValue('currentPassword')
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('people.change.sameAsCurrent'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="own-password-new" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('people.change.repeat')}
          dependencies={['newPassword']}
          rules={[
            { required: true, message: t('people.change.required', { field: t('people.change.repeat') }) },
            ({ getFieldValue }) => ({
              validator: (_, v) =>
                !v || v === getFieldValue('newPassword')
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('people.change.mismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="own-password-repeat" />
        </Form.Item>
        <PasswordRules />
      </Form>
    </Modal>
  );
}
