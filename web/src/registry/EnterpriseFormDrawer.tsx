import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Col, DatePicker, Drawer, Flex, Form, Input, Row, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, isApiError, showApiError, showSuccess } from '../api/client';
import type { Enterprise, EnterprisePatch } from '../api/types';
import { useScope } from '../app/scope';
import { SCALES, STATUSES, useTagOptions } from '../components/EnterpriseBadges';
import { IndustrySelect, TownSelect } from '../components/RefSelects';

interface FormValues {
  uscc?: string;
  name: string;
  legalRepresentative?: string;
  registeredAddress?: string;
  townCode?: string;
  industryCode?: string;
  registeredOn?: Dayjs | null;
  status?: Enterprise['status'];
  scale?: Enterprise['scale'];
  tags?: string[];
}

const EDITABLE = [
  'name',
  'legalRepresentative',
  'registeredAddress',
  'townCode',
  'industryCode',
  'registeredOn',
  'status',
  'scale',
  'tags',
] as const;
type Editable = (typeof EDITABLE)[number];

/** GB 32100-2015: 18 characters from the code alphabet (the check digit is verified by the server). */
const USCC_PATTERN = /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$/;

function toForm(e: Enterprise | undefined): FormValues {
  if (!e) return { name: '', status: 'operating', tags: [] };
  return {
    uscc: e.uscc,
    name: e.name,
    legalRepresentative: e.legalRepresentative ?? undefined,
    registeredAddress: e.registeredAddress ?? undefined,
    townCode: e.townCode,
    industryCode: e.industryCode ?? undefined,
    registeredOn: e.registeredOn ? dayjs(e.registeredOn) : null,
    status: e.status,
    scale: e.scale ?? undefined,
    tags: e.tags ?? [],
  };
}

function fromForm(v: FormValues): Record<Editable, unknown> {
  return {
    name: v.name?.trim(),
    legalRepresentative: v.legalRepresentative?.trim() || null,
    registeredAddress: v.registeredAddress?.trim() || null,
    townCode: v.townCode ?? null,
    industryCode: v.industryCode ?? null,
    registeredOn: v.registeredOn ? v.registeredOn.format('YYYY-MM-DD') : null,
    status: v.status,
    scale: v.scale ?? null,
    tags: v.tags ?? [],
  };
}

interface Props {
  open: boolean;
  /** The enterprise being edited; absent = create a new one. */
  enterprise?: Enterprise;
  onClose: () => void;
  onSaved?: (e: Enterprise) => void;
}

export default function EnterpriseFormDrawer({ open, enterprise, onClose, onSaved }: Props) {
  const { t } = useTranslation();
  return (
    <Drawer
      title={enterprise ? `${t('enterprisePage.editTitle')} · ${enterprise.name}` : t('registry.create')}
      open={open}
      onClose={onClose}
      size={640}
      destroyOnHidden
    >
      {open && <EnterpriseForm enterprise={enterprise} onClose={onClose} onSaved={onSaved} />}
    </Drawer>
  );
}

/** Mounted afresh each time the drawer opens, so it always starts from the latest data. */
function EnterpriseForm({ enterprise, onClose, onSaved }: Omit<Props, 'open'>) {
  const { t } = useTranslation();
  const scope = useScope();
  const qc = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const [conflict, setConflict] = useState<string | null>(null);
  const tagOptions = useTagOptions();
  const editing = !!enterprise;

  const mutation = useMutation({
    meta: { silent: true },
    mutationFn: async (values: FormValues) => {
      const next = fromForm(values);
      if (!enterprise) {
        return api.post<Enterprise>('/api/v1/enterprises', {
          uscc: values.uscc?.trim().toUpperCase(),
          ...next,
        });
      }
      const before = fromForm(toForm(enterprise));
      const patch: Partial<Record<Editable, unknown>> = {};
      for (const k of EDITABLE) {
        if (JSON.stringify(before[k]) !== JSON.stringify(next[k])) patch[k] = next[k];
      }
      const body = { ...patch, version: enterprise.version } as EnterprisePatch;
      return api.patch<Enterprise>(`/api/v1/enterprises/${encodeURIComponent(enterprise.uscc)}`, body);
    },
    onSuccess: (saved) => {
      showSuccess(t('enterprisePage.saved'));
      if (saved && typeof saved === 'object' && 'uscc' in saved) {
        qc.setQueryData(['enterprise', saved.uscc], saved);
      }
      void qc.invalidateQueries({ queryKey: ['enterprises'] });
      void qc.invalidateQueries({ queryKey: ['enterprise'] });
      void qc.invalidateQueries({ queryKey: ['stats'] });
      onClose();
      onSaved?.(saved);
    },
    onError: async (err) => {
      if (isApiError(err) && err.status === 409 && enterprise) {
        const fresh = await qc.fetchQuery({
          queryKey: ['enterprise', enterprise.uscc],
          queryFn: () => api.get<Enterprise>(`/api/v1/enterprises/${encodeURIComponent(enterprise.uscc)}`),
          staleTime: 0,
        });
        setConflict(t('enterprisePage.conflict'));
        form.setFieldsValue(toForm(fresh));
        return;
      }
      showApiError(err, form);
    },
  });

  return (
    <>
      {conflict && <Alert type="warning" showIcon title={conflict} style={{ marginBottom: 16 }} />}
      <Form<FormValues>
        form={form}
        layout="vertical"
        initialValues={toForm(enterprise)}
        onFinish={(v) => mutation.mutate(v)}
        data-testid="enterprise-form"
      >
        <Form.Item
          name="uscc"
          label={t('enterprise.uscc')}
          normalize={(v?: string) => v?.toUpperCase()}
          rules={
            editing ? [] : [{ required: true }, { pattern: USCC_PATTERN, message: t('enterprise.uscc') }]
          }
        >
          <Input disabled={editing} maxLength={18} style={{ fontFamily: 'monospace' }} />
        </Form.Item>
        <Form.Item name="name" label={t('enterprise.name')} rules={[{ required: true, whitespace: true }]}>
          <Input maxLength={100} showCount />
        </Form.Item>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="legalRepresentative" label={t('enterprise.legalRepresentative')}>
              <Input maxLength={50} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="registeredOn" label={t('enterprise.registeredOn')}>
              <DatePicker style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs())} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="registeredAddress" label={t('enterprise.registeredAddress')}>
          <Input maxLength={200} />
        </Form.Item>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="townCode" label={t('enterprise.town')} rules={[{ required: true }]}>
              <TownSelect only={scope.kind === 'town' ? scope.townCode : undefined} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="industryCode" label={t('enterprise.industry')}>
              <IndustrySelect />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={16}>
          <Col span={12}>
            <Form.Item name="status" label={t('enterprise.status')} rules={[{ required: true }]}>
              <Select options={STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))} />
            </Form.Item>
          </Col>
          <Col span={12}>
            <Form.Item name="scale" label={t('enterprise.scale')}>
              <Select allowClear options={SCALES.map((s) => ({ value: s, label: t(`scale.${s}`) }))} />
            </Form.Item>
          </Col>
        </Row>
        <Form.Item name="tags" label={t('enterprise.tags')} extra={t('enterprisePage.tagsHint')}>
          <Select mode="tags" tokenSeparators={[',', '，']} options={tagOptions} />
        </Form.Item>
        <Flex justify="flex-end" gap={8} style={{ borderTop: '1px solid #f0f0f0', paddingTop: 16 }}>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" htmlType="submit" loading={mutation.isPending} data-testid="enterprise-save">
            {t('common.save')}
          </Button>
        </Flex>
      </Form>
    </>
  );
}
