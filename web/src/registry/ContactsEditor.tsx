import { DeleteOutlined, EditOutlined, InfoCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  Button,
  Flex,
  Form,
  Input,
  Modal,
  Popconfirm,
  Space,
  Table,
  type TableColumnsType,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, showApiError, showSuccess } from '../api/client';
import type { Contact, Enterprise } from '../api/types';

interface FormValues {
  name: string;
  role: string;
  phone: string;
  email: string;
  residentId: string;
}

/** Every key is present (as '') so server field errors always find their form field. */
function toForm(c: Contact | null): FormValues {
  return {
    name: c?.name ?? '',
    role: c?.role ?? '',
    phone: c?.phone ?? '',
    email: c?.email ?? '',
    residentId: '',
  };
}

/** Empty optional fields become null (clears them on a change); the resident ID is sent only when typed. */
function fromForm(v: FormValues) {
  const opt = (s: string | undefined) => s?.trim() || null;
  const residentId = v.residentId?.trim().toUpperCase();
  return {
    name: v.name.trim(),
    role: opt(v.role),
    phone: opt(v.phone),
    email: opt(v.email),
    ...(residentId ? { residentId } : {}),
  };
}

interface Props {
  enterprise: Enterprise;
  /** The user may change contacts (`enterprise.update` and `enterprise.readPersonal`). */
  editable: boolean;
}

/** The 联系人 section of the enterprise page: the table and, when allowed, add / edit / delete. */
export default function ContactsEditor({ enterprise, editable }: Props) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  /** `undefined` = closed, `null` = adding, a contact = editing it. */
  const [editing, setEditing] = useState<Contact | null | undefined>(undefined);
  const base = `/api/v1/enterprises/${encodeURIComponent(enterprise.uscc)}/contacts`;

  const applySaved = (saved: Enterprise) => {
    if (saved && typeof saved === 'object' && 'uscc' in saved) {
      qc.setQueryData(['enterprise', enterprise.uscc], saved);
    } else {
      void qc.invalidateQueries({ queryKey: ['enterprise', enterprise.uscc], exact: true });
    }
    void qc.invalidateQueries({ queryKey: ['enterprise', enterprise.uscc, 'history'] });
    void qc.invalidateQueries({ queryKey: ['enterprise', enterprise.uscc, 'timeline'] });
  };

  const remove = useMutation({
    mutationFn: (c: Contact) => api.delete<Enterprise>(`${base}/${encodeURIComponent(c.id)}`),
    onSuccess: (saved) => {
      showSuccess(t('contacts.deleted'));
      applySaved(saved);
    },
  });

  const columns: TableColumnsType<Contact> = [
    { title: t('contacts.name'), dataIndex: 'name', width: 140 },
    {
      title: t('contacts.role'),
      dataIndex: 'role',
      width: 160,
      // Roles are stored as the register writes them (Chinese); known ones are translated.
      render: (v: string | null) => (v ? t(`contactRole.${v}`, { defaultValue: v }) : '—'),
    },
    { title: t('contacts.phone'), dataIndex: 'phone', width: 180, render: (v) => v || '—' },
    { title: t('contacts.email'), dataIndex: 'email', render: (v) => v || '—' },
  ];
  if (editable) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      width: 160,
      render: (_, c) => (
        <Space size={4}>
          <Button
            type="link"
            size="small"
            icon={<EditOutlined />}
            onClick={() => setEditing(c)}
            data-testid="contact-edit"
          >
            {t('common.edit')}
          </Button>
          <Popconfirm
            title={t('contacts.deleteConfirm', { name: c.name })}
            onConfirm={() => remove.mutateAsync(c).catch(() => undefined)}
            okButtonProps={{ danger: true }}
          >
            <Button type="link" size="small" danger icon={<DeleteOutlined />} data-testid="contact-delete">
              {t('contacts.delete')}
            </Button>
          </Popconfirm>
        </Space>
      ),
    });
  }

  return (
    <>
      <Flex align="baseline" gap={12} style={{ marginTop: 24, marginBottom: 8 }}>
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t('enterprisePage.contacts')}
        </Typography.Title>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          <InfoCircleOutlined /> {t('enterprisePage.maskedNote')}
        </Typography.Text>
        {editable && (
          <Button
            size="small"
            icon={<PlusOutlined />}
            style={{ marginLeft: 'auto' }}
            onClick={() => setEditing(null)}
            data-testid="contact-add"
          >
            {t('contacts.add')}
          </Button>
        )}
      </Flex>
      <Table<Contact>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={enterprise.contacts ?? []}
        pagination={false}
        locale={{ emptyText: t('enterprisePage.noContacts') }}
        data-testid="enterprise-contacts"
      />
      {editable && (
        <Modal
          title={editing ? t('contacts.editTitle') : t('contacts.addTitle')}
          open={editing !== undefined}
          onCancel={() => setEditing(undefined)}
          footer={null}
          destroyOnHidden
        >
          {editing !== undefined && (
            <ContactForm
              base={base}
              contact={editing}
              onClose={() => setEditing(undefined)}
              onSaved={applySaved}
            />
          )}
        </Modal>
      )}
    </>
  );
}

interface FormProps {
  base: string;
  contact: Contact | null;
  onClose: () => void;
  onSaved: (e: Enterprise) => void;
}

/** Mounted afresh each time the modal opens. */
function ContactForm({ base, contact, onClose, onSaved }: FormProps) {
  const { t } = useTranslation();
  const [form] = Form.useForm<FormValues>();

  const save = useMutation({
    meta: { silent: true },
    mutationFn: (values: FormValues) => {
      const body = fromForm(values);
      return contact
        ? api.patch<Enterprise>(`${base}/${encodeURIComponent(contact.id)}`, body)
        : api.post<Enterprise>(base, body);
    },
    onSuccess: (saved) => {
      showSuccess(t('contacts.saved'));
      onSaved(saved);
      onClose();
    },
    onError: (err) => showApiError(err, form),
  });

  return (
    <Form<FormValues>
      form={form}
      layout="vertical"
      initialValues={toForm(contact)}
      onFinish={(v) => save.mutate(v)}
      data-testid="contact-form"
      style={{ marginTop: 16 }}
    >
      <Form.Item name="name" label={t('contacts.name')} rules={[{ required: true, whitespace: true }]}>
        <Input maxLength={30} autoComplete="off" />
      </Form.Item>
      <Form.Item name="role" label={t('contacts.role')}>
        <Input maxLength={30} autoComplete="off" />
      </Form.Item>
      <Form.Item name="phone" label={t('contacts.phone')}>
        <Input maxLength={30} autoComplete="off" />
      </Form.Item>
      <Form.Item name="email" label={t('contacts.email')}>
        <Input maxLength={100} autoComplete="off" />
      </Form.Item>
      <Form.Item name="residentId" label={t('contacts.residentId')} extra={t('contacts.residentIdHint')}>
        <Input maxLength={18} autoComplete="off" style={{ fontFamily: 'monospace' }} />
      </Form.Item>
      <Flex justify="flex-end" gap={8}>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="contact-save">
          {t('common.save')}
        </Button>
      </Flex>
    </Form>
  );
}
