/**
 * The sampling card of an organisation's home (OrgHome): a lab sees the samples waiting for its
 * results, an enterprise its latest samples and those still open to objection.
 */
import { useQuery } from '@tanstack/react-query';
import { Alert, Card, Empty, Flex, List, Skeleton, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../auth/session';
import { samplingApi, samplingKeys } from './api';
import { CaseStateTag, mono, SampleStateTag, VerdictTag } from './common';

const SHOWN = 5;

function LabList() {
  const { t } = useTranslation();
  const { data, isPending } = useQuery({
    queryKey: samplingKeys.lab(),
    queryFn: ({ signal }) => samplingApi.labSamples(undefined, signal),
    select: (d) => d.items.filter((s) => s.state === 'sentToLab' || s.retest),
    meta: { silent: true },
  });
  if (isPending) return <Skeleton active />;
  if (!data?.length)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('sampling.home.noLabSamples')} />;
  return (
    <List
      size="small"
      header={
        <Typography.Text type="secondary">
          {t('sampling.home.lab')} · {data.length}
        </Typography.Text>
      }
      dataSource={data.slice(0, SHOWN)}
      renderItem={(s) => (
        <List.Item key={s.id}>
          <Flex justify="space-between" gap={8} style={{ width: '100%' }} wrap>
            <Link to={`/sampling/samples/${s.id}`}>
              <span style={mono}>{s.sampleNo}</span> {s.productName}
            </Link>
            <Typography.Text type="secondary">{s.category.name}</Typography.Text>
          </Flex>
        </List.Item>
      )}
    />
  );
}

function OwnList() {
  const { t } = useTranslation();
  const { data, isPending } = useQuery({
    queryKey: samplingKeys.mine,
    queryFn: ({ signal }) => samplingApi.mine(signal),
    meta: { silent: true },
  });
  if (isPending) return <Skeleton active />;
  const items = data?.items ?? [];
  if (!items.length)
    return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('sampling.home.noSamples')} />;
  const open = items.filter((s) => s.case?.state === 'objectionWindow').length;
  return (
    <>
      {open > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 8 }}
          title={t('sampling.home.openObjection', { n: open })}
        />
      )}
      <List
        size="small"
        dataSource={items.slice(0, SHOWN)}
        renderItem={(s) => (
          <List.Item key={s.id}>
            <Flex justify="space-between" gap={8} style={{ width: '100%' }} wrap>
              <span>
                <span style={mono}>{s.sampleNo}</span> {s.productName}
                <Typography.Text type="secondary" style={{ marginInlineStart: 8, fontSize: 12 }}>
                  {s.sampledOn}
                </Typography.Text>
              </span>
              <Flex gap={6}>
                {s.verdict ? (
                  <VerdictTag verdict={s.verdict} severity={s.severity} />
                ) : (
                  <SampleStateTag state={s.state} />
                )}
                {s.case && <CaseStateTag state={s.case.state} label={s.case.stateLabel} />}
              </Flex>
            </Flex>
          </List.Item>
        )}
      />
    </>
  );
}

export default function SamplingHomeCard() {
  const { t } = useTranslation();
  const { can } = useSession();
  const lab = can('sampling.result');
  if (!lab && !can('sampling.object')) return null;
  return (
    <Card
      title={lab ? t('sampling.home.lab') : t('sampling.home.mine')}
      extra={
        <Link to={lab ? '/sampling/lab' : '/sampling/mine'}>
          {lab ? t('sampling.home.labAll') : t('sampling.home.mineAll')}
        </Link>
      }
      data-testid="org-home-sampling"
    >
      {lab ? <LabList /> : <OwnList />}
    </Card>
  );
}
