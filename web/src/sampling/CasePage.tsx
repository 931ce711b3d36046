/**
 * A post-processing case (后处理案件): where it stands, its due dates (the objection window counted
 * down), its timeline step by step, and the steps the user may take now — each a small form.
 */
import { ArrowLeftOutlined, ClockCircleOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  Flex,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Result,
  Row,
  Select,
  Space,
  Spin,
  Statistic,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import type { TFunction } from 'i18next';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { isApiError, pickText, showApiError, showSuccess } from '../api/client';
import { useRefNames } from '../api/reference';
import { useSession } from '../auth/session';
import { businessToday } from '../components/format';
import PageTitle from '../components/PageTitle';
import {
  type CaseActionType,
  type CaseDetail,
  type CaseStep,
  CLOSED_CASE_STATES,
  samplingApi,
  samplingKeys,
} from './api';
import { CaseStateTag, mono, useCaseStateText, VerdictTag } from './common';

/** Actions an enterprise takes itself (its own endpoints); officials take the others. */
export const ENTERPRISE_ACTIONS: CaseActionType[] = ['object', 'accept'];

/** Names of the sample's check items by key (read from the sample: the case names keys only). */
export function useItemNames(c: CaseDetail | undefined) {
  const sample = useQuery({
    queryKey: samplingKeys.sample(c?.sampleId ?? ''),
    queryFn: ({ signal }) => samplingApi.sample(c!.sampleId, signal),
    enabled: !!c,
    meta: { silent: true },
  });
  return (key: string) => sample.data?.checkItems.find((i) => i.key === key)?.item ?? key;
}

/** Days from today to `date` (negative once past). */
export function daysUntil(date: string): number {
  return dayjs(date).diff(businessToday(), 'day');
}

/** The objection window's last day, counted down. */
export function ObjectionCountdown({ c }: { c: CaseDetail }) {
  const { t } = useTranslation();
  const due = c.dues?.find((d) => d.name === 'objectionWindow');
  if (c.state !== 'objectionWindow' || !due) return null;
  const left = daysUntil(due.on);
  return (
    <Alert
      type={left < 0 ? 'error' : left <= 3 ? 'warning' : 'info'}
      showIcon
      icon={<ClockCircleOutlined />}
      style={{ marginBottom: 16 }}
      data-testid="objection-countdown"
      title={
        left < 0
          ? t('sampling.case.windowClosed', { date: due.on })
          : t('sampling.case.windowLeft', { n: left, date: due.on })
      }
      description={
        <>
          {t('sampling.case.windowRule', { from: due.from, days: due.days })}
          {due.rolled && ` ${t('sampling.case.rolled')}`}
        </>
      }
    />
  );
}

function stepDetails(
  step: CaseStep,
  itemName: (k: string) => string,
  labName: (id: string) => string,
  t: TFunction,
) {
  const d = step.details ?? {};
  const parts: string[] = [];
  if (Array.isArray(d.items))
    parts.push(`${t('sampling.case.disputedItems')}：${(d.items as string[]).map(itemName).join('、')}`);
  if (Array.isArray(d.failedItems))
    parts.push(`${t('sampling.case.failedItems')}：${(d.failedItems as string[]).map(itemName).join('、')}`);
  if (typeof d.grounds === 'string') parts.push(`${t('sampling.case.grounds')}：${d.grounds}`);
  if (typeof d.upheld === 'boolean')
    parts.push(d.upheld ? t('sampling.case.upheld') : t('sampling.case.overturned'));
  if (typeof d.passed === 'boolean')
    parts.push(d.passed ? t('sampling.case.reinspectPassed') : t('sampling.case.reinspectFailed'));
  for (const k of ['documentNo', 'decisionNo', 'licenceNo', 'reference'] as const)
    if (typeof d[k] === 'string' && d[k]) parts.push(`${t(`sampling.case.${k}`)}：${d[k] as string}`);
  if (typeof d.days === 'number') parts.push(t('sampling.case.suspendDays', { n: d.days }));
  if (typeof d.labEnterpriseId === 'string')
    parts.push(`${t('sampling.case.retestLab')}：${labName(d.labEnterpriseId)}`);
  return parts;
}

export function ActionModal({
  c,
  action,
  onClose,
  itemName,
}: {
  c: CaseDetail;
  action: CaseActionType | null;
  onClose: () => void;
  itemName: (k: string) => string;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm<Record<string, unknown>>();
  const labs = useQuery({
    queryKey: samplingKeys.labs,
    queryFn: ({ signal }) => samplingApi.labs(signal),
    select: (d) => d.items,
    enabled: action === 'assignRetest',
  });
  const m = useMutation({
    meta: { silent: true },
    mutationFn: (v: Record<string, unknown>) => {
      const common = {
        ...(v.on ? { on: v.on } : {}),
        ...(typeof v.notes === 'string' && v.notes.trim() ? { notes: v.notes.trim() } : {}),
      };
      if (action === 'object')
        return samplingApi.object(c.id, {
          items: v.items as string[],
          grounds: String(v.grounds ?? '').trim(),
          rev: c.rev,
        });
      if (action === 'accept') return samplingApi.accept(c.id, c.rev);
      const { on: _on, notes: _notes, ...rest } = v;
      return samplingApi.caseAction(c.id, {
        type: action!,
        ...common,
        ...rest,
        ...(c.rev ? { rev: c.rev } : {}),
      });
    },
    onSuccess: (next) => {
      qc.setQueryData(samplingKeys.case(c.id), next);
      void qc.invalidateQueries({ queryKey: samplingKeys.all });
      showSuccess(t('sampling.case.done', { action: t(`sampling.caseAction.${action}`) }));
      onClose();
    },
    onError: (e) => {
      // A stale revision (someone acted meanwhile): show the case as it is now.
      if (isApiError(e) && e.status === 409) void qc.invalidateQueries({ queryKey: samplingKeys.case(c.id) });
      showApiError(e, form);
    },
  });
  if (!action) return null;
  const withDate = action !== 'accept' && !ENTERPRISE_ACTIONS.includes(action);
  const required = { required: true, message: t('sampling.editor.required') };
  return (
    <Modal
      open
      title={t(`sampling.caseAction.${action}`)}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={
        { loading: m.isPending, danger: action === 'revoke', 'data-testid': 'case-action-ok' } as never
      }
      destroyOnHidden
      width={560}
    >
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        onFinish={(v) => m.mutate(v)}
        initialValues={{ on: businessToday().format('YYYY-MM-DD'), items: c.failedItems }}
        data-testid="case-action-form"
      >
        {action === 'accept' && <Typography.Paragraph>{t('sampling.case.acceptHint')}</Typography.Paragraph>}
        {action === 'object' && (
          <>
            <Form.Item
              name="items"
              label={t('sampling.case.disputedItems')}
              rules={[{ required: true, type: 'array', min: 1, message: t('sampling.case.itemsRequired') }]}
            >
              <Checkbox.Group
                style={{ display: 'flex', flexDirection: 'column', gap: 6 }}
                options={c.failedItems.map((k) => ({ value: k, label: itemName(k) }))}
                data-testid="objection-items"
              />
            </Form.Item>
            <Form.Item
              name="grounds"
              label={t('sampling.case.grounds')}
              rules={[{ ...required, whitespace: true }]}
            >
              <Input.TextArea rows={4} maxLength={2000} showCount data-testid="objection-grounds" />
            </Form.Item>
          </>
        )}
        {action === 'assignRetest' && (
          <Form.Item
            name="labEnterpriseId"
            label={t('sampling.case.retestLab')}
            rules={[required]}
            extra={t('sampling.case.retestLabHint')}
          >
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              loading={labs.isPending}
              options={(labs.data ?? [])
                .filter((l) => l.id !== c.originalLabEnterpriseId)
                .map((l) => ({ value: l.id, label: l.name }))}
              data-testid="case-retest-lab"
            />
          </Form.Item>
        )}
        {action === 'retestResult' && (
          <Form.Item name="upheld" label={t('sampling.case.retestOutcome')} rules={[required]}>
            <Radio.Group
              options={[
                { value: true, label: t('sampling.case.upheld') },
                { value: false, label: t('sampling.case.overturned') },
              ]}
              data-testid="case-upheld"
            />
          </Form.Item>
        )}
        {action === 'reinspect' && (
          <Form.Item name="passed" label={t('sampling.case.reinspectOutcome')} rules={[required]}>
            <Radio.Group
              options={[
                { value: true, label: t('sampling.case.reinspectPassed') },
                { value: false, label: t('sampling.case.reinspectFailed') },
              ]}
              data-testid="case-passed"
            />
          </Form.Item>
        )}
        {action === 'orderCorrection' && (
          <Form.Item name="documentNo" label={t('sampling.case.documentNo')}>
            <Input maxLength={200} data-testid="case-document-no" />
          </Form.Item>
        )}
        {action === 'notifyProvince' && (
          <Form.Item name="reference" label={t('sampling.case.reference')}>
            <Input maxLength={200} />
          </Form.Item>
        )}
        {action === 'suspend' && (
          <Row gutter={12}>
            <Col span={10}>
              <Form.Item name="days" label={t('sampling.case.days')} rules={[required]}>
                <InputNumber min={1} precision={0} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col span={14}>
              <Form.Item
                name="decisionNo"
                label={t('sampling.case.decisionNo')}
                rules={[{ ...required, whitespace: true }]}
              >
                <Input maxLength={200} />
              </Form.Item>
            </Col>
          </Row>
        )}
        {action === 'revoke' && (
          <Row gutter={12}>
            <Col span={12}>
              <Form.Item
                name="licenceNo"
                label={t('sampling.case.licenceNo')}
                rules={[{ ...required, whitespace: true }]}
              >
                <Input maxLength={200} />
              </Form.Item>
            </Col>
            <Col span={12}>
              <Form.Item name="decisionNo" label={t('sampling.case.decisionNo')}>
                <Input maxLength={200} />
              </Form.Item>
            </Col>
          </Row>
        )}
        {withDate && (
          <>
            <Form.Item name="on" label={t('sampling.case.on')} rules={[required]}>
              <Input type="date" max={businessToday().format('YYYY-MM-DD')} data-testid="case-action-on" />
            </Form.Item>
            <Form.Item name="notes" label={t('sampling.case.notes')}>
              <Input.TextArea rows={2} maxLength={2000} />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}

export default function CasePage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const names = useRefNames();
  const { can } = useSession();
  const stateText = useCaseStateText();
  const labs = useQuery({
    queryKey: samplingKeys.labs,
    queryFn: ({ signal }) => samplingApi.labs(signal),
    select: (d) => d.items,
    staleTime: 5 * 60_000,
    meta: { silent: true },
  });
  const labName = (id: string) => labs.data?.find((l) => l.id === id)?.name ?? id;
  const [action, setAction] = useState<CaseActionType | null>(null);
  const {
    data: c,
    isPending,
    error,
  } = useQuery({
    queryKey: samplingKeys.case(id),
    queryFn: ({ signal }) => samplingApi.case(id, signal),
    meta: { silent: true },
  });
  const itemName = useItemNames(c);
  const sample = useQuery({
    queryKey: samplingKeys.sample(c?.sampleId ?? ''),
    queryFn: ({ signal }) => samplingApi.sample(c!.sampleId, signal),
    enabled: !!c,
    meta: { silent: true },
  });

  if (isPending) return <Spin size="large" style={{ display: 'block', margin: '80px auto' }} />;
  if (!c)
    return (
      <Card>
        <Result
          status={
            isApiError(error) && error.status === 404
              ? '404'
              : isApiError(error) && error.status === 403
                ? '403'
                : 'error'
          }
          title={t('sampling.case.notFound')}
          subTitle={isApiError(error) ? error.localizedMessage : undefined}
          extra={<Button onClick={() => navigate(-1)}>{t('common.back')}</Button>}
        />
      </Card>
    );

  const today = businessToday().format('YYYY-MM-DD');
  const overdue = c.overdue ?? (c.dueOn !== null && today > c.dueOn);
  const closed = CLOSED_CASE_STATES.includes(c.state);
  const mine = can('sampling.object');
  const actions = (c.allowedActions ?? []).filter((a) =>
    ENTERPRISE_ACTIONS.includes(a)
      ? mine
      : can('sampling.process') || (a === 'retestResult' && can('sampling.result')),
  );
  const history = [...(c.history ?? [])].sort((a, b) => b.seq - a.seq);

  return (
    <>
      <PageTitle
        prefix={
          <Link
            to={mine ? '/sampling/mine' : '/sampling/cases'}
            style={{ display: 'inline-block', marginBottom: 8 }}
          >
            <ArrowLeftOutlined /> {mine ? t('sampling.mine.back') : t('sampling.cases.back')}
          </Link>
        }
        title={
          <Space size={12} wrap>
            <span data-testid="case-enterprise">{c.enterprise.name}</span>
            <CaseStateTag state={c.state} label={c.stateLabel} />
            {overdue && !closed && <Tag color="red">{t('sampling.cases.overdue')}</Tag>}
          </Space>
        }
        subtitle={
          <Space size={16} wrap>
            <span style={mono}>{c.enterprise.uscc}</span>
            <span>
              {t('sampling.sample.sampleNo')} <span style={mono}>{c.sampleNo}</span>
            </span>
            {c.productName && <span>{c.productName}</span>}
          </Space>
        }
        extra={actions.map((a) => (
          <Button
            key={a}
            type={a === 'object' ? 'primary' : a === 'revoke' ? 'primary' : 'default'}
            danger={a === 'revoke' || a === 'suspend'}
            onClick={() => setAction(a)}
            data-testid={`case-action-${a}`}
          >
            {t(`sampling.caseAction.${a}`)}
          </Button>
        ))}
      />
      <ObjectionCountdown c={c} />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={9}>
          <Card title={t('sampling.case.where')} style={{ marginBottom: 16 }}>
            <Row gutter={16}>
              <Col span={12}>
                <Statistic
                  title={t('sampling.case.dueOn')}
                  value={c.dueOn ?? '—'}
                  styles={{ content: { color: overdue && !closed ? '#cf1322' : undefined, fontSize: 20 } }}
                />
              </Col>
              <Col span={12}>
                <Statistic
                  title={t('sampling.case.daysLeft')}
                  value={c.dueOn && !closed ? daysUntil(c.dueOn) : '—'}
                  styles={{ content: { color: overdue && !closed ? '#cf1322' : undefined, fontSize: 20 } }}
                />
              </Col>
            </Row>
            <Descriptions
              size="small"
              column={1}
              style={{ marginTop: 16 }}
              items={[
                {
                  key: 'town',
                  label: t('enterprise.town'),
                  children: names.town(c.townCode) || '—',
                },
                { key: 'failedOn', label: t('sampling.case.failedOn'), children: c.failedOn ?? '—' },
                {
                  key: 'sev',
                  label: t('sampling.sample.verdict'),
                  children: <VerdictTag verdict="fail" severity={sample.data?.severity} />,
                },
                {
                  key: 'items',
                  label: t('sampling.case.failedItems'),
                  children: (
                    <Flex vertical gap={2}>
                      {c.failedItems.map((k) => (
                        <span key={k}>{itemName(k)}</span>
                      ))}
                    </Flex>
                  ),
                },
                ...(c.objection
                  ? [
                      {
                        key: 'obj',
                        label: t('sampling.case.objection'),
                        children: (
                          <div>
                            <div>{c.objection.items.map(itemName).join('、')}</div>
                            <Typography.Text type="secondary">{c.objection.grounds}</Typography.Text>
                          </div>
                        ),
                      },
                    ]
                  : []),
                ...(c.retest
                  ? [
                      {
                        key: 'retest',
                        label: t('sampling.case.retestLab'),
                        children: (
                          <span data-testid="case-retest">
                            {labName(c.retest.labEnterpriseId)}
                            <Typography.Text type="secondary" style={{ fontSize: 12, marginInlineStart: 6 }}>
                              {c.retest.upheld === null
                                ? t('sampling.case.retestAssigned', { date: c.retest.assignedOn })
                                : c.retest.upheld
                                  ? t('sampling.case.upheld')
                                  : t('sampling.case.overturned')}
                            </Typography.Text>
                          </span>
                        ),
                      },
                    ]
                  : []),
                ...(c.dues ?? []).map((d) => ({
                  key: `due-${d.name}`,
                  label: t(`sampling.due.${d.name}`, { defaultValue: d.name }),
                  children: (
                    <span>
                      {d.kind === 'earliest' ? t('sampling.case.notBefore', { date: d.on }) : d.on}
                      {d.rolled && (
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {' '}
                          {t('sampling.case.rolledShort')}
                        </Typography.Text>
                      )}
                    </span>
                  ),
                })),
                {
                  key: 'sample',
                  label: t('sampling.case.sample'),
                  children: (
                    <Link to={`/sampling/samples/${c.sampleId}`}>{t('sampling.sample.openSample')}</Link>
                  ),
                },
              ]}
            />
            {closed && (
              <Alert
                style={{ marginTop: 12 }}
                type={c.state === 'closedRectified' || c.state === 'closedOverturned' ? 'success' : 'error'}
                title={t('sampling.case.closedOn', { date: c.closedOn ?? '—', state: stateText(c.state) })}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={15}>
          <Card title={t('sampling.case.timeline')} data-testid="case-timeline">
            <Timeline
              items={history.map((s) => ({
                key: s.seq,
                color: s.to.startsWith('closed') ? 'green' : s.to === 'revoked' ? 'red' : 'blue',
                content: (
                  <div>
                    <Space size={8} wrap>
                      <Typography.Text strong>
                        {s.action === 'open'
                          ? t('sampling.case.opened')
                          : t(`sampling.caseAction.${s.action}`, {
                              defaultValue: pickText(s.actionLabel) ?? s.action,
                            })}
                      </Typography.Text>
                      <Typography.Text type="secondary">{s.on}</Typography.Text>
                      <CaseStateTag state={s.to} />
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {s.actor.label ??
                          t(`sampling.actorKind.${s.actor.kind}`, { defaultValue: s.actor.kind })}
                      </Typography.Text>
                    </Space>
                    {stepDetails(s, itemName, labName, t).map((line) => (
                      <Typography.Paragraph key={line} style={{ margin: '2px 0 0', fontSize: 13 }}>
                        {line}
                      </Typography.Paragraph>
                    ))}
                    {s.notes && (
                      <Typography.Paragraph type="secondary" style={{ margin: '2px 0 0', fontSize: 13 }}>
                        {s.notes}
                      </Typography.Paragraph>
                    )}
                  </div>
                ),
              }))}
            />
          </Card>
        </Col>
      </Row>
      <ActionModal c={c} action={action} onClose={() => setAction(null)} itemName={itemName} />
    </>
  );
}
