/**
 * 抽样任务: the inspector's task board — the tasks assigned to the user (or every task in scope)
 * grouped by state, each card opening the on-site sampling form. Works on a phone: the columns
 * stack into one.
 */
import { EnvironmentOutlined, RightOutlined, TeamOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Badge, Card, Col, Empty, Flex, Row, Segmented, Skeleton, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useRefNames } from '../api/reference';
import PageTitle from '../components/PageTitle';
import { useUrlFilters } from '../credit/common';
import { samplingApi, samplingKeys, type TaskState, type TaskSummary } from './api';
import { TaskStateTag } from './common';

/** Board columns: what is still to do first. */
const COLUMNS: { key: string; states: TaskState[] }[] = [
  { key: 'todo', states: ['assigned'] },
  { key: 'sampled', states: ['sampled', 'sentToLab'] },
  { key: 'tested', states: ['tested'] },
  { key: 'closed', states: ['refused', 'cancelled'] },
];

function TaskCard({ task }: { task: TaskSummary }) {
  const { t } = useTranslation();
  const names = useRefNames();
  return (
    <Link to={`/sampling/tasks/${task.id}`} data-testid="task-card">
      <Card hoverable size="small" styles={{ body: { padding: 12 } }}>
        <Flex justify="space-between" align="center" gap={8}>
          <div style={{ minWidth: 0 }}>
            <Typography.Text strong style={{ display: 'block', color: '#1f4e9c' }} ellipsis>
              {task.enterprise.name}
            </Typography.Text>
            <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }} ellipsis>
              {task.category.name} · {task.plan.code}
            </Typography.Text>
            <Flex gap={10} wrap style={{ marginTop: 6, fontSize: 12 }} align="center">
              <TaskStateTag state={task.state} />
              <span>
                <EnvironmentOutlined /> {names.town(task.townCode, task.townName)}
              </span>
              <span>
                <TeamOutlined /> {task.inspectors.map((i) => i.displayName).join('、') || '—'}
              </span>
            </Flex>
            <Typography.Text type="secondary" style={{ fontSize: 12, fontFamily: 'monospace' }}>
              {task.sampleNo ? `${t('sampling.sample.sampleNo')} ${task.sampleNo}` : task.taskNo}
            </Typography.Text>
          </div>
          <RightOutlined style={{ color: '#bfbfbf', flex: 'none' }} />
        </Flex>
      </Card>
    </Link>
  );
}

export default function TasksPage() {
  const { t } = useTranslation();
  const [params, setFilter] = useUrlFilters();
  const all = params.get('all') === '1';
  const q = { mine: all ? undefined : true, pageSize: 200 };
  const { data, isPending } = useQuery({
    queryKey: samplingKeys.tasks(q),
    queryFn: ({ signal }) => samplingApi.tasks(q, signal),
  });
  const items = data?.items ?? [];

  return (
    <>
      <PageTitle
        title={t('sampling.tasks.title')}
        subtitle={t('sampling.tasks.subtitle')}
        extra={
          <Segmented
            value={all ? 'all' : 'mine'}
            onChange={(v) => setFilter({ all: v === 'all' ? '1' : undefined })}
            options={[
              { value: 'mine', label: t('sampling.tasks.mine') },
              { value: 'all', label: t('sampling.tasks.all') },
            ]}
            data-testid="tasks-scope"
          />
        }
      />
      {isPending ? (
        <Card>
          <Skeleton active />
        </Card>
      ) : items.length === 0 ? (
        <Card>
          <Empty description={t('sampling.tasks.empty')} data-testid="tasks-empty" />
        </Card>
      ) : (
        <Row gutter={[16, 16]} data-testid="task-board">
          {COLUMNS.map((c) => {
            const list = items.filter((i) => c.states.includes(i.state));
            return (
              <Col key={c.key} xs={24} md={12} xl={6}>
                <Card
                  size="small"
                  title={
                    <Flex gap={8} align="center">
                      {t(`sampling.tasks.column.${c.key}`)}
                      <Badge count={list.length} showZero color={c.key === 'todo' ? '#1f4e9c' : '#a0a7b4'} />
                    </Flex>
                  }
                  styles={{ body: { background: '#f7f9fc', padding: 8 } }}
                  data-testid={`task-column-${c.key}`}
                >
                  <Flex vertical gap={8}>
                    {list.length ? (
                      list.map((task) => <TaskCard key={task.id} task={task} />)
                    ) : (
                      <Typography.Text type="secondary" style={{ padding: 8, fontSize: 12 }}>
                        {t('common.empty')}
                      </Typography.Text>
                    )}
                  </Flex>
                </Card>
              </Col>
            );
          })}
        </Row>
      )}
    </>
  );
}
