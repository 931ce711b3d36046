/**
 * 严重违法失信名单: every entry with its state and next deadline; the buttons are the actions the
 * server allows this user now (`allowedActions`). Overdue deadlines are highlighted.
 */

import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Button,
  Card,
  Descriptions,
  Flex,
  Popconfirm,
  Select,
  Space,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { showSuccess } from '../api/client';
import {
  BLACKLIST_STATES,
  type BlacklistActionType,
  type BlacklistState,
  type BlacklistView,
  creditApi,
  type PastRemovalApplication,
  type RemovalOutcome,
} from '../api/credit';
import { useSession } from '../auth/session';
import { businessToday } from '../components/format';
import PageTitle from '../components/PageTitle';
import SearchInput from '../components/SearchInput';
import { BlacklistActionModal, type InputAction, ProposeModal } from './BlacklistModals';
import {
  BlacklistStateTag,
  creditKeys,
  creditPath,
  OVERDUE_ROW_STYLE,
  useText,
  useUrlFilters,
} from './common';

const DIRECT: BlacklistActionType[] = ['notify', 'publish', 'expire'];
const WITH_INPUT: InputAction[] = ['list', 'applyRemoval', 'decideRemoval', 'withdraw'];
const ACTION_ORDER: BlacklistActionType[] = [
  'notify',
  'list',
  'publish',
  'applyRemoval',
  'decideRemoval',
  'expire',
  'withdraw',
];

const OUTCOME_COLORS: Record<RemovalOutcome, string> = {
  pending: 'processing',
  approved: 'success',
  rejected: 'error',
  lapsed: 'default',
};

function DateCell({ value }: { value: string | null }) {
  return value ? (
    <span style={{ whiteSpace: 'nowrap' }}>{value}</span>
  ) : (
    <Typography.Text type="secondary">—</Typography.Text>
  );
}

/** One removal application: its outcome, dates and the decision's reasons. */
function ApplicationLine({
  application: a,
}: {
  application: PastRemovalApplication & { decideBy?: string };
}) {
  const { t } = useTranslation();
  return (
    <Space wrap size={12}>
      <Tag color={OUTCOME_COLORS[a.outcome]} style={{ marginInlineEnd: 0 }}>
        {t(`credit.removalOutcome.${a.outcome}`)}
      </Tag>
      <span>
        {t('credit.blacklist.appliedOn')}: {a.appliedOn}
      </span>
      {a.decideBy && a.outcome === 'pending' && (
        <span>
          {t('credit.blacklist.decideBy')}: {a.decideBy}
        </span>
      )}
      {a.decidedOn && (
        <span>
          {t('credit.blacklist.decidedOnShort')}: {a.decidedOn}
        </span>
      )}
      {a.reasons && <span style={{ whiteSpace: 'pre-wrap' }}>{a.reasons}</span>}
    </Space>
  );
}

const NOT_YET_LISTED = new Set<BlacklistState>(['candidate', 'notified']);

function EntryDetails({ entry }: { entry: BlacklistView }) {
  const { t } = useTranslation();
  const ra = entry.removalApplication;
  const past = entry.pastRemovalApplications ?? [];
  const date = (v: string | null) => v ?? '—';
  const statement = entry.listedOn
    ? t(entry.statementHeard ? 'credit.blacklist.statementHeard' : 'credit.blacklist.statementNone')
    : NOT_YET_LISTED.has(entry.state)
      ? t('credit.blacklist.statementNotYet')
      : '—';
  return (
    <Descriptions
      size="small"
      column={{ xs: 1, md: 2, xl: 4 }}
      style={{ maxWidth: 1200 }}
      items={[
        { key: 'decisionNo', label: t('credit.blacklist.decisionNo'), children: entry.penalty.decisionNo },
        { key: 'decidedOn', label: t('credit.blacklist.decidedOn'), children: entry.penalty.decidedOn },
        {
          key: 'restriction',
          label: t('credit.blacklist.restrictionEndsOn'),
          children: date(entry.penalty.restrictionEndsOn),
        },
        { key: 'notifiedOn', label: t('credit.blacklist.notifiedOn'), children: date(entry.notifiedOn) },
        {
          key: 'statementDeadline',
          label: t('credit.blacklist.statementDeadline'),
          children: date(entry.statementDeadline),
        },
        {
          key: 'statement',
          label: t('credit.blacklist.statement'),
          children: <span data-testid="credit-blacklist-statement">{statement}</span>,
        },
        { key: 'listedOn', label: t('credit.blacklist.listedOn'), children: date(entry.listedOn) },
        { key: 'publishBy', label: t('credit.blacklist.publishBy'), children: date(entry.publishBy) },
        { key: 'publishedOn', label: t('credit.blacklist.publishedOn'), children: date(entry.publishedOn) },
        {
          key: 'earliestRemovalOn',
          label: t('credit.blacklist.earliestRemovalOn'),
          children: date(entry.earliestRemovalOn),
        },
        { key: 'expiresOn', label: t('credit.blacklist.expiresOn'), children: date(entry.expiresOn) },
        { key: 'endedOn', label: t('credit.blacklist.endedOn'), children: date(entry.endedOn) },
        ...(entry.penaltyRevokedBy
          ? [
              {
                key: 'penaltyRevokedBy',
                label: t('credit.blacklist.penaltyRevokedBy'),
                span: { xs: 1, md: 2, xl: 4 },
                children: <span data-testid="credit-blacklist-revoked-by">{entry.penaltyRevokedBy}</span>,
              },
            ]
          : []),
        ...(ra
          ? [
              {
                key: 'application',
                label: t('credit.blacklist.application'),
                span: { xs: 1, md: 2, xl: 4 },
                children: <ApplicationLine application={ra} />,
              },
            ]
          : []),
        ...(past.length
          ? [
              {
                key: 'pastApplications',
                label: t('credit.blacklist.pastApplications'),
                span: { xs: 1, md: 2, xl: 4 },
                children: (
                  <Flex vertical gap={6} data-testid="credit-blacklist-past-applications">
                    {[...past].reverse().map((a) => (
                      <ApplicationLine key={`${a.appliedOn}-${a.decidedOn ?? ''}`} application={a} />
                    ))}
                  </Flex>
                ),
              },
            ]
          : []),
      ]}
    />
  );
}

export default function BlacklistPage() {
  const { t } = useTranslation();
  const text = useText();
  const { can } = useSession();
  const [params, setFilter] = useUrlFilters();
  const state = (params.get('state') as BlacklistState | null) ?? undefined;
  const q = params.get('q') ?? undefined;
  const [keyword, setKeyword] = useState(q ?? '');
  const [proposing, setProposing] = useState(false);
  const [acting, setActing] = useState<{ entry: BlacklistView; type: InputAction } | null>(null);
  const today = businessToday().format('YYYY-MM-DD');
  const canObject = can('credit.object');

  useEffect(() => setKeyword(q ?? ''), [q]);

  const filters = { state, q };
  const { data, isPending, isFetching } = useQuery({
    queryKey: creditKeys.blacklist(filters),
    queryFn: ({ signal }) => creditApi.blacklist(filters, signal),
    select: (d) => d.items,
  });

  const qc = useQueryClient();
  const direct = useMutation({
    mutationFn: ({ id, type }: { id: string; type: 'notify' | 'publish' | 'expire' }) =>
      creditApi.blacklistAction(id, { type }),
    onSuccess: () => qc.invalidateQueries({ queryKey: creditKeys.all }),
  });
  const runDirect = (entry: BlacklistView, type: 'notify' | 'publish' | 'expire') =>
    direct
      .mutateAsync({ id: entry.id, type })
      .then((e) => showSuccess(t('credit.blacklist.done', { state: t(`credit.blacklistState.${e.state}`) })))
      .catch(() => undefined); // the mutation cache shows the error

  const items = data ?? [];
  const isOverdue = (e: BlacklistView) => e.overdue.length > 0;

  const columns: TableColumnsType<BlacklistView> = [
    {
      title: t('credit.objections.enterprise'),
      key: 'enterprise',
      width: 220,
      render: (_, e) => (
        <div>
          <Link to={creditPath(e.enterprise.uscc)}>{e.enterprise.name}</Link>
          <div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              <span style={{ fontFamily: 'monospace' }}>{e.enterprise.uscc}</span> · {e.enterprise.townName}
            </Typography.Text>
          </div>
        </div>
      ),
    },
    {
      title: t('credit.blacklist.state'),
      dataIndex: 'state',
      width: 96,
      render: (s: BlacklistState, e) => <BlacklistStateTag state={s} label={e.stateLabel} />,
    },
    {
      title: t('credit.blacklist.penalty'),
      key: 'penalty',
      width: 180,
      render: (_, e) => (
        <div>
          <div>{e.penalty.decisionNo}</div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {e.penalty.decidedOn}
          </Typography.Text>
        </div>
      ),
    },
    {
      title: t('credit.blacklist.term'),
      key: 'term',
      width: 120,
      render: (_, e) => (
        <Flex vertical gap={0} style={{ fontSize: 12 }}>
          <span>
            {t('credit.blacklist.listedShort')} <DateCell value={e.listedOn} />
          </span>
          <span>
            {t('credit.blacklist.expiresShort')} <DateCell value={e.expiresOn} />
          </span>
        </Flex>
      ),
    },
    {
      title: t('credit.blacklist.nextDeadline'),
      key: 'next',
      width: 160,
      render: (_, e) => {
        const overdueDue = e.overdue.map((o) => o.due);
        return (
          <Flex vertical gap={2} align="flex-start">
            {e.nextDeadline ? (
              <>
                <Typography.Text style={{ fontSize: 12 }}>
                  {text(e.nextDeadline.label, e.nextDeadline.name)}
                </Typography.Text>
                <Typography.Text
                  strong
                  type={
                    overdueDue.includes(e.nextDeadline.due) || e.nextDeadline.due < today
                      ? 'danger'
                      : undefined
                  }
                >
                  {e.nextDeadline.due}
                </Typography.Text>
              </>
            ) : (
              !isOverdue(e) && <Typography.Text type="secondary">—</Typography.Text>
            )}
            {e.overdue.map((o) => (
              <Tag
                color="red"
                key={o.deadline}
                style={{ marginInlineEnd: 0 }}
                data-testid="credit-blacklist-overdue"
              >
                {t(`credit.blacklist.overdueDeadline.${o.deadline}`)}
              </Tag>
            ))}
          </Flex>
        );
      },
    },
    {
      title: t('credit.blacklist.application'),
      key: 'application',
      width: 110,
      render: (_, e) => {
        // The pending application, else the latest decided one (a decision moves it to the past).
        const a = e.removalApplication ?? e.pastRemovalApplications?.at(-1) ?? null;
        return a ? (
          <Flex vertical gap={2} align="flex-start">
            <Tag color={OUTCOME_COLORS[a.outcome]} style={{ marginInlineEnd: 0 }}>
              {t(`credit.removalOutcome.${a.outcome}`)}
            </Tag>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {a.appliedOn}
            </Typography.Text>
          </Flex>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        );
      },
    },
    {
      title: t('common.actions'),
      key: 'actions',
      width: 190,
      fixed: 'right',
      render: (_, e) => {
        const allowed = ACTION_ORDER.filter((a) => e.allowedActions.includes(a));
        // The server offers early removal only from earliestRemovalOn: tell the enterprise when.
        const removalLater =
          canObject &&
          e.state === 'published' &&
          !e.removalApplication &&
          e.earliestRemovalOn !== null &&
          today < e.earliestRemovalOn;
        if (removalLater && !allowed.length)
          return (
            <Typography.Text
              type="secondary"
              style={{ fontSize: 12 }}
              data-testid="credit-blacklist-apply-from"
            >
              {t('credit.blacklist.applyFrom', { date: e.earliestRemovalOn })}
            </Typography.Text>
          );
        if (!allowed.length) return <Typography.Text type="secondary">—</Typography.Text>;
        return (
          <Flex gap={4} wrap>
            {allowed.map((a) => {
              const label = t(`credit.blacklistAction.${a}`);
              if ((DIRECT as string[]).includes(a)) {
                const type = a as 'notify' | 'publish' | 'expire';
                return (
                  <Popconfirm
                    key={a}
                    title={t(`credit.blacklist.confirm.${type}`)}
                    onConfirm={() => runDirect(e, type)}
                  >
                    <Button size="small" type="primary" ghost data-testid={`credit-blacklist-${a}`}>
                      {label}
                    </Button>
                  </Popconfirm>
                );
              }
              if ((WITH_INPUT as string[]).includes(a)) {
                return (
                  <Button
                    key={a}
                    size="small"
                    danger={a === 'withdraw'}
                    type={a === 'withdraw' ? 'default' : 'primary'}
                    ghost={a !== 'withdraw'}
                    onClick={() => setActing({ entry: e, type: a as InputAction })}
                    data-testid={`credit-blacklist-${a}`}
                  >
                    {label}
                  </Button>
                );
              }
              return null;
            })}
          </Flex>
        );
      },
    },
  ];

  return (
    <>
      <PageTitle
        title={t('credit.blacklist.title')}
        subtitle={t('credit.blacklist.subtitle')}
        extra={
          can('credit.review') && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setProposing(true)}
              data-testid="credit-blacklist-propose-open"
            >
              {t('credit.blacklist.propose')}
            </Button>
          )
        }
      />
      <Card>
        <Flex gap={12} wrap style={{ marginBottom: 16 }} align="center">
          <Select<BlacklistState>
            allowClear
            style={{ width: 160 }}
            placeholder={t('credit.blacklist.state')}
            value={state}
            onChange={(v) => setFilter({ state: v })}
            options={BLACKLIST_STATES.map((s) => ({ value: s, label: t(`credit.blacklistState.${s}`) }))}
            data-testid="credit-blacklist-state-filter"
          />
          <SearchInput
            value={keyword}
            onChange={setKeyword}
            onSearch={(v) => setFilter({ q: v.trim() || undefined })}
            placeholder={t('registry.keyword')}
            buttonText={t('common.search')}
            style={{ width: 360 }}
          />
          {items.some(isOverdue) && (
            <Tag color="red" style={{ marginInlineStart: 'auto' }}>
              {t('credit.blacklist.overdueCount', { n: items.filter(isOverdue).length })}
            </Tag>
          )}
        </Flex>
        <Table<BlacklistView>
          rowKey="id"
          size="middle"
          loading={isPending || isFetching}
          dataSource={items}
          columns={columns}
          scroll={{ x: 1120 }}
          onRow={(e) => ({ style: isOverdue(e) ? OVERDUE_ROW_STYLE : undefined })}
          expandable={{ expandedRowRender: (e) => <EntryDetails entry={e} /> }}
          pagination={items.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
          locale={{ emptyText: t('credit.blacklist.empty') }}
          data-testid="credit-blacklist"
        />
      </Card>
      {can('credit.review') && (
        <ProposeModal
          open={proposing}
          initialUscc={params.get('uscc') ?? undefined}
          onClose={() => setProposing(false)}
        />
      )}
      <BlacklistActionModal target={acting} onClose={() => setActing(null)} />
    </>
  );
}
