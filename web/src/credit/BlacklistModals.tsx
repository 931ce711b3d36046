/**
 * Forms of the blacklist queue: propose a candidate from a penalty decision, and the actions that
 * need input (list, applyRemoval, decideRemoval, withdraw). Actions without input are confirmed
 * in place by the page.
 */

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Checkbox, DatePicker, Form, Input, Modal, Radio, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { showApiError, showSuccess } from '../api/client';
import {
  type BlacklistAction,
  type BlacklistView,
  creditApi,
  REMOVAL_CONDITIONS,
  type RemovalConditions,
} from '../api/credit';
import { businessToday } from '../components/format';
import { creditKeys } from './common';
import EvidenceUpload from './EvidenceUpload';

const USCC_PATTERN = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

function useDone() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  return (entry: BlacklistView) => {
    showSuccess(t('credit.blacklist.done', { state: t(`credit.blacklistState.${entry.state}`) }));
    void qc.invalidateQueries({ queryKey: creditKeys.all });
  };
}

// ---------------------------------------------------------------------------------------------

interface ProposeValues {
  uscc: string;
  decisionNo: string;
  decidedOn: Dayjs;
  restrictionEndsOn?: Dayjs | null;
}

export function ProposeModal({
  open,
  initialUscc,
  onClose,
}: {
  open: boolean;
  initialUscc?: string;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<ProposeValues>();
  const done = useDone();
  const mutation = useMutation({
    meta: { silent: true },
    mutationFn: (v: ProposeValues) =>
      creditApi.proposeBlacklist({
        uscc: v.uscc.trim().toUpperCase(),
        penalty: {
          decisionNo: v.decisionNo.trim(),
          decidedOn: v.decidedOn.format('YYYY-MM-DD'),
          // Omitted when empty: the server takes an absent field, not null, for "no restriction".
          ...(v.restrictionEndsOn ? { restrictionEndsOn: v.restrictionEndsOn.format('YYYY-MM-DD') } : {}),
        },
      }),
    onSuccess: (entry) => {
      done(entry);
      onClose();
    },
    onError: (err) => showApiError(err, form),
  });
  return (
    <Modal
      open={open}
      title={t('credit.blacklist.propose')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: mutation.isPending }}
      destroyOnHidden
      width={560}
    >
      <Alert type="info" showIcon title={t('credit.blacklist.proposeNote')} style={{ marginBottom: 16 }} />
      <Form<ProposeValues>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ uscc: initialUscc ?? '' }}
        onFinish={(v) => mutation.mutate(v)}
        data-testid="credit-blacklist-propose"
      >
        <Form.Item
          name="uscc"
          label={t('enterprise.uscc')}
          normalize={(v: string) => v?.toUpperCase()}
          rules={[
            { required: true, message: t('credit.blacklist.usccRequired') },
            { pattern: USCC_PATTERN, message: t('credit.blacklist.usccInvalid') },
          ]}
        >
          <Input maxLength={18} style={{ fontFamily: 'monospace' }} />
        </Form.Item>
        <Form.Item
          name="decisionNo"
          label={t('credit.blacklist.decisionNo')}
          rules={[{ required: true, whitespace: true, message: t('credit.blacklist.decisionNoRequired') }]}
        >
          <Input maxLength={100} placeholder={t('credit.blacklist.decisionNoPlaceholder')} />
        </Form.Item>
        <Form.Item
          name="decidedOn"
          label={t('credit.blacklist.decidedOn')}
          rules={[{ required: true, message: t('credit.blacklist.decidedOnRequired') }]}
        >
          <DatePicker style={{ width: '100%' }} disabledDate={(d) => d.isAfter(businessToday(), 'day')} />
        </Form.Item>
        <Form.Item
          name="restrictionEndsOn"
          label={t('credit.blacklist.restrictionEndsOn')}
          extra={t('credit.blacklist.restrictionEndsOnHint')}
        >
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

// ---------------------------------------------------------------------------------------------

export type InputAction = 'list' | 'applyRemoval' | 'decideRemoval' | 'withdraw';

interface ActionValues {
  statementHeard?: boolean;
  conditions?: Partial<RemovalConditions>;
  evidenceIds?: string[];
  approved?: boolean;
  reasons?: string;
  penaltyRevokedBy?: string;
}

function toAction(type: InputAction, v: ActionValues): BlacklistAction {
  switch (type) {
    case 'list':
      return { type, statementHeard: !!v.statementHeard };
    case 'applyRemoval': {
      const conditions = Object.fromEntries(
        REMOVAL_CONDITIONS.map((c) => [c, !!v.conditions?.[c]]),
      ) as unknown as RemovalConditions;
      return { type, conditions, evidenceIds: v.evidenceIds ?? [] };
    }
    case 'decideRemoval':
      return { type, approved: !!v.approved, reasons: v.reasons?.trim() ?? '' };
    case 'withdraw':
      return { type, penaltyRevokedBy: v.penaltyRevokedBy?.trim() ?? '' };
  }
}

export function BlacklistActionModal({
  target,
  onClose,
}: {
  target: { entry: BlacklistView; type: InputAction } | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<ActionValues>();
  const [busy, setBusy] = useState(false);
  const done = useDone();
  const type = target?.type;
  const mutation = useMutation({
    meta: { silent: true },
    mutationFn: (v: ActionValues) => creditApi.blacklistAction(target!.entry.id, toAction(target!.type, v)),
    onSuccess: (entry) => {
      done(entry);
      onClose();
    },
    onError: (err) => showApiError(err, form),
  });
  const evidenceTicked = Form.useWatch(['conditions', 'evidenceSubmitted'], form);
  const entry = target?.entry;

  return (
    <Modal
      open={!!target}
      title={type ? t(`credit.blacklistAction.${type}`) : ''}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: mutation.isPending, disabled: busy, danger: type === 'withdraw' }}
      destroyOnHidden
      width={620}
    >
      {entry && (
        <Typography.Paragraph>
          <Typography.Text strong>{entry.enterprise.name}</Typography.Text>{' '}
          <Typography.Text type="secondary" style={{ fontFamily: 'monospace' }}>
            {entry.enterprise.uscc}
          </Typography.Text>
          <br />
          <Typography.Text type="secondary">
            {t('credit.blacklist.penalty')}: {entry.penalty.decisionNo} ({entry.penalty.decidedOn})
          </Typography.Text>
        </Typography.Paragraph>
      )}
      <Form<ActionValues>
        key={`${type}-${entry?.id}`}
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ statementHeard: true, approved: true, conditions: {}, evidenceIds: [] }}
        onFinish={(v) => mutation.mutate(v)}
        data-testid={`credit-blacklist-${type ?? 'action'}-form`}
      >
        {type === 'list' && (
          <>
            {entry?.statementDeadline && (
              <Alert
                type={businessToday().format('YYYY-MM-DD') <= entry.statementDeadline ? 'warning' : 'info'}
                showIcon
                style={{ marginBottom: 16 }}
                title={t('credit.blacklist.statementDeadlineNote', { date: entry.statementDeadline })}
              />
            )}
            <Form.Item name="statementHeard" label={t('credit.blacklist.statement')}>
              <Radio.Group
                options={[
                  { value: true, label: t('credit.blacklist.statementHeard') },
                  { value: false, label: t('credit.blacklist.statementNone') },
                ]}
              />
            </Form.Item>
          </>
        )}
        {type === 'applyRemoval' && (
          <>
            {entry?.earliestRemovalOn && (
              <Alert
                type={businessToday().format('YYYY-MM-DD') < entry.earliestRemovalOn ? 'warning' : 'info'}
                showIcon
                style={{ marginBottom: 16 }}
                title={t('credit.blacklist.earliestRemovalNote', { date: entry.earliestRemovalOn })}
              />
            )}
            <Typography.Text strong style={{ display: 'block', marginBottom: 8 }}>
              {t('credit.blacklist.conditions')}
            </Typography.Text>
            {REMOVAL_CONDITIONS.map((c) => (
              <Form.Item
                key={c}
                name={['conditions', c]}
                valuePropName="checked"
                style={{ marginBottom: 8 }}
                rules={[
                  {
                    validator: (_, v) =>
                      v
                        ? Promise.resolve()
                        : Promise.reject(new Error(t('credit.blacklist.conditionRequired'))),
                  },
                ]}
              >
                <Checkbox data-testid={`credit-condition-${c}`}>{t(`credit.removalCondition.${c}`)}</Checkbox>
              </Form.Item>
            ))}
            <Form.Item
              name="evidenceIds"
              label={t('credit.evidence.label')}
              style={{ marginTop: 16 }}
              rules={[
                {
                  validator: (_, v: string[] | undefined) =>
                    evidenceTicked && !v?.length
                      ? Promise.reject(new Error(t('credit.blacklist.evidenceRequired')))
                      : Promise.resolve(),
                },
              ]}
            >
              <EvidenceUpload onBusyChange={setBusy} />
            </Form.Item>
          </>
        )}
        {type === 'decideRemoval' && (
          <>
            {entry?.removalApplication && (
              <Alert
                type="info"
                showIcon
                style={{ marginBottom: 16 }}
                title={t('credit.blacklist.applicationNote', {
                  applied: entry.removalApplication.appliedOn,
                  decideBy: entry.removalApplication.decideBy,
                })}
              />
            )}
            <Form.Item name="approved" label={t('credit.blacklist.decision')}>
              <Radio.Group
                options={[
                  { value: true, label: t('credit.blacklist.approve') },
                  { value: false, label: t('credit.blacklist.reject') },
                ]}
              />
            </Form.Item>
            <Form.Item
              name="reasons"
              label={t('credit.objections.reasons')}
              rules={[{ required: true, whitespace: true, message: t('credit.recordModal.reasonsRequired') }]}
            >
              <Input.TextArea rows={4} maxLength={1000} showCount />
            </Form.Item>
          </>
        )}
        {type === 'withdraw' && (
          <>
            <Alert
              type="warning"
              showIcon
              title={t('credit.blacklist.withdrawNote')}
              style={{ marginBottom: 16 }}
            />
            <Form.Item
              name="penaltyRevokedBy"
              label={t('credit.blacklist.penaltyRevokedBy')}
              rules={[
                { required: true, whitespace: true, message: t('credit.blacklist.penaltyRevokedByRequired') },
              ]}
            >
              <Input maxLength={200} placeholder={t('credit.blacklist.penaltyRevokedByPlaceholder')} />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}
