/**
 * The three things one can do to a credit record from its row: a regulator reverses it (更正/撤销),
 * the enterprise objects to it (提出异议) or posts its reply beside it (回应).
 */
import { useMutation } from '@tanstack/react-query';
import { Alert, Descriptions, Form, Input, Modal } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { showApiError } from '../api/client';
import { creditApi, type RecordView } from '../api/credit';
import { Points, useText } from './common';
import EvidenceUpload from './EvidenceUpload';

export type RecordModalKind = 'reverse' | 'object' | 'reply';

interface Props {
  kind: RecordModalKind | null;
  record: RecordView | null;
  onClose: () => void;
  /** Called after a successful write; the page refetches what changed. */
  onDone: (kind: RecordModalKind) => void;
}

interface Values {
  reasons?: string;
  grounds?: string;
  text?: string;
  evidenceIds?: string[];
}

export const REPLY_MAX = 500;

export default function RecordModal({ kind, record, onClose, onDone }: Props) {
  const { t } = useTranslation();
  const text = useText();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);

  const mutation = useMutation({
    meta: { silent: true },
    mutationFn: async (v: Values) => {
      if (!record || !kind) return;
      if (kind === 'reverse') await creditApi.reverseRecord(record.id, v.reasons!.trim());
      else if (kind === 'object')
        await creditApi.objectToRecord(
          record.id,
          v.grounds!.trim(),
          v.evidenceIds?.length ? v.evidenceIds : undefined,
        );
      else await creditApi.reply(record.id, v.text!.trim());
    },
    onSuccess: () => {
      if (kind) onDone(kind);
      onClose();
    },
    onError: (err) => showApiError(err, form),
  });

  const open = !!kind && !!record;
  const title = kind ? t(`credit.recordModal.${kind}Title`) : '';

  return (
    <Modal
      open={open}
      title={title}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={kind === 'reverse' ? t('credit.recordModal.reverseOk') : t('common.submit')}
      okButtonProps={{ danger: kind === 'reverse', loading: mutation.isPending, disabled: busy }}
      destroyOnHidden
      width={600}
    >
      {record && (
        <Descriptions
          size="small"
          column={1}
          bordered
          style={{ marginBottom: 16 }}
          items={[
            {
              key: 'summary',
              label: t('credit.records.summary'),
              children: record.summary || text(record.eventLabel),
            },
            { key: 'rule', label: t('credit.records.rule'), children: text(record.ruleLabel) },
            {
              key: 'points',
              label: t('credit.records.points'),
              children: <Points value={record.points} strong />,
            },
            { key: 'occurredOn', label: t('credit.records.occurredOn'), children: record.occurredOn },
          ]}
        />
      )}
      {kind === 'reverse' && (
        <Alert
          type="warning"
          showIcon
          title={t('credit.recordModal.reverseNote')}
          style={{ marginBottom: 16 }}
        />
      )}
      {kind === 'object' && (
        <Alert type="info" showIcon title={t('credit.recordModal.objectNote')} style={{ marginBottom: 16 }} />
      )}
      {kind === 'reply' && (
        <Alert type="info" showIcon title={t('credit.recordModal.replyNote')} style={{ marginBottom: 16 }} />
      )}
      <Form<Values>
        form={form}
        layout="vertical"
        key={`${kind}-${record?.id}`}
        preserve={false}
        initialValues={{ text: record?.reply?.text ?? '', evidenceIds: [] }}
        onFinish={(v) => mutation.mutate(v)}
        data-testid={`credit-${kind ?? 'record'}-form`}
      >
        {kind === 'reverse' && (
          <Form.Item
            name="reasons"
            label={t('credit.recordModal.reasons')}
            rules={[{ required: true, whitespace: true, message: t('credit.recordModal.reasonsRequired') }]}
          >
            <Input.TextArea
              rows={4}
              maxLength={1000}
              showCount
              placeholder={t('credit.recordModal.reversePlaceholder')}
            />
          </Form.Item>
        )}
        {kind === 'object' && (
          <>
            <Form.Item
              name="grounds"
              label={t('credit.recordModal.grounds')}
              rules={[{ required: true, whitespace: true, message: t('credit.recordModal.groundsRequired') }]}
            >
              <Input.TextArea
                rows={5}
                maxLength={2000}
                showCount
                placeholder={t('credit.recordModal.groundsPlaceholder')}
              />
            </Form.Item>
            <Form.Item name="evidenceIds" label={t('credit.evidence.label')}>
              <EvidenceUpload onBusyChange={setBusy} />
            </Form.Item>
          </>
        )}
        {kind === 'reply' && (
          <Form.Item
            name="text"
            label={t('credit.recordModal.replyText')}
            rules={[
              { required: true, whitespace: true, message: t('credit.recordModal.replyRequired') },
              { max: REPLY_MAX, message: t('credit.recordModal.replyTooLong', { n: REPLY_MAX }) },
            ]}
          >
            <Input.TextArea rows={5} maxLength={REPLY_MAX} showCount />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
