/**
 * 录入信用记录: a regulator enters a record by hand. The form is built from the record types the
 * server offers (GET /api/v1/credit/record-types); the answer carries the new grade.
 */

import { useMutation, useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  type ButtonProps,
  DatePicker,
  Descriptions,
  Drawer,
  Flex,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Skeleton,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { type KeyboardEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError, showApiError } from '../api/client';
import { creditApi, type RecordAndGrade, type RecordType, type RecordTypeField } from '../api/credit';
import { businessToday } from '../components/format';
import { creditKeys, useText } from './common';
import EvidenceUpload from './EvidenceUpload';

interface FormValues {
  type?: string;
  occurredOn?: Dayjs;
  details?: Record<string, string | number | undefined>;
  note?: string;
  evidenceIds?: string[];
}

interface Props {
  open: boolean;
  uscc: string;
  enterpriseName: string;
  /** The grade before the record, named in the confirmation. */
  grade?: { grade: string; score: number };
  onClose: () => void;
  onSaved: (result: RecordAndGrade) => void;
}

export default function RecordDrawer({ open, uscc, enterpriseName, grade, onClose, onSaved }: Props) {
  const { t } = useTranslation();
  return (
    <Drawer
      title={`${t('credit.recordForm.title')} · ${enterpriseName}`}
      open={open}
      onClose={onClose}
      size={600}
      destroyOnHidden
    >
      {open && (
        <RecordForm
          uscc={uscc}
          enterpriseName={enterpriseName}
          grade={grade}
          onClose={onClose}
          onSaved={onSaved}
        />
      )}
    </Drawer>
  );
}

interface FieldInputProps {
  field: RecordTypeField;
  /** Injected by Form.Item. */
  id?: string;
  value?: string | number | null;
  onChange?: (value: string | number | null | undefined) => void;
}

/** One field of the record type; passes Form.Item's id, value and onChange to the real control. */
function FieldInput({ field, id, value, onChange }: FieldInputProps) {
  const text = useText();
  if (field.kind === 'select') {
    return (
      <Select
        id={id}
        value={value ?? undefined}
        onChange={(v) => onChange?.(v)}
        allowClear={!field.required}
        options={(field.options ?? []).map((o) => ({ value: o.value, label: text(o.label, o.value) }))}
      />
    );
  }
  if (field.kind === 'integer')
    return (
      <InputNumber
        id={id}
        value={typeof value === 'number' ? value : value ? Number(value) : null}
        onChange={(v) => onChange?.(v)}
        precision={0}
        min={field.min}
        max={field.max}
        style={{ width: '100%' }}
      />
    );
  return <Input id={id} value={value ?? ''} onChange={(e) => onChange?.(e.target.value)} maxLength={200} />;
}

/**
 * Enter in a one-line field (the date picker above all, where Enter confirms the typed date) must
 * never submit the form: a record cannot be deleted, only reversed in the open. Text areas keep
 * their new lines; the buttons still answer Enter.
 */
function noSubmitOnEnter(e: KeyboardEvent<HTMLFormElement>) {
  if (e.key === 'Enter' && e.target instanceof HTMLInputElement) e.preventDefault();
}

function RecordForm({ uscc, enterpriseName, grade, onClose, onSaved }: Omit<Props, 'open'>) {
  const { t } = useTranslation();
  const text = useText();
  const [form] = Form.useForm<FormValues>();
  const [busy, setBusy] = useState(false);
  /** The checked values waiting for the confirmation; nothing is sent before it. */
  const [pending, setPending] = useState<FormValues | null>(null);
  const typeValue = Form.useWatch('type', form);

  const types = useQuery({
    queryKey: creditKeys.recordTypes,
    queryFn: ({ signal }) => creditApi.recordTypes(signal),
    select: (d) => d.items,
    staleTime: 10 * 60_000,
  });
  const selected: RecordType | undefined = types.data?.find((x) => x.type === typeValue);

  const mutation = useMutation({
    meta: { silent: true },
    mutationFn: (v: FormValues) => {
      const details: Record<string, string | number> = {};
      for (const f of selected?.fields ?? []) {
        const raw = v.details?.[f.name];
        if (raw === undefined || raw === null || raw === '') continue;
        details[f.name] = typeof raw === 'string' ? raw.trim() : raw;
      }
      return creditApi.addRecord(uscc, {
        type: v.type!,
        occurredOn: v.occurredOn!.format('YYYY-MM-DD'),
        details,
        note: v.note?.trim() || undefined,
        evidenceIds: v.evidenceIds?.length ? v.evidenceIds : undefined,
      });
    },
    onSuccess: (res) => {
      setPending(null);
      onSaved(res);
      onClose();
    },
    onError: (err) => {
      setPending(null);
      showApiError(err, form);
    },
  });

  if (types.isPending) return <Skeleton active />;
  if (types.error)
    return (
      <Alert
        type="error"
        showIcon
        title={isApiError(types.error) ? types.error.localizedMessage : t('errors.loadFailed')}
      />
    );

  return (
    <Form<FormValues>
      form={form}
      layout="vertical"
      onFinish={(v) => setPending(v)}
      onKeyDown={noSubmitOnEnter}
      initialValues={{ occurredOn: businessToday(), evidenceIds: [] }}
      data-testid="credit-record-form"
    >
      <Form.Item
        name="type"
        label={t('credit.recordForm.type')}
        rules={[{ required: true, message: t('credit.recordForm.typeRequired') }]}
      >
        <Select
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={t('credit.recordForm.typePlaceholder')}
          options={(types.data ?? []).map((x) => ({ value: x.type, label: text(x.label, x.type) }))}
          onChange={() => form.setFieldValue('details', {})}
          data-testid="credit-record-type"
        />
      </Form.Item>
      <Form.Item
        name="occurredOn"
        label={t('credit.recordForm.occurredOn')}
        rules={[{ required: true, message: t('credit.recordForm.occurredOnRequired') }]}
        extra={t('credit.recordForm.occurredOnHint')}
      >
        <DatePicker style={{ width: '100%' }} disabledDate={(d) => d.isAfter(businessToday(), 'day')} />
      </Form.Item>
      {selected && selected.fields.length > 0 && (
        <div
          style={{
            background: '#f7f9fc',
            border: '1px solid #eef1f5',
            padding: '12px 12px 0',
            marginBottom: 16,
          }}
        >
          <Typography.Text type="secondary" style={{ display: 'block', marginBottom: 8 }}>
            {text(selected.label)}
          </Typography.Text>
          {selected.fields.map((f) => (
            <Form.Item
              key={f.name}
              name={['details', f.name]}
              label={text(f.label, f.name)}
              rules={
                f.required
                  ? [
                      {
                        required: true,
                        message: t('credit.recordForm.fieldRequired', { field: text(f.label) }),
                      },
                    ]
                  : undefined
              }
            >
              <FieldInput field={f} />
            </Form.Item>
          ))}
        </div>
      )}
      <Form.Item name="note" label={t('credit.recordForm.note')}>
        <Input.TextArea rows={3} maxLength={1000} showCount />
      </Form.Item>
      <Form.Item name="evidenceIds" label={t('credit.evidence.label')}>
        <EvidenceUpload onBusyChange={setBusy} />
      </Form.Item>
      <Alert type="info" showIcon title={t('credit.recordForm.gradeNote')} style={{ marginBottom: 16 }} />
      <Flex justify="flex-end" gap={8}>
        <Button onClick={onClose}>{t('common.cancel')}</Button>
        <Button
          type="primary"
          htmlType="submit"
          loading={mutation.isPending}
          disabled={busy}
          data-testid="credit-record-submit"
        >
          {t('common.save')}
        </Button>
      </Flex>
      <Modal
        open={!!pending}
        title={t('credit.recordForm.confirmTitle')}
        okText={t('credit.recordForm.confirmOk')}
        cancelText={t('credit.recordForm.confirmBack')}
        okButtonProps={{ danger: true, 'data-testid': 'credit-record-confirm' } as ButtonProps}
        confirmLoading={mutation.isPending}
        onOk={() => pending && mutation.mutate(pending)}
        onCancel={() => setPending(null)}
        destroyOnHidden
        data-testid="credit-record-confirm-dialog"
      >
        {pending && (
          <>
            <Descriptions
              size="small"
              column={1}
              style={{ marginBottom: 12 }}
              items={[
                { key: 'ent', label: t('credit.recordForm.confirmEnterprise'), children: enterpriseName },
                {
                  key: 'type',
                  label: t('credit.recordForm.type'),
                  children: text(selected?.label, pending.type),
                },
                {
                  key: 'date',
                  label: t('credit.recordForm.occurredOn'),
                  children: pending.occurredOn?.format('YYYY-MM-DD'),
                },
                ...(grade
                  ? [
                      {
                        key: 'grade',
                        label: t('credit.recordForm.confirmGrade'),
                        children: t('credit.recordForm.confirmGradeValue', grade),
                      },
                    ]
                  : []),
              ]}
            />
            <Alert type="warning" showIcon title={t('credit.recordForm.confirmWarning')} />
          </>
        )}
      </Modal>
    </Form>
  );
}
