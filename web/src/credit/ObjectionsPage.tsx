/**
 * 异议处理: regulators work the queue (start the review, uphold or reject with reasons); enterprise
 * users see their own objections and may withdraw them. Buttons follow `allowedActions`.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Flex,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { pickText, showApiError, showSuccess } from '../api/client';
import {
  creditApi,
  OBJECTION_STATES,
  type ObjectionAction,
  type ObjectionState,
  type ObjectionView,
} from '../api/credit';
import { useScope } from '../app/scope';
import { useSession } from '../auth/session';
import PageTitle from '../components/PageTitle';
import SearchInput from '../components/SearchInput';
import {
  creditKeys,
  creditPath,
  EvidenceList,
  ObjectionStateTag,
  OVERDUE_ROW_STYLE,
  useUrlFilters,
} from './common';

type Decision = 'uphold' | 'reject';

function DecisionModal({
  target,
  onClose,
}: {
  target: { objection: ObjectionView; decision: Decision } | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ reasons: string }>();
  const mutation = useMutation({
    meta: { silent: true },
    mutationFn: (reasons: string) =>
      creditApi.objectionAction(target!.objection.id, target!.decision, reasons),
    onSuccess: (o) => {
      showSuccess(t('credit.objections.done', { state: t(`credit.objectionState.${o.state}`) }));
      void qc.invalidateQueries({ queryKey: creditKeys.all });
      onClose();
    },
    onError: (err) => showApiError(err, form),
  });
  const decision = target?.decision;
  return (
    <Modal
      open={!!target}
      title={decision ? t(`credit.objectionAction.${decision}`) : ''}
      onCancel={onClose}
      onOk={() => form.submit()}
      okButtonProps={{ loading: mutation.isPending, danger: decision === 'reject' }}
      destroyOnHidden
      width={600}
    >
      {target && (
        <>
          <Typography.Paragraph>
            <Typography.Text strong>{target.objection.enterprise.name}</Typography.Text>
            <br />
            <Typography.Text type="secondary">{pickText(target.objection.recordSummary)}</Typography.Text>
          </Typography.Paragraph>
          <Typography.Paragraph
            style={{
              background: '#f7f9fc',
              padding: 12,
              whiteSpace: 'pre-wrap',
              border: '1px solid #eef1f5',
            }}
          >
            {target.objection.grounds}
          </Typography.Paragraph>
          {target.objection.evidence.length > 0 && (
            <Flex gap={8} align="baseline" style={{ marginBottom: 16 }}>
              <Typography.Text type="secondary" style={{ flex: 'none' }}>
                {t('credit.evidence.label')}：
              </Typography.Text>
              <EvidenceList files={target.objection.evidence} maxWidth={420} />
            </Flex>
          )}
          {decision === 'uphold' && (
            <Alert
              type="warning"
              showIcon
              title={t('credit.objections.upholdNote')}
              style={{ marginBottom: 16 }}
            />
          )}
        </>
      )}
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        onFinish={(v) => mutation.mutate(v.reasons.trim())}
        data-testid="credit-objection-decision"
      >
        <Form.Item
          name="reasons"
          label={t('credit.objections.reasons')}
          rules={[{ required: true, whitespace: true, message: t('credit.recordModal.reasonsRequired') }]}
        >
          <Input.TextArea rows={4} maxLength={1000} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function ObjectionsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const qc = useQueryClient();
  const [params, setFilter] = useUrlFilters();
  const state = (params.get('state') as ObjectionState | null) ?? undefined;
  const uscc = params.get('uscc') ?? undefined;
  const [keyword, setKeyword] = useState(uscc ?? '');
  const [deciding, setDeciding] = useState<{ objection: ObjectionView; decision: Decision } | null>(null);
  const isRegulator = can('credit.review');
  /** Officials (who review, or follow their town's objections) against the enterprise itself. */
  const isOfficial = !can('credit.object');
  const scope = useScope();

  useEffect(() => setKeyword(uscc ?? ''), [uscc]);

  const filters = { state, uscc };
  const { data, isPending, isFetching } = useQuery({
    queryKey: creditKeys.objections(filters),
    queryFn: ({ signal }) => creditApi.objections(filters, signal),
    select: (d) => d.items,
  });

  const act = useMutation({
    mutationFn: ({ id, type }: { id: string; type: ObjectionAction }) => creditApi.objectionAction(id, type),
    onSuccess: (o) => {
      showSuccess(t('credit.objections.done', { state: t(`credit.objectionState.${o.state}`) }));
      void qc.invalidateQueries({ queryKey: creditKeys.all });
    },
  });

  // The mutation cache shows the error; the popconfirm only needs to stop spinning.
  const run = (id: string, type: ObjectionAction) => act.mutateAsync({ id, type }).catch(() => undefined);

  const items = data ?? [];
  const overdueCount = items.filter((o) => o.overdue).length;

  const columns: TableColumnsType<ObjectionView> = [
    {
      title: t('credit.objections.enterprise'),
      key: 'enterprise',
      width: 250,
      render: (_, o) => (
        <div>
          <Link to={creditPath(o.enterprise.uscc)}>{o.enterprise.name}</Link>
          <div>
            <Typography.Text type="secondary" style={{ fontSize: 12, fontFamily: 'monospace' }}>
              {o.enterprise.uscc}
            </Typography.Text>
          </div>
          <Typography.Text style={{ fontSize: 12 }}>
            {t('credit.objections.record')}：{pickText(o.recordSummary)}
          </Typography.Text>
        </div>
      ),
    },
    {
      title: t('credit.objections.grounds'),
      dataIndex: 'grounds',
      width: 240,
      render: (v: string, o) => (
        <>
          <Typography.Paragraph
            ellipsis={{ rows: 3, expandable: 'collapsible' }}
            style={{ marginBottom: 0, whiteSpace: 'pre-wrap' }}
          >
            {v}
          </Typography.Paragraph>
          {o.evidence.length > 0 && (
            <div style={{ marginTop: 4 }} data-testid="credit-objection-evidence">
              <EvidenceList files={o.evidence} maxWidth={220} />
            </div>
          )}
        </>
      ),
    },
    {
      title: t('credit.objections.state'),
      dataIndex: 'state',
      width: 100,
      render: (s: ObjectionState, o) => <ObjectionStateTag state={s} label={o.stateLabel} />,
    },
    {
      title: t('credit.objections.dates'),
      key: 'dates',
      width: 160,
      render: (_, o) => (
        <Flex vertical gap={2} align="flex-start" style={{ fontSize: 12 }}>
          <span>
            {t('credit.objections.submittedOn')}：{o.submittedOn}
          </span>
          {o.reviewDeadline && o.state !== 'withdrawn' && (
            <Typography.Text
              type={o.overdue ? 'danger' : undefined}
              strong={o.overdue}
              style={{ fontSize: 12 }}
            >
              {t('credit.objections.deadline')}：{o.reviewDeadline}
            </Typography.Text>
          )}
          {o.overdue && (
            <Tag color="red" style={{ marginInlineEnd: 0 }} data-testid="credit-objection-overdue">
              {t('credit.overdue')}
            </Tag>
          )}
        </Flex>
      ),
    },
    {
      title: t('credit.objections.decision'),
      key: 'decision',
      width: 190,
      render: (_, o) =>
        o.decidedOn ? (
          <div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {o.decidedOn}
            </Typography.Text>
            {o.reasons && (
              <Typography.Paragraph
                ellipsis={{ rows: 2, expandable: 'collapsible' }}
                style={{ marginBottom: 0 }}
              >
                {o.reasons}
              </Typography.Paragraph>
            )}
          </div>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 150,
      fixed: 'right',
      render: (_, o) => (
        <Flex gap={4} wrap>
          {o.allowedActions.includes('startReview') && (
            <Popconfirm
              title={t('credit.objections.startReviewConfirm')}
              onConfirm={() => run(o.id, 'startReview')}
            >
              <Button size="small" type="primary" ghost data-testid="credit-objection-start">
                {t('credit.objectionAction.startReview')}
              </Button>
            </Popconfirm>
          )}
          {o.allowedActions.includes('uphold') && (
            <Button
              size="small"
              type="primary"
              onClick={() => setDeciding({ objection: o, decision: 'uphold' })}
              data-testid="credit-objection-uphold"
            >
              {t('credit.objectionAction.uphold')}
            </Button>
          )}
          {o.allowedActions.includes('reject') && (
            <Button
              size="small"
              danger
              onClick={() => setDeciding({ objection: o, decision: 'reject' })}
              data-testid="credit-objection-reject"
            >
              {t('credit.objectionAction.reject')}
            </Button>
          )}
          {o.allowedActions.includes('withdraw') && (
            <Popconfirm
              title={t('credit.objections.withdrawConfirm')}
              onConfirm={() => run(o.id, 'withdraw')}
            >
              <Button size="small" data-testid="credit-objection-withdraw">
                {t('credit.objectionAction.withdraw')}
              </Button>
            </Popconfirm>
          )}
          {o.allowedActions.length === 0 && <Typography.Text type="secondary">—</Typography.Text>}
        </Flex>
      ),
    },
  ];

  return (
    <>
      <PageTitle
        title={t('credit.objections.title')}
        subtitle={
          isRegulator
            ? t('credit.objections.subtitle')
            : isOfficial
              ? t('credit.objections.subtitleTown', { area: scope.area })
              : t('credit.objections.subtitleOwn')
        }
      />
      <Card>
        <Flex gap={12} wrap style={{ marginBottom: 16 }} align="center">
          <Select<ObjectionState>
            allowClear
            style={{ width: 160 }}
            placeholder={t('credit.objections.state')}
            value={state}
            onChange={(v) => setFilter({ state: v })}
            options={OBJECTION_STATES.map((s) => ({ value: s, label: t(`credit.objectionState.${s}`) }))}
            data-testid="credit-objection-state-filter"
          />
          {isOfficial && (
            <SearchInput
              value={keyword}
              onChange={setKeyword}
              onSearch={(v) => setFilter({ uscc: v.trim().toUpperCase() || undefined })}
              placeholder={t('credit.objections.usccPlaceholder')}
              buttonText={t('common.search')}
              style={{ width: 360 }}
            />
          )}
          {overdueCount > 0 && (
            <Tag color="red" style={{ marginInlineStart: 'auto' }}>
              {t('credit.objections.overdueCount', { n: overdueCount })}
            </Tag>
          )}
        </Flex>
        <Table<ObjectionView>
          rowKey="id"
          size="middle"
          loading={isPending || isFetching}
          dataSource={items}
          columns={columns}
          scroll={{ x: 1090 }}
          onRow={(o) => ({ style: o.overdue ? OVERDUE_ROW_STYLE : undefined })}
          pagination={items.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
          locale={{ emptyText: t('credit.objections.empty') }}
          data-testid="credit-objections"
        />
      </Card>
      <DecisionModal target={deciding} onClose={() => setDeciding(null)} />
    </>
  );
}
