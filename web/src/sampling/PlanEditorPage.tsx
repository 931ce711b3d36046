/**
 * 抽查计划 editor: a draft is edited and published; a published plan is read-only and amended into
 * a new draft version; a superseded one is read-only history. Each product category carries its
 * check items (an editable table), sample sizes, quota and testing lab.
 */
import {
  ArrowLeftOutlined,
  DeleteOutlined,
  ExperimentOutlined,
  PlusOutlined,
  SaveOutlined,
  SendOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Col,
  ConfigProvider,
  Descriptions,
  Empty,
  Flex,
  Form,
  type FormInstance,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Result,
  Row,
  Select,
  Space,
  Spin,
  Statistic,
  Table,
  Tag,
  TreeSelect,
  Typography,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { type ApiError, isApiError, pickText, showApiError, showSuccess } from '../api/client';
import { useIsEnglish, useTowns } from '../api/reference';
import { useSession } from '../auth/session';
import { businessToday } from '../components/format';
import PageTitle from '../components/PageTitle';
import {
  type CheckItem,
  ITEM_CLASSES,
  PLAN_KINDS,
  PLAN_LEVELS,
  type PlanBody,
  type PlanCategory,
  type PlanDetail,
  type PlanInput,
  samplingApi,
  samplingKeys,
} from './api';
import { PlanStateTag, useCategoryTree } from './common';

interface QuotaRow {
  townCode: string;
  quota: number;
}

interface FormValues {
  code: string;
  year: number;
  title: string;
  kind: PlanInput['kind'];
  level: PlanInput['level'];
  body: Omit<PlanBody, 'townQuotas' | 'amendmentNote'> & { quotaRows: QuotaRow[] };
}

const READ_ONLY_THEME = {
  token: { colorTextDisabled: 'rgba(0, 0, 0, 0.88)', colorBgContainerDisabled: 'transparent' },
};

const emptyItem = (key: string): CheckItem => ({
  key,
  standardCode: '',
  clause: '',
  item: '',
  requirement: '',
  unit: '',
  class: 'major',
});

const emptyCategory = (): PlanCategory => ({
  code: '',
  checkItems: [emptyItem('i1')],
  testUnits: 2,
  backupUnits: 2,
  labEnterpriseId: '',
  quota: 0,
});

function toForm(p: PlanDetail): FormValues {
  return {
    code: p.code,
    year: p.year,
    title: p.title,
    kind: p.kind,
    level: p.level,
    body: {
      legalBasis: p.body.legalBasis,
      towns: p.body.towns,
      budgetYuan: p.body.budgetYuan,
      categories: p.body.categories,
      quotaRows: Object.entries(p.body.townQuotas ?? {}).map(([townCode, quota]) => ({ townCode, quota })),
    },
  };
}

function toBody(v: FormValues, amendmentNote?: string): PlanBody {
  const { quotaRows, ...rest } = v.body;
  return {
    ...rest,
    legalBasis: rest.legalBasis ?? '',
    towns: rest.towns ?? [],
    budgetYuan: rest.budgetYuan ?? 0,
    categories: (rest.categories ?? []).map((c) => ({
      ...c,
      labEnterpriseId: c.labEnterpriseId ?? '',
      quota: c.quota ?? 0,
      checkItems: (c.checkItems ?? []).map((i) => ({
        ...i,
        clause: i.clause ?? '',
        requirement: i.requirement ?? '',
        unit: i.unit ?? '',
      })),
    })),
    townQuotas: Object.fromEntries(
      (quotaRows ?? []).filter((r) => r?.townCode).map((r) => [r.townCode, r.quota ?? 0]),
    ),
    ...(amendmentNote ? { amendmentNote } : {}),
  };
}

/**
 * Puts the server's field errors (`body.categories.0.checkItems.1.item`, `body.townQuotas.441900…`)
 * on the form's fields; returns whether any landed.
 */
function applyPlanErrors(form: FormInstance<FormValues>, err: ApiError): boolean {
  const values = form.getFieldsValue(true) as FormValues;
  const fields: { name: (string | number)[]; errors: string[] }[] = [];
  for (const f of err.fields) {
    const parts = f.field
      .replace(/^\/+/, '')
      .replace(/^body[./]body/, 'body')
      .split(/[./]/)
      .filter(Boolean);
    let name: (string | number)[];
    if (parts[0] === 'body' && parts[1] === 'townQuotas') {
      const idx = (values.body?.quotaRows ?? []).findIndex((r) => r?.townCode === parts[2]);
      name = idx >= 0 ? ['body', 'quotaRows', idx, 'quota'] : ['body', 'towns'];
    } else {
      name = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
      // A field the form has no input for (a whole list) shows on its nearest input.
      if (name.at(-1) === 'checkItems' || name.at(-1) === 'categories')
        name = [...name.slice(0, 2), ...(name.length > 2 ? [name[2]!, 'code'] : [])];
    }
    fields.push({ name, errors: [pickText(f.message) ?? f.code] });
  }
  if (!fields.length) return false;
  form.setFields(fields as never);
  return true;
}

function CheckItemsTable({
  categoryField,
  readOnly,
  form,
}: {
  categoryField: number;
  readOnly: boolean;
  form: FormInstance<FormValues>;
}) {
  const { t } = useTranslation();
  return (
    <Form.List name={[categoryField, 'checkItems']}>
      {(fields, { add, remove }) => (
        <>
          <Table
            size="small"
            rowKey="key"
            pagination={false}
            dataSource={fields}
            scroll={{ x: 980 }}
            data-testid="plan-check-items"
            locale={{ emptyText: t('sampling.editor.noItems') }}
            columns={[
              {
                title: '#',
                width: 44,
                render: (_: unknown, f) => (
                  <Form.Item noStyle name={[f.name, 'key']}>
                    <Input variant="borderless" readOnly style={{ width: 36, padding: 0 }} tabIndex={-1} />
                  </Form.Item>
                ),
              },
              {
                title: t('sampling.item.item'),
                width: 200,
                render: (_: unknown, f) => (
                  <Form.Item
                    name={[f.name, 'item']}
                    style={{ margin: 0 }}
                    rules={[{ required: true, whitespace: true, message: t('sampling.editor.required') }]}
                  >
                    <Input aria-label={t('sampling.item.item')} />
                  </Form.Item>
                ),
              },
              {
                title: t('sampling.item.standardCode'),
                width: 160,
                render: (_: unknown, f) => (
                  <Form.Item
                    name={[f.name, 'standardCode']}
                    style={{ margin: 0 }}
                    rules={[{ required: true, whitespace: true, message: t('sampling.editor.required') }]}
                  >
                    <Input aria-label={t('sampling.item.standardCode')} placeholder="GB 4706.1-2005" />
                  </Form.Item>
                ),
              },
              {
                title: t('sampling.item.clause'),
                width: 80,
                render: (_: unknown, f) => (
                  <Form.Item name={[f.name, 'clause']} style={{ margin: 0 }}>
                    <Input aria-label={t('sampling.item.clause')} />
                  </Form.Item>
                ),
              },
              {
                title: t('sampling.item.requirement'),
                width: 190,
                render: (_: unknown, f) => (
                  <Form.Item name={[f.name, 'requirement']} style={{ margin: 0 }}>
                    <Input aria-label={t('sampling.item.requirement')} />
                  </Form.Item>
                ),
              },
              {
                title: t('sampling.item.unit'),
                width: 80,
                render: (_: unknown, f) => (
                  <Form.Item name={[f.name, 'unit']} style={{ margin: 0 }}>
                    <Input aria-label={t('sampling.item.unit')} />
                  </Form.Item>
                ),
              },
              {
                title: t('sampling.item.class'),
                width: 110,
                render: (_: unknown, f) => (
                  <Form.Item name={[f.name, 'class']} style={{ margin: 0 }}>
                    <Select
                      aria-label={t('sampling.item.class')}
                      options={ITEM_CLASSES.map((c) => ({ value: c, label: t(`sampling.itemClass.${c}`) }))}
                    />
                  </Form.Item>
                ),
              },
              ...(readOnly
                ? []
                : [
                    {
                      title: '',
                      width: 44,
                      render: (_: unknown, f: { name: number }) => (
                        <Button
                          type="text"
                          danger
                          icon={<DeleteOutlined />}
                          aria-label={t('sampling.editor.removeItem')}
                          onClick={() => remove(f.name)}
                        />
                      ),
                    },
                  ]),
            ]}
          />
          {!readOnly && (
            <Button
              type="dashed"
              icon={<PlusOutlined />}
              style={{ marginTop: 8 }}
              data-testid="plan-add-item"
              onClick={() => {
                const items = (form.getFieldValue(['body', 'categories', categoryField, 'checkItems']) ??
                  []) as CheckItem[];
                const used = new Set(items.map((i) => i?.key));
                let n = items.length + 1;
                while (used.has(`i${n}`)) n++;
                add(emptyItem(`i${n}`));
              }}
            >
              {t('sampling.editor.addItem')}
            </Button>
          )}
        </>
      )}
    </Form.List>
  );
}

function AmendModal({ plan, open, onClose }: { plan: PlanDetail; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [form] = Form.useForm<{ amendmentNote: string }>();
  const m = useMutation({
    meta: { silent: true },
    mutationFn: (note: string) => samplingApi.amendPlan(plan.id, note),
    onSuccess: (p) => {
      void qc.invalidateQueries({ queryKey: samplingKeys.all });
      showSuccess(t('sampling.editor.amended', { n: p.version }));
      onClose();
      navigate(`/sampling/plans/${p.id}`);
    },
    onError: (e) => showApiError(e, form),
  });
  return (
    <Modal
      open={open}
      title={t('sampling.editor.amendTitle')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: m.isPending, 'data-testid': 'plan-amend-ok' } as never}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t('sampling.editor.amendHint')}</Typography.Paragraph>
      <Form form={form} layout="vertical" preserve={false} onFinish={(v) => m.mutate(v.amendmentNote.trim())}>
        <Form.Item
          name="amendmentNote"
          label={t('sampling.editor.amendmentNote')}
          rules={[{ required: true, whitespace: true, message: t('sampling.editor.amendmentNoteRequired') }]}
        >
          <Input.TextArea rows={3} maxLength={500} showCount data-testid="plan-amend-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function Progress({ plan }: { plan: PlanDetail }) {
  const { t } = useTranslation();
  const p = plan.progress;
  if (!p?.tasks) return null;
  const items: [string, number, string?][] = [
    ['tasks', p.tasks],
    p.assigned !== undefined ? ['assigned', p.assigned] : ['sampled', p.sampled ?? 0],
    ['refused', p.refused, '#cf1322'],
    ['sentToLab', p.sentToLab],
    ['tested', p.tested],
    ['passed', p.passed, '#389e0d'],
    ['failed', p.failed, '#cf1322'],
  ];
  return (
    <Card title={t('sampling.editor.progress')} style={{ marginBottom: 16 }} data-testid="plan-progress">
      <Row gutter={[16, 16]}>
        {items.map(([k, v, color]) => (
          <Col key={k} xs={12} sm={8} md={6} lg={3}>
            <Statistic
              title={t(`sampling.progress.${k}`)}
              value={v}
              styles={{ content: { color: v && color ? color : undefined } }}
            />
          </Col>
        ))}
      </Row>
    </Card>
  );
}

export default function PlanEditorPage() {
  const { t } = useTranslation();
  const { id } = useParams();
  const isNew = !id;
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { can } = useSession();
  const en = useIsEnglish();
  const [form] = Form.useForm<FormValues>();
  const [amending, setAmending] = useState(false);
  const towns = useTowns().data ?? [];
  const { tree, names: catalogueNames } = useCategoryTree();
  const labs = useQuery({
    queryKey: samplingKeys.labs,
    queryFn: ({ signal }) => samplingApi.labs(signal),
    select: (d) => d.items,
    staleTime: 5 * 60_000,
  });

  const plan = useQuery({
    queryKey: samplingKeys.plan(id ?? ''),
    queryFn: ({ signal }) => samplingApi.plan(id!, signal),
    enabled: !isNew,
    meta: { silent: true },
  });
  const p = plan.data;
  const readOnly = !isNew && p?.state !== 'draft';

  useEffect(() => {
    if (isNew) {
      form.setFieldsValue({
        year: businessToday().year(),
        kind: 'routine',
        level: 'city',
        body: { legalBasis: '', towns: [], budgetYuan: 0, categories: [emptyCategory()], quotaRows: [] },
      } as Partial<FormValues> as FormValues);
    } else if (p) {
      form.resetFields();
      form.setFieldsValue(toForm(p));
    }
  }, [isNew, p, form]);

  const done = (saved: PlanDetail, message: string) => {
    qc.setQueryData(samplingKeys.plan(saved.id), saved);
    void qc.invalidateQueries({ queryKey: samplingKeys.all });
    showSuccess(message);
    if (isNew) navigate(`/sampling/plans/${saved.id}`, { replace: true });
  };
  const onError = (e: unknown) => {
    if (isApiError(e) && applyPlanErrors(form, e)) {
      showApiError(e);
      return;
    }
    showApiError(e, form);
  };

  const save = useMutation({
    meta: { silent: true },
    mutationFn: async (v: FormValues) => {
      const body = toBody(v, p?.body.amendmentNote);
      return isNew
        ? samplingApi.createPlan({
            code: v.code.trim(),
            year: v.year,
            title: v.title,
            kind: v.kind,
            level: v.level,
            body,
          })
        : samplingApi.updatePlan(id!, { title: v.title, kind: v.kind, level: v.level, year: v.year, body });
    },
    onSuccess: (saved) => done(saved, t('sampling.editor.saved')),
    onError,
  });
  const publish = useMutation({
    meta: { silent: true },
    mutationFn: async () => {
      const v = await form.validateFields();
      const saved = await samplingApi.updatePlan(id!, {
        title: v.title,
        kind: v.kind,
        level: v.level,
        year: v.year,
        body: toBody(v, p?.body.amendmentNote),
      });
      return samplingApi.publishPlan(saved.id);
    },
    onSuccess: (saved) => done(saved, t('sampling.editor.published')),
    onError: (e) => {
      if (e && typeof e === 'object' && 'errorFields' in e) return; // the form shows its own errors
      onError(e);
    },
  });
  const remove = useMutation({
    mutationFn: () => samplingApi.deletePlan(id!),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: samplingKeys.all });
      showSuccess(t('sampling.editor.deleted'));
      navigate('/sampling/plans');
    },
  });

  const selectedTowns = Form.useWatch(['body', 'towns'], form) ?? [];
  const townOptions = useMemo(
    () => towns.map((tw) => ({ value: tw.code, label: en ? tw.nameEn || tw.name : tw.name })),
    [towns, en],
  );
  const quotaTownOptions = selectedTowns.length
    ? townOptions.filter((o) => selectedTowns.includes(o.value))
    : townOptions;

  const back = (
    <Link to="/sampling/plans" style={{ display: 'inline-block', marginBottom: 8 }}>
      <ArrowLeftOutlined /> {t('sampling.editor.back')}
    </Link>
  );

  if (!isNew && plan.isPending)
    return <Spin size="large" style={{ display: 'block', margin: '80px auto' }} />;
  if (!isNew && (plan.error || !p))
    return (
      <Card>
        <Result
          status={isApiError(plan.error) && plan.error.status === 404 ? '404' : 'error'}
          title={t('sampling.editor.notFound')}
          subTitle={isApiError(plan.error) ? plan.error.localizedMessage : undefined}
          extra={<Button onClick={() => navigate('/sampling/plans')}>{t('sampling.editor.back')}</Button>}
        />
      </Card>
    );

  const newer = p?.versions?.filter((v) => v.version > p.version) ?? [];
  const labOptions = (labs.data ?? []).map((l) => ({
    value: l.id,
    label: l.name,
    title: `${l.name} ${l.uscc}`,
  }));
  // A lab named by the plan but missing from the list still shows its name.
  for (const [labId, lab] of Object.entries(p?.labs ?? {}))
    if (!labOptions.some((o) => o.value === labId))
      labOptions.push({ value: labId, label: lab.name, title: lab.name });

  const extra = (
    <>
      {(isNew || p?.state === 'draft') && (
        <Button
          icon={<SaveOutlined />}
          loading={save.isPending}
          onClick={() => form.submit()}
          data-testid="plan-save"
        >
          {t('common.save')}
        </Button>
      )}
      {p?.state === 'draft' && (
        <Popconfirm
          title={t('sampling.editor.publishConfirm')}
          description={t('sampling.editor.publishConfirmSub')}
          onConfirm={() => publish.mutate()}
          okButtonProps={{ 'data-testid': 'plan-publish-ok' } as never}
        >
          <Button
            type="primary"
            icon={<SendOutlined />}
            loading={publish.isPending}
            data-testid="plan-publish"
          >
            {t('sampling.editor.publish')}
          </Button>
        </Popconfirm>
      )}
      {p?.state === 'draft' && (
        <Popconfirm title={t('sampling.editor.deleteConfirm')} onConfirm={() => remove.mutate()}>
          <Button danger icon={<DeleteOutlined />} loading={remove.isPending} data-testid="plan-delete">
            {t('sampling.editor.delete')}
          </Button>
        </Popconfirm>
      )}
      {p?.state === 'published' && can('sampling.plan') && (
        <Button onClick={() => setAmending(true)} data-testid="plan-amend">
          {t('sampling.editor.amend')}
        </Button>
      )}
      {p?.state === 'published' && can('sampling.draw') && (
        <Button
          type="primary"
          icon={<ExperimentOutlined />}
          onClick={() => navigate(`/sampling/plans/${p.id}/draw`)}
          data-testid="plan-draw"
        >
          {p.draw ? t('sampling.editor.viewDraw') : t('sampling.editor.toDraw')}
        </Button>
      )}
    </>
  );

  return (
    <>
      <PageTitle
        prefix={back}
        title={
          <Space size={12} wrap>
            <span data-testid="plan-title">{isNew ? t('sampling.editor.newTitle') : p!.title}</span>
            {p && <PlanStateTag state={p.state} />}
            {p && <Tag>{t('sampling.plan.versionN', { n: p.version })}</Tag>}
          </Space>
        }
        subtitle={p ? <span style={{ fontFamily: 'monospace' }}>{p.code}</span> : t('sampling.editor.newSub')}
        extra={extra}
      />
      {p?.state === 'published' && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('sampling.editor.readOnlyPublished')}
        />
      )}
      {p?.state === 'superseded' && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={t('sampling.editor.readOnlySuperseded')}
          description={
            newer.length > 0 && (
              <Space wrap>
                {newer.map((v) => (
                  <Link key={v.id} to={`/sampling/plans/${v.id}`}>
                    {t('sampling.plan.versionN', { n: v.version })} · {t(`sampling.planState.${v.state}`)}
                  </Link>
                ))}
              </Space>
            )
          }
        />
      )}
      {p?.body.amendmentNote && (
        <Alert
          type="warning"
          style={{ marginBottom: 16 }}
          title={t('sampling.editor.amendmentNoteShown', { note: p.body.amendmentNote })}
        />
      )}
      {p && <Progress plan={p} />}
      {/* Read-only (published, superseded): borderless fields in normal text colour, no asterisks. */}
      <ConfigProvider theme={readOnly ? READ_ONLY_THEME : undefined}>
        <Form<FormValues>
          form={form}
          layout="vertical"
          disabled={readOnly}
          variant={readOnly ? 'borderless' : undefined}
          requiredMark={!readOnly}
          onFinish={(v) => save.mutate(v)}
          scrollToFirstError
          data-testid="plan-form"
          data-readonly={readOnly ? 'true' : undefined}
        >
          <Card title={t('sampling.editor.basics')} style={{ marginBottom: 16 }}>
            <Row gutter={16}>
              <Col xs={24} md={8}>
                <Form.Item
                  name="code"
                  label={t('sampling.plan.code')}
                  rules={[
                    { required: true, message: t('sampling.editor.required') },
                    { pattern: /^[A-Za-z0-9][A-Za-z0-9-]{2,39}$/, message: t('sampling.editor.codeFormat') },
                  ]}
                >
                  <Input disabled={!isNew} placeholder="DG-2026-001" data-testid="plan-code" />
                </Form.Item>
              </Col>
              <Col xs={24} md={16}>
                <Form.Item
                  name="title"
                  label={t('sampling.plan.title')}
                  rules={[{ required: true, whitespace: true, message: t('sampling.editor.required') }]}
                >
                  <Input maxLength={200} data-testid="plan-title-input" />
                </Form.Item>
              </Col>
              <Col xs={12} md={4}>
                <Form.Item name="year" label={t('sampling.plan.year')} rules={[{ required: true }]}>
                  <InputNumber min={2000} max={2100} style={{ width: '100%' }} disabled={!isNew} />
                </Form.Item>
              </Col>
              <Col xs={12} md={5}>
                <Form.Item name="kind" label={t('sampling.plan.kind')} rules={[{ required: true }]}>
                  <Select options={PLAN_KINDS.map((k) => ({ value: k, label: t(`sampling.kind.${k}`) }))} />
                </Form.Item>
              </Col>
              <Col xs={12} md={5}>
                <Form.Item name="level" label={t('sampling.plan.level')} rules={[{ required: true }]}>
                  <Select options={PLAN_LEVELS.map((k) => ({ value: k, label: t(`sampling.level.${k}`) }))} />
                </Form.Item>
              </Col>
              <Col xs={12} md={10}>
                <Form.Item name={['body', 'budgetYuan']} label={t('sampling.plan.budget')}>
                  <InputNumber
                    min={0}
                    step={1000}
                    style={{ width: '100%' }}
                    addonAfter={t('sampling.editor.yuan')}
                  />
                </Form.Item>
              </Col>
              <Col xs={24}>
                <Form.Item name={['body', 'legalBasis']} label={t('sampling.plan.legalBasis')}>
                  <Input.TextArea
                    rows={2}
                    maxLength={1000}
                    placeholder={t('sampling.editor.legalBasisPlaceholder')}
                    data-testid="plan-legal-basis"
                  />
                </Form.Item>
              </Col>
            </Row>
          </Card>

          <Card title={t('sampling.editor.scope')} style={{ marginBottom: 16 }}>
            <Form.Item
              name={['body', 'towns']}
              label={t('sampling.plan.towns')}
              extra={readOnly ? undefined : t('sampling.editor.townsHint')}
            >
              <Select
                mode="multiple"
                allowClear
                options={townOptions}
                showSearch={{ optionFilterProp: 'label' }}
                placeholder={t('sampling.plan.wholeCity')}
                data-testid="plan-towns"
              />
            </Form.Item>
            <Typography.Text strong>{t('sampling.editor.townQuotas')}</Typography.Text>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
              {t('sampling.editor.townQuotasHint')}
            </Typography.Paragraph>
            <Form.List name={['body', 'quotaRows']}>
              {(fields, { add, remove: removeRow }) => (
                <Flex vertical gap={8} data-testid="plan-quotas">
                  {fields.map((f) => (
                    <Flex key={f.key} gap={8} align="flex-start" wrap>
                      <Form.Item
                        name={[f.name, 'townCode']}
                        style={{ margin: 0, width: 220 }}
                        rules={[{ required: true, message: t('sampling.editor.required') }]}
                      >
                        <Select
                          options={quotaTownOptions}
                          showSearch={{ optionFilterProp: 'label' }}
                          placeholder={t('sampling.plan.town')}
                        />
                      </Form.Item>
                      <Form.Item
                        name={[f.name, 'quota']}
                        style={{ margin: 0 }}
                        rules={[{ required: true, message: ' ' }]}
                      >
                        <InputNumber min={0} precision={0} addonAfter={t('sampling.editor.tasksUnit')} />
                      </Form.Item>
                      {!readOnly && (
                        <Button
                          type="text"
                          danger
                          icon={<DeleteOutlined />}
                          onClick={() => removeRow(f.name)}
                        />
                      )}
                    </Flex>
                  ))}
                  {!fields.length && readOnly && <Typography.Text type="secondary">—</Typography.Text>}
                  {!readOnly && (
                    <Button
                      type="dashed"
                      icon={<PlusOutlined />}
                      style={{ width: 220 }}
                      onClick={() => add({ quota: 1 })}
                    >
                      {t('sampling.editor.addQuota')}
                    </Button>
                  )}
                </Flex>
              )}
            </Form.List>
          </Card>

          <Form.List name={['body', 'categories']}>
            {(fields, { add, remove: removeCategory }) => (
              <>
                {fields.map((f, index) => (
                  <Card
                    key={f.key}
                    style={{ marginBottom: 16 }}
                    data-testid="plan-category"
                    title={
                      <Space>
                        <span>{t('sampling.editor.categoryN', { n: index + 1 })}</span>
                        <Form.Item noStyle shouldUpdate>
                          {() => {
                            const code = form.getFieldValue(['body', 'categories', f.name, 'code']) as string;
                            const name = code
                              ? (catalogueNames.get(code) ?? p?.categoryNames?.[code])
                              : undefined;
                            return name ? <Typography.Text type="secondary">{name}</Typography.Text> : null;
                          }}
                        </Form.Item>
                      </Space>
                    }
                    extra={
                      !readOnly && (
                        <Popconfirm
                          title={t('sampling.editor.removeCategoryConfirm')}
                          onConfirm={() => removeCategory(f.name)}
                        >
                          <Button danger type="text" icon={<DeleteOutlined />}>
                            {t('sampling.editor.removeCategory')}
                          </Button>
                        </Popconfirm>
                      )
                    }
                  >
                    <Row gutter={16}>
                      <Col xs={24} lg={7}>
                        <Form.Item
                          name={[f.name, 'code']}
                          label={t('sampling.plan.category')}
                          rules={[{ required: true, message: t('sampling.editor.required') }]}
                        >
                          <TreeSelect
                            treeData={tree}
                            showSearch={{ treeNodeFilterProp: 'title' }}
                            placeholder={t('sampling.editor.chooseCategory')}
                            data-testid="plan-category-select"
                            treeDefaultExpandAll={false}
                            popupMatchSelectWidth={360}
                          />
                        </Form.Item>
                      </Col>
                      <Col xs={24} lg={7}>
                        <Form.Item name={[f.name, 'labEnterpriseId']} label={t('sampling.plan.lab')}>
                          <Select
                            allowClear
                            showSearch={{ optionFilterProp: 'title' }}
                            options={labOptions}
                            loading={labs.isPending}
                            placeholder={t('sampling.editor.chooseLab')}
                            data-testid="plan-lab-select"
                          />
                        </Form.Item>
                      </Col>
                      <Col xs={8} lg={3}>
                        <Form.Item name={[f.name, 'testUnits']} label={t('sampling.plan.testUnits')}>
                          <InputNumber min={1} precision={0} style={{ width: '100%' }} />
                        </Form.Item>
                      </Col>
                      <Col xs={8} lg={3}>
                        <Form.Item name={[f.name, 'backupUnits']} label={t('sampling.plan.backupUnits')}>
                          <InputNumber min={0} precision={0} style={{ width: '100%' }} />
                        </Form.Item>
                      </Col>
                      <Col xs={8} lg={4}>
                        <Form.Item
                          name={[f.name, 'quota']}
                          label={t('sampling.plan.quota')}
                          tooltip={t('sampling.editor.quotaHint')}
                        >
                          <InputNumber min={0} precision={0} style={{ width: '100%' }} />
                        </Form.Item>
                      </Col>
                    </Row>
                    <Typography.Text strong style={{ display: 'block', marginBottom: 8 }}>
                      {t('sampling.editor.checkItems')}
                    </Typography.Text>
                    <CheckItemsTable categoryField={f.name} readOnly={readOnly} form={form} />
                  </Card>
                ))}
                {!fields.length && (
                  <Card style={{ marginBottom: 16 }}>
                    <Empty description={t('sampling.editor.noCategories')} />
                  </Card>
                )}
                {!readOnly && (
                  <Button
                    type="dashed"
                    block
                    icon={<PlusOutlined />}
                    onClick={() => add(emptyCategory())}
                    data-testid="plan-add-category"
                    style={{ marginBottom: 16 }}
                  >
                    {t('sampling.editor.addCategory')}
                  </Button>
                )}
              </>
            )}
          </Form.List>
        </Form>
      </ConfigProvider>
      {p && (p.versions?.length ?? 0) > 1 && (
        <Card size="small" title={t('sampling.editor.versions')}>
          <Descriptions
            size="small"
            column={1}
            items={p.versions.map((v) => ({
              key: v.id,
              label: t('sampling.plan.versionN', { n: v.version }),
              children:
                v.id === p.id ? (
                  <Space>
                    <PlanStateTag state={v.state} />
                    <Typography.Text type="secondary">{t('sampling.editor.thisVersion')}</Typography.Text>
                  </Space>
                ) : (
                  <Link to={`/sampling/plans/${v.id}`}>
                    <PlanStateTag state={v.state} />
                  </Link>
                ),
            }))}
          />
        </Card>
      )}
      {p && <AmendModal plan={p} open={amending} onClose={() => setAmending(false)} />}
    </>
  );
}
